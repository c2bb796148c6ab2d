/**
 * Where the GRPO learning signal is, from stored rollout groups: zero-variance groups (every rollout the same
 * reward: advantage 0, nothing learned), mean reward and each term's pass rate, format failures, pass@k
 * (share of samples whose best of the first k rollouts reaches mask IoU ≥ t) with percentile-bootstrap CIs,
 * greedy vs best-of-K vs mean-of-K gIoU, reward vs IoU (Spearman ρ), the largest disagreements, and think
 * length by reward. Only complete groups count. Pure module.
 */
import { bootstrapMetrics, DEFAULT_BOOTSTRAP, quantileSorted, type Interval } from './bootstrap'
import { REWARD_MAX, REWARD_TERMS, type RewardKind } from './rewards/score'

export interface AnalysisRollout {
  idx: number
  reward: number
  terms: Record<string, number>
  /** Mask IoU; null when the rollout was not segmented. */
  iou: number | null
  formatOk: boolean
  thinkChars: number | null
  trainerReward: number | null
}

export interface AnalysisGroup {
  sampleId: number
  rollouts: AnalysisRollout[]
  /** IoU of the greedy answer for this sample, when known. */
  greedyIou: number | null
}

export interface Disagreement {
  sampleId: number
  idx: number
  reward: number
  iou: number
}

export interface RolloutAnalysis {
  reward: RewardKind
  groups: number
  rollouts: number
  k: number
  zeroVarianceGroups: number
  zeroVarianceShare: number
  meanReward: number
  /** Share of rollouts whose term reached its maximum. */
  termPassRates: { name: string; max: number; rate: number }[]
  formatFailureRate: number
  threshold: number
  passAtK: Array<Interval & { k: number }>
  gIoU: { greedy: (Interval & { n: number }) | null; bestOfK: Interval; meanOfK: Interval }
  spearman: number | null
  scatter: { sampleId: number; idx: number; reward: number; iou: number }[]
  /** High reward (normalised) with low IoU: reward hacking candidates; then the reverse. */
  highRewardLowIou: Disagreement[]
  lowRewardHighIou: Disagreement[]
  thinkLengthByReward: { reward: number; n: number; q1: number; median: number; q3: number }[]
  /** Imported rollouts whose trainer-logged reward differs from ours by more than 1e-6. */
  trainerDisagreements: { sampleId: number; idx: number; ours: number; trainer: number }[]
}

/** Mean of values in [0, 1] with the project's percentile bootstrap (a value is I/U with U = 1). */
export function meanInterval(values: readonly number[]): Interval {
  if (values.length === 0) return { value: 0, lo: 0, hi: 0 }
  return bootstrapMetrics({ intersection: values, union: values.map(() => 1) }, DEFAULT_BOOTSTRAP).gIoU
}

/** Ranks 1…n with ties given their average rank. */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0])
  const ranks = new Array<number>(xs.length)
  for (let i = 0; i < order.length;) {
    let j = i
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++
    const r = (i + j) / 2 + 1
    for (let t = i; t <= j; t++) ranks[order[t][1]] = r
    i = j + 1
  }
  return ranks
}

/** Spearman's ρ: Pearson correlation of average ranks (as scipy.stats.spearmanr); null when undefined. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 2) return null
  const rx = averageRanks(xs)
  const ry = averageRanks(ys)
  const n = xs.length
  const mx = rx.reduce((a, b) => a + b, 0) / n
  const my = ry.reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my)
    sxx += (rx[i] - mx) ** 2
    syy += (ry[i] - my) ** 2
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy)
}

export function analyzeRollouts(
  reward: RewardKind,
  groups: readonly AnalysisGroup[],
  opts: { threshold?: number; top?: number } = {},
): RolloutAnalysis {
  const threshold = opts.threshold ?? 0.5
  const top = opts.top ?? 10
  const max = REWARD_MAX[reward]
  const k = groups.reduce((m, g) => Math.max(m, g.rollouts.length), 0)
  const all = groups.flatMap((g) => g.rollouts.map((r) => ({ ...r, sampleId: g.sampleId })))
  const zero = groups.filter(
    (g) => g.rollouts.length > 0 && g.rollouts.every((r) => r.reward === g.rollouts[0].reward),
  ).length
  const terms = REWARD_TERMS[reward].map((t) => ({
    ...t,
    rate: all.length ? all.filter((r) => r.terms[t.name] === t.max).length / all.length : 0,
  }))
  const ious = (g: AnalysisGroup) => g.rollouts.map((r) => r.iou ?? 0)
  const passAtK = Array.from({ length: k }, (_, i) => ({
    k: i + 1,
    ...meanInterval(groups.map((g) => (Math.max(0, ...ious(g).slice(0, i + 1)) >= threshold ? 1 : 0))),
  }))
  const withGreedy = groups.filter((g) => g.greedyIou !== null)
  const scored = all.filter((r) => r.iou !== null) as Array<(typeof all)[number] & { iou: number }>
  const gap = (r: { reward: number; iou: number }) => r.reward / max - r.iou
  const dis = (r: (typeof scored)[number]): Disagreement => ({
    sampleId: r.sampleId,
    idx: r.idx,
    reward: r.reward,
    iou: r.iou,
  })
  const byReward = new Map<number, number[]>()
  for (const r of all) {
    if (r.thinkChars === null) continue
    const list = byReward.get(r.reward) ?? []
    list.push(r.thinkChars)
    byReward.set(r.reward, list)
  }
  return {
    reward,
    groups: groups.length,
    rollouts: all.length,
    k,
    zeroVarianceGroups: zero,
    zeroVarianceShare: groups.length ? zero / groups.length : 0,
    meanReward: all.length ? all.reduce((a, r) => a + r.reward, 0) / all.length : 0,
    termPassRates: terms,
    formatFailureRate: all.length ? all.filter((r) => !r.formatOk).length / all.length : 0,
    threshold,
    passAtK,
    gIoU: {
      greedy: withGreedy.length
        ? { ...meanInterval(withGreedy.map((g) => g.greedyIou as number)), n: withGreedy.length }
        : null,
      bestOfK: meanInterval(groups.map((g) => Math.max(0, ...ious(g)))),
      meanOfK: meanInterval(
        groups.map((g) => {
          const v = ious(g)
          return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0
        }),
      ),
    },
    spearman: spearman(
      scored.map((r) => r.reward),
      scored.map((r) => r.iou),
    ),
    scatter: scored.map((r) => ({ sampleId: r.sampleId, idx: r.idx, reward: r.reward, iou: r.iou })),
    highRewardLowIou: [...scored]
      .sort((a, b) => gap(b) - gap(a))
      .filter((r) => gap(r) > 0)
      .slice(0, top)
      .map(dis),
    lowRewardHighIou: [...scored]
      .sort((a, b) => gap(a) - gap(b))
      .filter((r) => gap(r) < 0)
      .slice(0, top)
      .map(dis),
    thinkLengthByReward: [...byReward.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([rw, lens]) => {
        const s = Float64Array.from(lens).sort()
        return {
          reward: rw,
          n: s.length,
          q1: quantileSorted(s, 0.25),
          median: quantileSorted(s, 0.5),
          q3: quantileSorted(s, 0.75),
        }
      }),
    trainerDisagreements: all
      .filter((r) => r.trainerReward !== null && Math.abs((r.trainerReward as number) - r.reward) > 1e-6)
      .map((r) => ({ sampleId: r.sampleId, idx: r.idx, ours: r.reward, trainer: r.trainerReward as number })),
  }
}
