import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  attributeStages,
  classifyStage,
  getStageAttribution,
  stageLabelsToTags,
} from '../../../../src/main/analysis/stages'
import { segmentRun } from '../../../../src/main/engine/batch'
import { createEngine, type Engine } from '../../../../src/main/engine/registry'
import type { Segmenter } from '../../../../src/main/engine/types'
import { createDataset } from '../../../../src/main/store/datasets'
import { boxIou } from '../../../../src/shared/domain/rlePieces'
import { putMedia } from '../../../../src/main/store/media'
import { openProject, type Project } from '../../../../src/main/store/project'
import { createRun, upsertPrediction } from '../../../../src/main/store/runs'
import { insertSample } from '../../../../src/main/store/samples'
import { encodeRowMajor } from '../../../../src/shared/domain/rle'
import { rectCounts, rectMask, type Rect } from '../../../fixtures/analysisProject'

const W = 64
const H = 64

/** Box-filling stub: the mask is exactly the prompt box [x0, y0, x1, y1) — a perfect segmenter for boxes. */
const boxFill: Segmenter = {
  info: {
    id: 'stub-box',
    label: 'box fill (test stub)',
    family: 'grabcut',
    isBaseline: true,
    provider: 'cpu',
  },
  async segment(_key, image, prompt) {
    const b = prompt.box!
    return { mask: rectMask([b[0], b[1], b[2], b[3]], image.width, image.height), score: 1 }
  },
  async dispose() {},
}

/** A square ring: outer [10, 50)², inner [14, 46)² removed — its box fill has IoU 576 / 1600 = 0.36. */
function ring(): Uint8Array {
  const m = new Uint8Array(W * H)
  for (let y = 10; y < 50; y++)
    for (let x = 10; x < 50; x++) if (x < 14 || x >= 46 || y < 14 || y >= 46) m[y * W + x] = 1
  return m
}

let project: Project
let dir: string
let runId: number
let engine: Engine
const ids: Record<string, number> = {}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-stages-'))
  project = openProject(dir, { create: true })
  const { db } = project
  const datasetId = createDataset(db, { name: 'stages', format: 'folder' })
  const png = await (
    await import('sharp')
  )
    .default({ create: { width: W, height: H, channels: 3, background: '#808080' } })
    .png()
    .toBuffer()
  const hash = putMedia(project, png, { ext: 'png', width: W, height: H })
  runId = createRun(db, { datasetId, name: 'run', kind: 'imported' })
  const add = (name: string, gt: Uint8Array, pred: Rect | null, box: [number, number, number, number]) => {
    const gtRle = encodeRowMajor(gt, H, W)
    ids[name] = insertSample(db, {
      datasetId,
      imageId: name,
      annId: '0',
      mediaHash: hash,
      width: W,
      height: H,
      query: name,
      gt: gtRle,
    })
    if (!pred) return
    const predMask = rectMask(pred, W, H)
    const predDense = new Uint8Array(W * H)
    for (let y = pred[1]; y < pred[3]; y++) for (let x = pred[0]; x < pred[2]; x++) predDense[y * W + x] = 1
    let inter = 0
    let union = 0
    for (let i = 0; i < W * H; i++) {
      inter += gt[i] & predDense[i]
      union += gt[i] | predDense[i]
    }
    upsertPrediction(db, {
      runId,
      sampleId: ids[name],
      prompts: [{ box, points: [] }],
      mask: predMask,
      intersection: inter,
      union,
      iou: inter / union,
    })
  }
  const sq = new Uint8Array(W * H)
  for (let y = 10; y < 50; y++) for (let x = 10; x < 50; x++) sq[y * W + x] = 1
  // Bad box, good mask: the model pointed at empty space; the oracle box gives the object exactly.
  add('badBox', sq, [52, 52, 64, 64], [52, 52, 64, 64])
  // Good box, bad mask: the model's box is the GT box, but box fill of a ring is poor for run and oracle alike.
  add('badMask', ring(), [10, 10, 50, 50], [10, 10, 50, 50])
  // Success.
  add('good', sq, [10, 10, 50, 50], [10, 10, 50, 50])
  // No prediction: the batch oracle does not segment it, so it stays unattributed.
  add('missing', sq, null, [0, 0, 1, 1])
  engine = createEngine({
    sources: [{ name: 'stub', list: () => [boxFill.info], create: async () => boxFill }],
  })
})
afterAll(async () => {
  await engine.dispose()
  project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('classifyStage and boxIou', () => {
  const t = { successIou: 0.5, oracleIou: 0.7 }
  it('follows the thresholds', () => {
    expect(classifyStage(0.6, 0, t)).toBe('success')
    expect(classifyStage(0.2, 0.8, t)).toBe('localization')
    expect(classifyStage(0.2, 0.6, t)).toBe('segmentation')
  })
  it('box IoU in continuous coordinates', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1)
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12)
    expect(boxIou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0)
    expect(boxIou([0, 0, 10, 10], [0, 0, 5, 10])).toBeCloseTo(0.5, 12)
  })
})

