import { describe, expect, it } from 'vitest'
import { seededRng } from '../../../../../src/shared/domain/random'
import { segZeroV1GroundTruth, segZeroV1Score } from '../../../../../src/shared/domain/rewards/segZeroV1'
import { randomGt, randomV1Answer } from '../../../../fixtures/rolloutAnswers'
import { hasScipy, pythonRewards } from './pythonReference'

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

describe.skipIf(!hasScipy())('first-release reward against an independent Python implementation', () => {
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
