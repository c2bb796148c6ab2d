import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { seededRng } from '../../../../src/shared/domain/random'
import { analyzeRollouts, spearman, type AnalysisGroup } from '../../../../src/shared/domain/rolloutAnalysis'
import { hasScipy } from './rewards/pythonReference'

const r = (
  idx: number,
  reward: number,
  iou: number | null,
  formatOk = true,
  thinkChars: number | null = 10,
) => ({
  idx,
  reward,
  iou,
  formatOk,
  thinkChars,
  trainerReward: null,
  terms: {
    thinkingFormat: formatOk ? 1 : 0,
    segmentationFormat: 2,
    accuracy: reward > 5 ? 3 : 0,
    nonRepeat: 1,
  },
})

describe('analyzeRollouts', () => {
  // Sample 1: rewards all 7 (zero variance), IoUs 0.2, 0.9. Sample 2: rewards 1 and 7, IoUs 0.6 and 0.1.
  const groups: AnalysisGroup[] = [
    { sampleId: 1, rollouts: [r(0, 7, 0.2), r(1, 7, 0.9)], greedyIou: 0.3 },
    { sampleId: 2, rollouts: [r(0, 1, 0.6, false, 40), r(1, 7, 0.1)], greedyIou: null },
  ]
  const a = analyzeRollouts('visionreasoner', groups, { threshold: 0.5 })

  it('counts zero-variance groups, pass rates and format failures', () => {
    expect(a).toMatchObject({ groups: 2, rollouts: 4, k: 2, zeroVarianceGroups: 1, zeroVarianceShare: 0.5 })
    expect(a.meanReward).toBe(22 / 4)
    expect(a.formatFailureRate).toBe(0.25)
    expect(a.termPassRates.find((t) => t.name === 'accuracy')?.rate).toBe(0.75)
  })

  it('computes pass@k on the best of the first k rollouts, and greedy / best / mean gIoU', () => {
    // k=1: sample 1 0.2 (no), sample 2 0.6 (yes) → 0.5; k=2: 0.9 yes, 0.6 yes → 1.
    expect(a.passAtK.map((p) => p.value)).toEqual([0.5, 1])
    expect(a.passAtK[1]).toMatchObject({ lo: 1, hi: 1 })
    expect(a.gIoU.bestOfK.value).toBeCloseTo((0.9 + 0.6) / 2, 12)
    expect(a.gIoU.meanOfK.value).toBeCloseTo((0.55 + 0.35) / 2, 12)
    expect(a.gIoU.greedy).toMatchObject({ value: 0.3, n: 1 })
  })

  it('lists high-reward low-IoU rollouts first by the gap reward/7 − IoU', () => {
    // Gaps: 0.8, 0.1, 1/7-0.6 < 0, 0.9 → sample 2 rollout 1, then sample 1 rollout 0.
    expect(a.highRewardLowIou.map((d) => [d.sampleId, d.idx])).toEqual([
      [2, 1],
      [1, 0],
      [1, 1],
    ])
    expect(a.lowRewardHighIou.map((d) => [d.sampleId, d.idx])).toEqual([[2, 0]])
    expect(a.thinkLengthByReward).toEqual([
      { reward: 1, n: 1, q1: 40, median: 40, q3: 40 },
      { reward: 7, n: 3, q1: 10, median: 10, q3: 10 },
    ])
  })
})

describe.skipIf(!hasScipy())('spearman against scipy.stats.spearmanr', () => {
  it('agrees on 20 random vectors with ties', () => {
    const rng = seededRng(3)
    const cases = Array.from({ length: 20 }, () => {
      const n = 5 + Math.floor(rng() * 40)
      return {
        x: Array.from({ length: n }, () => Math.floor(rng() * 8)),
        y: Array.from({ length: n }, () => Math.round(rng() * 100) / 100),
      }
    })
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, json\nfrom scipy.stats import spearmanr\nfor c in json.loads(sys.stdin.read()):\n  print(json.dumps(float(spearmanr(c["x"], c["y"]).statistic)))',
      ],
      { input: JSON.stringify(cases) },
    )
      .toString()
      .trim()
      .split('\n')
      .map(Number)
    cases.forEach((c, i) => expect(spearman(c.x, c.y)).toBeCloseTo(out[i], 12))
  })
})
