import { describe, expect, it } from 'vitest'
import { visionReasonerScore } from '../../../../../src/shared/domain/rewards/visionReasoner'
import { answerCorpus, gtSolution } from '../../../../fixtures/rolloutAnswers'
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
})
