import { describe, expect, it } from 'vitest'
import { seededRng } from '../../../../../src/shared/domain/random'
import { segZeroV1GroundTruth, segZeroV1Score } from '../../../../../src/shared/domain/rewards/segZeroV1'
import { visionReasonerScore } from '../../../../../src/shared/domain/rewards/visionReasoner'
import { answerCorpus, gtSolution, randomGt, randomV1Answer } from '../../../../fixtures/rolloutAnswers'
import { hasScipy, pythonRewards } from './pythonReference'

describe('visionReasonerScore by hand', () => {
  const gt = '[{"bbox_2d": [100, 100, 199, 199], "point_2d": [150, 150]}]'

  it('gives 7 to a perfect answer', () => {
    const p =
      '<think>It is the box.</think> <answer>[{"bbox_2d": [100, 100, 199, 199], "point_2d": [150, 150]}]</answer>'
    expect(visionReasonerScore(p, gt)).toEqual({
      thinkingFormat: 1,
      segmentationFormat: 2,
      accuracy: 3,
      nonRepeat: 1,
      total: 7,
    })
  })

  it('divides the matched hits by max(#pred, #gt) and keeps per-item format credit', () => {
    // Second object has no point: format 1/2 + 2/2... each item's credit / 2 items = (2 + 1) / 2.
    const p =
      '<think>x</think><answer>[{"bbox_2d": [100, 100, 199, 199], "point_2d": [150, 150]}, {"bbox_2d": [0, 0, 5, 5]}]</answer>'
    const s = visionReasonerScore(p, gt)
    expect(s.segmentationFormat).toBe(1.5)
    // The accuracy comprehension raises KeyError on the item without point_2d: 0.
    expect(s.accuracy).toBe(0)
    const p2 =
      '<think>x</think><answer>[{"bbox_2d": [100, 100, 199, 199], "point_2d": [150, 150]}, {"bbox_2d": [0, 0, 5, 5], "point_2d": [1, 1]}]</answer>'
    expect(visionReasonerScore(p2, gt).accuracy).toBe(1.5)
  })

  it('keeps the format credit earned before an item that raises', () => {
    const p =
      '<think>x</think><answer>[{"bbox_2d": [1, 2, 3, 4], "point_2d": [1, 2]}, 5, {"bbox_2d": [1, 2, 3, 4]}]</answer>'
    expect(visionReasonerScore(p, gt).segmentationFormat).toBeCloseTo(2 / 3, 15)
  })

  it('requires the point inside its own box and uses inclusive corners', () => {
    // Box 100..149 vs 100..199 inclusive: 50*100 / (100*100) = 0.5, not > 0.5.
    const p = '<think>x</think><answer>[{"bbox_2d": [100, 100, 149, 199], "point_2d": [150, 150]}]</answer>'
    const s = visionReasonerScore(p, gt)
    // IoU 0.5 is no hit; L1 = 50/4 = 12.5 no hit; the point lies outside its own box: no hit.
    expect(s.accuracy).toBe(0)
  })

  it('zeroes non-repeat at the second repeated sentence', () => {
    expect(visionReasonerScore('a. b. a. c', gt).nonRepeat).toBe(1)
    expect(visionReasonerScore('a. b. a. b', gt).nonRepeat).toBe(0)
    expect(visionReasonerScore('a. a. a', gt).nonRepeat).toBe(0)
  })

  it('accepts NaN and Infinity as json.loads does and matches \\s as Python does', () => {
    expect(
      visionReasonerScore('<answer>[{"bbox_2d": [NaN, 1, 2, 3], "point_2d": [1, 2]}]</answer>', gt)
        .segmentationFormat,
    ).toBe(2)
    // U+001C is whitespace for Python's \s, U+FEFF is not.
    expect(visionReasonerScore('<think>a</think>\x1c<answer>[]</answer>', gt).thinkingFormat).toBe(1)
    expect(visionReasonerScore('<think>a</think>\ufeff<answer>[]</answer>', gt).thinkingFormat).toBe(0)
  })
})

