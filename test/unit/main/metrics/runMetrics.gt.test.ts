/**
 * Metrics on the corrected GT: an edited sample's I/U is recomputed from the stored prediction mask, every
 * other sample keeps its stored I/U, and the difference from the original-GT numbers is exactly that
 * sample's change (rectangles, so every count has a closed form). Also through the CLI (`reseg metrics`,
 * `reseg analyze gt-changes`) and the reports.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeGtChanges } from '../../../../src/main/analysis/gtChanges'
import { analyzeRun } from '../../../../src/main/analysis/summary'
import { runMetrics } from '../../../../src/main/metrics/runMetrics'
import { exportReport } from '../../../../src/main/reports/export'
import { applyGtCommand, flagSample } from '../../../../src/main/store/groundTruth'
import {
  createBrowseProject,
  rectIou,
  type BrowseProject,
  type BrowseSampleSpec,
  type RectSpec,
} from '../../../fixtures/browseProject'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

let dir: string
let bp: BrowseProject
let edited: BrowseSampleSpec
let newGt: RectSpec
let noMaskRun: number

const poly = (r: RectSpec): [number, number][] => [
  [r.x0, r.y0],
  [r.x1, r.y0],
  [r.x1, r.y1],
  [r.x0, r.y1],
]

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-gt-metrics-'))
  bp = await createBrowseProject(path.join(dir, 'p'), { samples: 8, seed: 11 })
  // A sample run A answered with a mask (parse errors store an empty mask instead of the rectangle).
  edited = bp.specs.find((s) => s.a && !s.a.parseError) as BrowseSampleSpec
  // The corrected GT: the original rectangle shrunk by 3 px on the left and 2 px at the bottom.
  const g = edited.gt
  newGt = { x0: g.x0 + 3, y0: g.y0, x1: g.x1, y1: g.y1 - 2 }
  applyGtCommand(
    bp.project.db,
    edited.id,
    { kind: 'polygon', target: 1, points: poly(newGt), mode: 'replace' },
    't',
  )
  // A run that stores only I and U (as Seg-Zero's evaluation output does): corrected GT cannot be applied.
  const db = bp.project.db
  noMaskRun = Number(
    db
      .prepare("INSERT INTO runs (dataset_id, name, kind) VALUES (?, 'iou-only', 'imported')")
      .run(bp.datasetId).lastInsertRowid,
  )
  db.prepare(
    `INSERT INTO predictions (run_id, sample_id, intersection, union_px, iou)
     SELECT ?, sample_id, intersection, union_px, iou FROM predictions WHERE run_id = ?`,
  ).run(noMaskRun, bp.runB)
})

afterAll(() => {
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('metrics with --gt corrected', () => {
  it('differs from the original by exactly the edited sample’s hand-computed I/U', () => {
    const db = bp.project.db
    const orig = runMetrics(db, bp.runB)
    const corr = runMetrics(db, bp.runB, 'segzero', { gt: 'corrected', excludeFlagged: false })
    const before = rectIou(edited.gt, edited.b!.rect)
    const after = rectIou(newGt, edited.b!.rect)
    const at = (m: typeof orig) => m.samples.find((s) => s.sampleId === edited.id)!
    expect([at(orig).intersection, at(orig).union]).toEqual([before.intersection, before.union])
    expect([at(corr).intersection, at(corr).union]).toEqual([after.intersection, after.union])
    // every other sample is untouched
    expect(corr.samples.filter((s) => s.sampleId !== edited.id)).toEqual(
      orig.samples.filter((s) => s.sampleId !== edited.id),
    )
    const n = orig.n
    expect(corr.gIoU! - orig.gIoU!).toBeCloseTo((after.iou - before.iou) / n, 12)
    const sumI = orig.samples.reduce((s, x) => s + x.intersection, 0)
    const sumU = orig.samples.reduce((s, x) => s + x.union, 0)
    expect(corr.cIoU).toBeCloseTo(
      (sumI - before.intersection + after.intersection) / (sumU - before.union + after.union),
      12,
    )
    expect(corr.gt).toMatchObject({ gt: 'corrected', corrected: 1, notApplicable: 0 })
    expect(orig.gt.statement).toBe('Ground truth: original (as imported).')
  })

  it('says clearly when a run stores no masks, and leaves flagged samples out on request', () => {
    const db = bp.project.db
    const m = runMetrics(db, noMaskRun, 'segzero', { gt: 'corrected', excludeFlagged: false })
    expect(m.gt.notApplicable).toBe(1)
    expect(m.gt.statement).toMatch(/corrected GT cannot be applied to 1 revised sample of run 'iou-only'/)
    const flaggedId = bp.specs[bp.specs.length - 1].id
    flagSample(db, flaggedId, 'invalid', 'no such object', 't')
    const ex = runMetrics(db, bp.runB, 'segzero', { gt: 'original', excludeFlagged: true })
    expect([ex.n, ex.gt.excluded, ex.samples.some((s) => s.sampleId === flaggedId)]).toEqual([
      bp.specs.length - 1,
      1,
      false,
    ])
    expect(ex.gt.statement).toBe('Ground truth: original (as imported); 1 flagged sample excluded.')
    const a = analyzeRun(db, bp.runB, { gt: { gt: 'corrected', excludeFlagged: true }, iterations: 50 })
    expect([a.n, a.gIoU.value]).toEqual([
      ex.n,
      runMetrics(db, bp.runB, 'segzero', { gt: 'corrected', excludeFlagged: true }).gIoU,
    ])
    db.prepare('DELETE FROM sample_flags').run()
  })

  it('reports label noise: pixels changed and the paired difference per run', () => {
    const r = analyzeGtChanges(bp.project.db, bp.datasetId, { iterations: 200 })
    const g = edited.gt
    const removed = (g.x1 - g.x0) * (g.y1 - g.y0) - (newGt.x1 - newGt.x0) * (newGt.y1 - newGt.y0)
    expect(r.changed).toEqual([
      expect.objectContaining({ sampleId: edited.id, added: 0, removed, objects: 1 }),
    ])
    const b = r.runs.find((x) => x.runId === bp.runB)!
    const before = rectIou(edited.gt, edited.b!.rect)
    const after = rectIou(newGt, edited.b!.rect)
    expect(b.gIoUDiff.value).toBeCloseTo((after.iou - before.iou) / bp.specs.length, 12)
    expect(b.gIoUDiff.lo).toBeLessThanOrEqual(b.gIoUDiff.value)
    expect(b.gIoUDiff.hi).toBeGreaterThanOrEqual(b.gIoUDiff.value)
  })

  it('states the GT in CSV rows and the JSON header', async () => {
    const out = path.join(dir, 'r.json')
    await exportReport(bp.project, {
      run: 'run-b',
      format: 'json',
      out,
      gt: { gt: 'corrected', excludeFlagged: false },
    })
    const j = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      gt: { gt: string; statement: string }
      samples: { sample_id: number; gt: string; intersection: number }[]
    }
    expect(j.gt.gt).toBe('corrected')
    const row = j.samples.find((s) => s.sample_id === edited.id)!
    expect([row.gt, row.intersection]).toEqual(['corrected', rectIou(newGt, edited.b!.rect).intersection])
    expect(j.samples.filter((s) => s.gt === 'corrected')).toHaveLength(1)
  })

  it('the HTML report states the GT and has the label-noise section', async () => {
    const out = path.join(dir, 'r.html')
    await exportReport(bp.project, {
      run: 'run-b',
      format: 'html',
      out,
      worstK: 2,
      examplesPerTag: 0,
      gt: { gt: 'corrected', excludeFlagged: false },
    })
    const html = fs.readFileSync(out, 'utf8')
    expect(html).toContain('Ground truth: corrected (1 revised sample re-scored from the stored masks')
    const noise = html.slice(html.indexOf('id="label-noise"'), html.indexOf('id="worst"'))
    expect(noise).toContain(`data-sample="${edited.id}"`)
    const diff = /data-metric="gt-gIoU-diff" data-value="([^"]+)"/.exec(noise)
    const before = rectIou(edited.gt, edited.b!.rect)
    const after = rectIou(newGt, edited.b!.rect)
    expect(Number(diff?.[1])).toBeCloseTo((after.iou - before.iou) / bp.specs.length, 12)
  })

  it('through the CLI: reseg metrics --gt and reseg analyze gt-changes', () => {
    const projectDir = bp.project.dir
    // the CLI opens the project itself; make sure our writes are checkpointed for the other process
    bp.project.db.pragma('wal_checkpoint(TRUNCATE)')
    const orig = reseg('metrics', '--project', projectDir, '--run', 'run-b', '--json')
    const corr = reseg('metrics', '--project', projectDir, '--run', 'run-b', '--json', '--gt', 'corrected')
    expect(orig.status).toBe(0)
    expect(corr.status).toBe(0)
    type Out = {
      runs: {
        gIoU: number
        gt: string
        samples: { image_id: string; intersection: number; union: number }[]
      }[]
    }
    const o = (JSON.parse(orig.stdout) as Out).runs[0]
    const c = (JSON.parse(corr.stdout) as Out).runs[0]
    expect([o.gt, c.gt]).toEqual(['original', 'corrected'])
    const after = rectIou(newGt, edited.b!.rect)
    const row = c.samples.find((s) => s.image_id === edited.imageId)!
    expect([row.intersection, row.union]).toEqual([after.intersection, after.union])
    const table = reseg('metrics', '--project', projectDir, '--gt', 'corrected')
    expect(table.stdout).toMatch(/Ground truth: corrected \(1 revised sample re-scored/)
    expect(table.stdout).toMatch(/cannot be applied to 1 revised sample of run 'iou-only'/)
    const bad = reseg('metrics', '--project', projectDir, '--gt', 'fixed')
    expect(bad.status).toBe(2)
    const changes = reseg('analyze', 'gt-changes', '--project', projectDir)
    expect(changes.status).toBe(0)
    expect(changes.stdout).toMatch(/1 of 8 samples have a corrected GT/)
    expect(changes.stdout).toContain(`${edited.imageId}/0`)
  })
})
