import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareRuns } from '../../../../src/main/analysis/compare'
import { loadResults } from '../../../../src/main/analysis/results'
import { analyzeRun, selectSampleIds } from '../../../../src/main/analysis/summary'
import { createAnalysisProject, rectCounts, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-analysis-'))
  fx = await createAnalysisProject(dir)
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** gIoU / cIoU straight from the fixture's rectangles. */
function expected(run: 'a' | 'b', filter: (i: number) => boolean = () => true) {
  const rows = fx.samples
    .map((s, i) => ({ i, ...rectCounts(s[run]?.rect ?? null, s.gt) }))
    .filter((r) => filter(r.i))
  const sI = rows.reduce((s, r) => s + r.intersection, 0)
  const sU = rows.reduce((s, r) => s + r.union, 0)
  return {
    n: rows.length,
    gIoU: rows.reduce((s, r) => s + r.iou, 0) / rows.length,
    cIoU: sI / sU,
    ious: rows.map((r) => r.iou),
  }
}

describe('loadResults', () => {
  it('counts a sample without prediction as I = 0, U = |GT|', () => {
    const r = loadResults(fx.project.db, fx.runA)
    expect(r).toHaveLength(6)
    expect(r[2]).toMatchObject({ predicted: false, intersection: 0, union: 100 * 150 })
    expect(r[3].tags).toEqual(['small-object', 'wrong-object'])
  })
})

describe('analyzeRun', () => {
  it('headline gIoU and cIoU equal the closed-form values', () => {
    const a = analyzeRun(fx.project.db, fx.runA, { seed: 1 })
    const e = expected('a')
    expect(a.n).toBe(6)
    expect(a.missing).toBe(1)
    expect(a.gIoU.value).toBeCloseTo(e.gIoU, 12)
    expect(a.cIoU.value).toBeCloseTo(e.cIoU, 12)
    expect(a.gIoU.lo).toBeLessThanOrEqual(a.gIoU.value)
    expect(a.gIoU.hi).toBeGreaterThanOrEqual(a.gIoU.value)
  })

  it('query-kind rows use the flag, else the text (sample 3 is a long question)', () => {
    const a = analyzeRun(fx.project.db, fx.runA, { seed: 1 })
    const kind = a.breakdowns.find((b) => b.dimension === 'queryKind')!.rows
    const sentence = expected('a', (i) => i === 1 || i === 3)
    expect(kind.find((r) => r.key === 'sentence')).toMatchObject({ n: 2 })
    expect(kind.find((r) => r.key === 'sentence')!.cIoU.value).toBeCloseTo(sentence.cIoU, 12)
    expect(kind.find((r) => r.key === 'phrase')!.gIoU.value).toBeCloseTo(
      expected('a', (i) => ![1, 3].includes(i)).gIoU,
      12,
    )
  })

  it('histogram counts every sample once', () => {
    const a = analyzeRun(fx.project.db, fx.runA)
    expect(a.histogram.reduce((s, b) => s + b.count, 0)).toBe(6)
    // IoUs: 1, 1/3 (half-overlapping squares), 0 (missing), 0, 0.5, 0.9
    expect(a.histogram.map((b) => b.count)).toEqual([2, 0, 0, 1, 0, 1, 0, 0, 0, 2])
  })

  it('is reproducible for a seed', () => {
    expect(analyzeRun(fx.project.db, fx.runA, { seed: 3 })).toEqual(
      analyzeRun(fx.project.db, fx.runA, { seed: 3 }),
    )
  })
})

describe('selectSampleIds', () => {
  it('returns the ids behind a bar', () => {
    const ids = fx.sampleIds
    expect(selectSampleIds(fx.project.db, fx.runA, 'tag', 'wrong-object')).toEqual([ids[1], ids[3]])
    expect(selectSampleIds(fx.project.db, fx.runA, 'histogram', '0')).toEqual([ids[2], ids[3]])
    expect(selectSampleIds(fx.project.db, fx.runA, 'objectSize', 'tiny')).toEqual([ids[3]])
  })
})

describe('compareRuns', () => {
  it('per-sample pairs, the differences and the ranked lists', () => {
    const c = compareRuns(fx.project.db, fx.runA, fx.runB, { seed: 2 })
    const a = expected('a')
    const b = expected('b')
    expect(c.points.map((p) => [p[1], p[2]])).toEqual(a.ious.map((x, i) => [x, b.ious[i]]))
    expect(c.gIoUDiff.value).toBeCloseTo(b.gIoU - a.gIoU, 12)
    expect(c.cIoUDiff.value).toBeCloseTo(b.cIoU - a.cIoU, 12)
    expect(c.gIoUDiff.lo).toBeLessThanOrEqual(c.gIoUDiff.value)
    expect(c.gIoUDiff.hi).toBeGreaterThanOrEqual(c.gIoUDiff.value)
    // A → B: 1→0.5 (−0.5), 1/3→1 (+2/3), 0→0.5 (+0.5), 0→0.5 (+0.5), 0.5→0.5 (=), 0.9→0 (−0.9)
    expect(c.regressions.map((r) => r.sampleId)).toEqual([fx.sampleIds[5], fx.sampleIds[0]])
    expect(c.improvements.map((r) => r.sampleId)).toEqual([fx.sampleIds[1], fx.sampleIds[2], fx.sampleIds[3]])
    expect([c.better, c.worse, c.same]).toEqual([3, 2, 1])
  })
})