describe('segZeroV1Score by hand', () => {
  const gt = segZeroV1GroundTruth(
    [100, 100, 199, 199],
    [
      [120, 120],
      [180, 180],
    ],
  )
  it('gives 5 to a perfect answer and reads points keys in plural only', () => {
    const p =
      '<think>x</think><answer>{"bbox": [100, 100, 199, 199], "points_1": [120, 120], "points_2": [180, 180]}</answer>'
    expect(segZeroV1Score(p, gt).total).toBe(5)
    const q =
      '<think>x</think><answer>{"bbox": [100, 100, 199, 199], "point_1": [120, 120], "point_2": [180, 180]}</answer>'
    expect(segZeroV1Score(q, gt)).toMatchObject({ segmentationFormat: 1, pointL1: 0, total: 4 })
  })
  it('counts an overlap only when strictly positive and lets any length-4 value pass the format', () => {
    // Overlap of a single column x = 199: VisionReasoner's IoU counts it, the first release's does not.
    const p = '{"bbox": "abcd", "points_1": "12", "points_2": [1, 2]}'
    expect(segZeroV1Score(p, gt)).toMatchObject({ segmentationFormat: 1, iou: 0, boxL1: 0 })
  })
})

describe.skipIf(!hasScipy())('rewards against an independent Python implementation', () => {
  it('VisionReasoner: every term identical on 1500 generated answers', () => {
    const corpus = answerCorpus(20261128, 1500)
    const cases = corpus.map((c) => ({ kind: 'vr' as const, p: c.predict, g: gtSolution(c.gt) }))
    const py = pythonRewards(cases)
    const mismatches: string[] = []
    const seen = { formatFail: 0, partial: 0, accHits: 0, repeat: 0, over120: 0 }
    cases.forEach((c, i) => {
      const s = visionReasonerScore(c.p, c.g)
      const ours = [s.thinkingFormat, s.segmentationFormat, s.accuracy, s.nonRepeat, s.total]
      if (ours.some((v, k) => v !== py[i][k])) mismatches.push(`${JSON.stringify(c.p)}: ${ours} vs ${py[i]}`)
      if (s.thinkingFormat === 0) seen.formatFail++
      if (s.segmentationFormat > 0 && s.segmentationFormat < 2) seen.partial++
      if (s.accuracy > 0) seen.accHits++
      if (s.nonRepeat === 0) seen.repeat++
      if (c.p.split('bbox_2d').length > 121) seen.over120++
    })
    expect(mismatches.slice(0, 5)).toEqual([])
    // The corpus exercises every branch, not just the easy ones.
    expect(seen.formatFail).toBeGreaterThan(100)
    expect(seen.partial).toBeGreaterThan(30)
    expect(seen.accHits).toBeGreaterThan(100)
    expect(seen.repeat).toBeGreaterThan(50)
    expect(seen.over120).toBeGreaterThan(3)
  })

  it('first release: every term identical on 800 generated answers', () => {
    const rng = seededRng(77)
    const cases = Array.from({ length: 800 }, () => {
      const gt = randomGt(rng)
      const second = gt.points[0].map((v) => Math.min(839, v + Math.floor(rng() * 30)))
      return {
        kind: 'v1' as const,
        p: randomV1Answer(rng, gt, second),
        g: segZeroV1GroundTruth(gt.boxes[0], [gt.points[0], second]),
      }
    })
    const py = pythonRewards(cases)
    const mismatches: string[] = []
    const hits = [0, 0, 0, 0, 0]
    cases.forEach((c, i) => {
      const s = segZeroV1Score(c.p, c.g)
      const ours = [s.thinkingFormat, s.segmentationFormat, s.iou, s.pointL1, s.boxL1, s.total]
      if (ours.some((v, k) => v !== py[i][k])) mismatches.push(`${JSON.stringify(c.p)}: ${ours} vs ${py[i]}`)
      ours.slice(0, 5).forEach((v, k) => (hits[k] += v))
    })
    expect(mismatches.slice(0, 5)).toEqual([])
    for (const h of hits) expect(h).toBeGreaterThan(20)
    for (const h of hits) expect(h).toBeLessThan(760)
  })
})
