/**
 * One entry point for scoring a rollout with either Seg-Zero reward, and verl's GRPO group advantage
 * (`verl/trainer/core_algos.py`, `compute_grpo_outcome_advantage`): per group, mean and unbiased std
 * (`torch.std`), advantage = (reward − mean) / (std + 1e-6); a group of one gets mean 0 and std 1.
 * (verl computes in float32; this is float64, so advantages can differ from a trainer log in the 7th digit.)
 * Pure module.
 */
import type { DerivedGt } from './groundTruth'
import { segZeroV1GroundTruth, segZeroV1Score } from './segZeroV1'
import { visionReasonerScore } from './visionReasoner'

export const REWARD_KINDS = ['visionreasoner', 'segzero-v1'] as const
export type RewardKind = (typeof REWARD_KINDS)[number]

/** Largest total each reward can give. */
export const REWARD_MAX: Record<RewardKind, number> = { visionreasoner: 7, 'segzero-v1': 5 }

/** Term names in display order, with the most each can give. */
export const REWARD_TERMS: Record<RewardKind, ReadonlyArray<{ name: string; max: number }>> = {
  visionreasoner: [
    { name: 'thinkingFormat', max: 1 },
    { name: 'segmentationFormat', max: 2 },
    { name: 'accuracy', max: 3 },
    { name: 'nonRepeat', max: 1 },
  ],
  'segzero-v1': [
    { name: 'thinkingFormat', max: 1 },
    { name: 'segmentationFormat', max: 1 },
    { name: 'iou', max: 1 },
    { name: 'pointL1', max: 1 },
    { name: 'boxL1', max: 1 },
  ],
}

export const GRPO_EPSILON = 1e-6

export interface RolloutScore {
  terms: Record<string, number>
  total: number
  /** The thinking-format term passed (the whole answer is `<think>…</think><answer>…</answer>`). */
  formatOk: boolean
}

/**
 * The ground-truth string a reward reads. VisionReasoner reads the solution JSON. The first release reads
 * `<box>…</box><points>…</points>`: a solution already in that form is used as is; otherwise it is built from
 * the first object (derived GT: the notebook's two representative points; a JSON solution: its one point twice).
 */
export function groundTruthString(kind: RewardKind, gt: DerivedGt): string {
  if (kind === 'visionreasoner') return gt.solution
  if (gt.solution.includes('<box>')) return gt.solution
  const first = gt.objects[0]
  if (!first) return ''
  return segZeroV1GroundTruth(first.bbox_2d, [first.point_2d, gt.secondPoint ?? first.point_2d])
}

export function scoreRollout(kind: RewardKind, text: string, groundTruth: string): RolloutScore {
  if (kind === 'visionreasoner') {
    const s = visionReasonerScore(text, groundTruth)
    const { total, ...terms } = s
    return { terms, total, formatOk: s.thinkingFormat === 1 }
  }
  const s = segZeroV1Score(text, groundTruth)
  const { total, ...terms } = s
  return { terms, total, formatOk: s.thinkingFormat === 1 }
}

export interface GroupAdvantage {
  mean: number
  /** Unbiased standard deviation; 1 for a group of one, as verl sets it. */
  std: number
  advantages: number[]
}

export function grpoAdvantages(rewards: readonly number[]): GroupAdvantage {
  const n = rewards.length
  if (n === 0) return { mean: 0, std: 1, advantages: [] }
  if (n === 1) return { mean: 0, std: 1, advantages: [rewards[0] / (1 + GRPO_EPSILON)] }
  let sum = 0
  for (const r of rewards) sum += r
  const mean = sum / n
  let ss = 0
  for (const r of rewards) ss += (r - mean) ** 2
  const std = Math.sqrt(ss / (n - 1))
  return { mean, std, advantages: rewards.map((r) => (r - mean) / (std + GRPO_EPSILON)) }
}

/** Characters of the first `<think>…</think>` (null without one): the think-length the analysis plots. */
export function thinkLength(text: string): number | null {
  const m = /<think>([\s\S]*?)<\/think>/.exec(text)
  return m ? m[1].length : null
}
