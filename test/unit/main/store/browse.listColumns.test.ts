/**
 * The list's precomputed per-prediction columns (prediction_list, kept by triggers) stay in step with the
 * predictions table whatever writes it: after each kind of write, the list's filters and sorts equal a
 * brute-force computation in JS over the predictions rows as they are now (read without the precompute).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { segmentRunInPlace } from '../../../../src/main/engine/batch'
import { createEngine } from '../../../../src/main/engine/registry'
import { orderedSampleIds, type BrowseQuery } from '../../../../src/main/store/browse'
import { recordPromptEdit, saveRunVariant } from '../../../../src/main/store/edits'
import type { Db } from '../../../../src/main/store/project'
import { createRun, upsertPrediction } from '../../../../src/main/store/runs'
import { countsToString } from '../../../../src/shared/domain/rle'
import { createBrowseProject, rectCounts, type BrowseProject } from '../../../fixtures/browseProject'
import { fakeSource } from '../../../fixtures/fakeSegmenter'
import { createSegmentProject } from '../../../fixtures/segmentProject'

interface Truth {
  /** IoU as the list shows it: null when missing or not segmented (prompts but no mask). */
  iou: number | null
  present: boolean
  parseError: boolean
}

/** Reads predictions directly and decides "not segmented" by parsing the prompts JSON. */
function truthOf(db: Db, runId: number | null, datasetId: number): Map<number, Truth> {
  const samples = db
    .prepare('SELECT id FROM samples WHERE dataset_id = ? ORDER BY id')
    .pluck()
    .all(datasetId) as number[]
  const preds = new Map(
    (
      db
        .prepare(
          'SELECT sample_id, iou, mask_rle, prompts_json, parse_error FROM predictions WHERE run_id = ?',
        )
        .all(runId ?? -1) as {
        sample_id: number
        iou: number
        mask_rle: string | null
        prompts_json: string | null
        parse_error: string | null
      }[]
    ).map((r) => [r.sample_id, r]),
  )
  return new Map(
    samples.map((id): [number, Truth] => {
      const p = preds.get(id)
      if (!p) return [id, { iou: null, present: false, parseError: false }]
      const prompts = p.prompts_json == null ? [] : (JSON.parse(p.prompts_json) as unknown[])
      const notSegmented = p.mask_rle == null && prompts.length > 0
      return [id, { iou: notSegmented ? null : p.iou, present: true, parseError: p.parse_error != null }]
    }),
  )
}

/** Nulls last, ties by id ascending — the list's documented order. */
function sortedBy(ids: number[], key: (id: number) => number | null, dir: 'asc' | 'desc'): number[] {
  return [...ids].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    if (x == null || y == null) return x == null && y == null ? a - b : x == null ? 1 : -1
    return (dir === 'asc' ? x - y : y - x) || a - b
  })
}

/** Every list query of the check, with the brute-force answer. */
function expectListInStep(db: Db, runId: number, compareRunId: number, datasetId: number): void {
  const p = truthOf(db, runId, datasetId)
  const c = truthOf(db, compareRunId, datasetId)
  const all = [...p.keys()]
  const delta = (id: number) => {
    const a = p.get(id)!.iou
    const b = c.get(id)!.iou
    return a == null || b == null ? null : a - b
  }
  const cases: [BrowseQuery, number[]][] = [
    [{ runId, filter: { iouMin: 0.3 } }, all.filter((id) => (p.get(id)!.iou ?? -1) >= 0.3)],
    [
      { runId, filter: { iouMax: 0.2 } },
      all.filter((id) => p.get(id)!.iou != null && p.get(id)!.iou! <= 0.2),
    ],
    [{ runId, filter: { parseError: true } }, all.filter((id) => p.get(id)!.parseError)],
    [
      { runId, filter: { parseError: false } },
      all.filter((id) => p.get(id)!.present && !p.get(id)!.parseError),
    ],
    [{ runId, filter: { missing: true } }, all.filter((id) => !p.get(id)!.present)],
    [{ runId, sort: { key: 'iou', dir: 'asc' } }, sortedBy(all, (id) => p.get(id)!.iou, 'asc')],
    [{ runId, sort: { key: 'iou', dir: 'desc' } }, sortedBy(all, (id) => p.get(id)!.iou, 'desc')],
    [{ runId, compareRunId, sort: { key: 'deltaIou', dir: 'desc' } }, sortedBy(all, delta, 'desc')],
    [
      { runId, compareRunId, filter: { deltaMin: 0 }, sort: { key: 'compareIou', dir: 'asc' } },
      sortedBy(
        all.filter((id) => (delta(id) ?? -1) >= 0),
        (id) => c.get(id)!.iou,
        'asc',
      ),
    ],
  ]
  for (const [q, want] of cases) expect(Array.from(orderedSampleIds(db, q)), JSON.stringify(q)).toEqual(want)
  // Nothing stale is left behind: one list row per prediction, with the same keys.
  const orphans = db
    .prepare(
      `SELECT COUNT(*) FROM prediction_list l
       WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.run_id = l.run_id AND p.sample_id = l.sample_id)`,
    )
    .pluck()
    .get()
  expect(orphans).toBe(0)
  expect(db.prepare('SELECT COUNT(*) FROM prediction_list').pluck().get()).toBe(
    db.prepare('SELECT COUNT(*) FROM predictions').pluck().get(),
  )
}

