/**
 * A run with one not-segmented prediction (prompts but no mask) in the analysis API and the comparison:
 * the sample has no IoU, so it is left out of the scored samples, the histogram's bars and the paired
 * comparison, and counted as not segmented. Expected numbers come from the fixture's rectangles by hand.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareRuns } from '../../../../src/main/analysis/compare'
import { analyzeRun, selectSampleIds } from '../../../../src/main/analysis/summary'
import { upsertPrediction } from '../../../../src/main/store/runs'
import { createAnalysisProject, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-analysis-notseg-'))
  fx = await createAnalysisProject(path.join(dir, 'p'))
  // Sample 1 (GT [60,20,100,60]): run A's answer becomes a prompt box without a mask.
  upsertPrediction(fx.project.db, {
    runId: fx.runA,
    sampleId: fx.sampleIds[1],
    prompts: [{ box: [80, 20, 119, 59], points: [] }],
    intersection: 0,
    union: 1600,
    iou: 0,
  })
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

// Run A on the other samples, I / U from the rectangles: s0 1600/1600, s2 missing 0/15000,
// s3 0/500 (disjoint 20×20 box vs 10×10 GT), s4 1800/3600, s5 2700/3000.
// Run B: s0 800/1600, s2 7500/15000, s3 50/100, s4 1800/3600, s5 missing 0/3000.
describe('analysis of a run with a not-segmented sample', () => {
  it('scores the other five samples and counts one as not segmented', () => {
    const a = analyzeRun(fx.project.db, fx.runA, { iterations: 50, seed: 1 })
    expect(a.n).toBe(5)
    expect(a.notSegmented).toBe(1)
    expect(a.missing).toBe(1)
    expect(a.gIoU.value).toBeCloseTo((1 + 0 + 0 + 0.5 + 0.9) / 5, 12)
    expect(a.cIoU.value).toBeCloseTo(6100 / 23700, 12)
    expect(a.histogram.reduce((s, b) => s + b.count, 0)).toBe(5)
  })

  it('puts it in no histogram bar', () => {
    // IoU 0: s2 (missing) and s3; s1 has no IoU.
    expect(selectSampleIds(fx.project.db, fx.runA, 'histogram', '0')).toEqual([
      fx.sampleIds[2],
      fx.sampleIds[3],
    ])
  })

  it('a run without not-segmented samples counts none', () => {
    expect(analyzeRun(fx.project.db, fx.runB, { iterations: 50, seed: 1 }).notSegmented).toBe(0)
  })
})

describe('comparison with a not-segmented sample', () => {
  it('compares the samples both runs scored and says how many were left out', () => {
    const c = compareRuns(fx.project.db, fx.runA, fx.runB, { iterations: 50, seed: 1 })
    expect(c.n).toBe(5)
    expect(c.notSegmented).toBe(1)
    expect(c.points.map((p) => p[0])).not.toContain(fx.sampleIds[1])
    expect(c.gIoUDiff.value).toBeCloseTo((0.5 + 0.5 + 0.5 + 0.5 + 0) / 5 - 2.4 / 5, 12)
    expect(c.cIoUDiff.value).toBeCloseTo(10150 / 23300 - 6100 / 23700, 12)
    // s2, s3 better; s0, s5 worse; s4 unchanged.
    expect([c.better, c.worse, c.same]).toEqual([2, 2, 1])
  })
})