describe('stage attribution end to end (stub segmenter)', () => {
  it('labels bad box + good mask as localization, good box + bad mask as segmentation', async () => {
    const oracle = await segmentRun(project, engine, {
      fromRun: runId,
      modelId: 'stub-box',
      prompts: 'gt-box',
      outRun: 'oracle',
    })
    expect(oracle.total).toBe(3)
    const att = attributeStages(project.db, runId, oracle.runId)
    expect(att.n).toBe(3)
    expect(att.unattributed).toBe(1)
    expect(att.samples.some((s) => s.sampleId === ids.missing)).toBe(false)
    const by = Object.fromEntries(att.samples.map((s) => [s.sampleId, s]))
    expect(by[ids.badBox].label).toBe('localization')
    expect(by[ids.badBox].oracleIou).toBe(1)
    expect(by[ids.badBox].bboxIou).toBe(0)
    expect(by[ids.badMask].label).toBe('segmentation')
    expect(by[ids.badMask].oracleIou).toBeCloseTo(576 / 1600, 12)
    expect(by[ids.badMask].bboxIou).toBe(1)
    expect(by[ids.good].label).toBe('success')
    expect(att.summary.map((r) => [r.label, r.n])).toEqual([
      ['success', 1],
      ['localization', 1],
      ['segmentation', 1],
    ])
    // Stored, and re-read identically.
    expect(getStageAttribution(project.db, runId)).toEqual(att)
    // Closed-form check of the run IoU used for badBox: disjoint rectangles.
    expect(by[ids.badBox].runIou).toBe(rectCounts([52, 52, 64, 64], [10, 10, 50, 50]).iou)
  })

  it('changing the thresholds relabels without re-segmenting', () => {
    const oracle = project.db.prepare("SELECT id FROM runs WHERE name = 'oracle'").get() as { id: number }
    const att = attributeStages(project.db, runId, oracle.id, { successIou: 0.5, oracleIou: 0.3 })
    expect(att.samples.find((s) => s.sampleId === ids.badMask)!.label).toBe('localization')
    attributeStages(project.db, runId, oracle.id)
  })

  it('turns labels into tags in one action, replacing earlier stage tags', () => {
    const counts = stageLabelsToTags(project.db, runId)
    expect(counts).toEqual([
      { tag: 'stage: localization failure', count: 1 },
      { tag: 'stage: segmentation failure', count: 1 },
    ])
    stageLabelsToTags(project.db, runId)
    const rows = project.db
      .prepare(
        'SELECT t.name, st.sample_id FROM sample_tags st JOIN tags t ON t.id = st.tag_id WHERE st.run_id = ? ORDER BY t.name',
      )
      .all(runId)
    expect(rows).toEqual([
      { name: 'stage: localization failure', sample_id: ids.badBox },
      { name: 'stage: segmentation failure', sample_id: ids.badMask },
    ])
  })
})