const dirs: string[] = []
let bp: BrowseProject | null = null
afterEach(() => {
  bp?.project.close()
  bp = null
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('prediction_list stays in step with predictions', () => {
  it('after imports, replaced predictions, updates, prompt-edit variants and deletes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-listcols-'))
    dirs.push(dir)
    bp = await createBrowseProject(dir, { samples: 150, seed: 11 })
    const { db } = bp.project
    const { runA, runB, datasetId, specs } = bp
    expectListInStep(db, runA, runB, datasetId)

    // Import-style replacement (INSERT OR REPLACE): one becomes not segmented, one a parse error, one
    // gets a new IoU, one missing sample gains a prediction.
    const withA = specs.filter((s) => s.a)
    const box = { box: [1, 1, 20, 20] as [number, number, number, number], points: [] }
    upsertPrediction(db, {
      runId: runA,
      sampleId: withA[0].id,
      prompts: [box],
      intersection: 0,
      union: 9,
      iou: 0,
    })
    upsertPrediction(db, {
      runId: runA,
      sampleId: withA[1].id,
      parseError: 'unterminated JSON',
      intersection: 0,
      union: 9,
      iou: 0,
    })
    upsertPrediction(db, { runId: runA, sampleId: withA[2].id, intersection: 97, union: 100, iou: 0.97 })
    const missing = specs.find((s) => !s.a)!
    upsertPrediction(db, { runId: runA, sampleId: missing.id, intersection: 1, union: 4, iou: 0.25 })
    expectListInStep(db, runA, runB, datasetId)

    // A segment job's in-place UPDATE gives the not-segmented one a mask and an IoU.
    const s0 = withA[0]
    db.prepare(
      `UPDATE predictions SET mask_rle = @mask, intersection = 3, union_px = 4, iou = 0.75
       WHERE run_id = @run AND sample_id = @sample`,
    ).run({
      mask: countsToString(rectCounts({ x0: 0, y0: 0, x1: 2, y1: 2 }, s0.height, s0.width)),
      run: runA,
      sample: s0.id,
    })
    expectListInStep(db, runA, runB, datasetId)

    // Prompt edits saved as a variant run: INSERT … SELECT, then ON CONFLICT DO UPDATE for the edited one.
    recordPromptEdit(db, {
      runId: runA,
      sampleId: withA[3].id,
      prompts: [box],
      mask: null,
      intersection: 0,
      union: 5,
      iou: 0,
    })
    const variant = saveRunVariant(db, runA, 'edited')
    expectListInStep(db, variant.runId, runA, datasetId)

    // Deletes: one prediction, then a whole run by cascade.
    db.prepare('DELETE FROM predictions WHERE run_id = ? AND sample_id = ?').run(runA, withA[4].id)
    expectListInStep(db, runA, runB, datasetId)
    db.prepare('DELETE FROM runs WHERE id = ?').run(variant.runId)
    expect(
      db.prepare('SELECT COUNT(*) FROM prediction_list WHERE run_id = ?').pluck().get(variant.runId),
    ).toBe(0)
    expectListInStep(db, runA, runB, datasetId)
  })

  it('after a segment job fills in a not-segmented run', async () => {
    const fx = await createSegmentProject()
    try {
      const { db } = fx.project
      const datasetId = db.prepare('SELECT dataset_id FROM runs WHERE id = ?').pluck().get(fx.runId) as number
      const raw = createRun(db, { datasetId, name: 'raw', kind: 'imported' })
      for (const s of fx.samples)
        upsertPrediction(db, {
          runId: raw,
          sampleId: s.id,
          prompts: s.prompts,
          intersection: 0,
          union: 1,
          iou: 0,
        })
      // Prompts but no masks: those have no IoU yet, so an IoU filter lists only the prompt-less ones
      // (an empty answer is a real IoU of 0).
      const promptLess = fx.samples.filter((s) => s.prompts.length === 0).length
      expect(promptLess).toBeLessThan(fx.samples.length)
      expect(orderedSampleIds(db, { runId: raw, filter: { iouMin: 0 } }).length).toBe(promptLess)
      expectListInStep(db, raw, fx.runId, datasetId)
      const engine = createEngine({ sources: [fakeSource(['sam-b'])] })
      try {
        await segmentRunInPlace(fx.project, engine, { runId: raw })
      } finally {
        await engine.dispose()
      }
      expect(orderedSampleIds(db, { runId: raw, filter: { iouMin: 0 } }).length).toBe(fx.samples.length)
      expectListInStep(db, raw, fx.runId, datasetId)
    } finally {
      fx.project.close()
    }
  })
})
