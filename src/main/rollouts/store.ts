/**
 * The `rollout_groups` and `rollouts` tables: K scored answers per (run, sample). A group is complete once it
 * holds K answered rollouts; completing it computes the group's mean, std and every rollout's advantage.
 */
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { grpoAdvantages, type RewardKind } from '../../shared/domain/rewards/score'
import type { Db } from '../store/project'

export interface GroupRow {
  run_id: number
  sample_id: number
  k: number
  reward_kind: RewardKind
  gt_source: 'solution' | 'derived'
  gt_solution: string
  complete: number
  reward_mean: number | null
  reward_std: number | null
}

export interface RolloutRow {
  run_id: number
  sample_id: number
  idx: number
  raw_text: string | null
  error: string | null
  objects_json: string
  parse_error: string | null
  terms_json: string | null
  reward: number | null
  advantage: number | null
  format_ok: number | null
  think_chars: number | null
  mask_rle: string | null
  intersection: number | null
  union_px: number | null
  iou: number | null
  latency_ms: number | null
  prompt_tokens: number | null
  completion_tokens: number | null
  endpoint: string | null
  finish_reason: string | null
  trainer_reward: number | null
}

export interface NewRollout {
  runId: number
  sampleId: number
  idx: number
  rawText: string | null
  error: string | null
  objects: ObjectPrompt[]
  parseError: string | null
  terms: Record<string, number> | null
  reward: number | null
  formatOk: boolean | null
  thinkChars: number | null
  maskRle: string | null
  intersection: number | null
  union: number | null
  iou: number | null
  latencyMs: number | null
  promptTokens: number | null
  completionTokens: number | null
  endpoint: string | null
  finishReason: string | null
  trainerReward?: number | null
}

export function ensureGroup(
  db: Db,
  g: {
    runId: number
    sampleId: number
    k: number
    rewardKind: RewardKind
    gtSource: string
    gtSolution: string
  },
): void {
  db.prepare(
    `INSERT INTO rollout_groups (run_id, sample_id, k, reward_kind, gt_source, gt_solution)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, sample_id) DO NOTHING`,
  ).run(g.runId, g.sampleId, g.k, g.rewardKind, g.gtSource, g.gtSolution)
}

export function getGroup(db: Db, runId: number, sampleId: number): GroupRow | undefined {
  return db
    .prepare('SELECT * FROM rollout_groups WHERE run_id = ? AND sample_id = ?')
    .get(runId, sampleId) as GroupRow | undefined
}

export function listRollouts(db: Db, runId: number, sampleId: number): RolloutRow[] {
  return db
    .prepare('SELECT * FROM rollouts WHERE run_id = ? AND sample_id = ? ORDER BY idx')
    .all(runId, sampleId) as RolloutRow[]
}

export function putRollout(db: Db, r: NewRollout): void {
  db.prepare(
    `INSERT OR REPLACE INTO rollouts (run_id, sample_id, idx, raw_text, error, objects_json, parse_error,
       terms_json, reward, advantage, format_ok, think_chars, mask_rle, intersection, union_px, iou,
       latency_ms, prompt_tokens, completion_tokens, endpoint, finish_reason, trainer_reward)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.runId,
    r.sampleId,
    r.idx,
    r.rawText,
    r.error,
    JSON.stringify(r.objects.map((o) => ({ box: o.box ?? null, points: o.points }))),
    r.parseError,
    r.terms ? JSON.stringify(r.terms) : null,
    r.reward,
    r.formatOk === null ? null : r.formatOk ? 1 : 0,
    r.thinkChars,
    r.maskRle,
    r.intersection,
    r.union,
    r.iou,
    r.latencyMs,
    r.promptTokens,
    r.completionTokens,
    r.endpoint,
    r.finishReason,
    r.trainerReward ?? null,
  )
}

/**
 * Marks the group complete when it holds K answered rollouts (the first K by index) and stores the mean,
 * std and advantages; returns whether it is complete.
 */
export function finalizeGroup(db: Db, runId: number, sampleId: number): boolean {
  const group = getGroup(db, runId, sampleId)
  if (!group) return false
  const answered = listRollouts(db, runId, sampleId).filter((r) => r.error === null && r.reward !== null)
  if (answered.length < group.k) return false
  const used = answered.slice(0, group.k)
  const adv = grpoAdvantages(used.map((r) => r.reward as number))
  const setAdv = db.prepare(
    'UPDATE rollouts SET advantage = ? WHERE run_id = ? AND sample_id = ? AND idx = ?',
  )
  used.forEach((r, i) => setAdv.run(adv.advantages[i], runId, sampleId, r.idx))
  db.prepare(
    'UPDATE rollout_groups SET complete = 1, reward_mean = ?, reward_std = ? WHERE run_id = ? AND sample_id = ?',
  ).run(group.k === 1 ? (used[0].reward as number) : adv.mean, group.k === 1 ? 0 : adv.std, runId, sampleId)
  return true
}

export function listGroups(db: Db, runId: number): GroupRow[] {
  return db
    .prepare('SELECT * FROM rollout_groups WHERE run_id = ? ORDER BY sample_id')
    .all(runId) as GroupRow[]
}

export function allRollouts(db: Db, runId: number): RolloutRow[] {
  return db
    .prepare('SELECT * FROM rollouts WHERE run_id = ? ORDER BY sample_id, idx')
    .all(runId) as RolloutRow[]
}

/**
 * The rollouts a complete group is scored on, per sample: its first K answered ones (no error, a reward),
 * as finalizeGroup picks them. Incomplete groups are left out. `groups` defaults to the run's.
 */
export function completeGroupRollouts(
  db: Db,
  runId: number,
  groups: readonly GroupRow[] = listGroups(db, runId),
): Map<number, RolloutRow[]> {
  const k = new Map(groups.filter((g) => g.complete).map((g) => [g.sample_id, g.k]))
  const bySample = new Map<number, RolloutRow[]>()
  for (const r of allRollouts(db, runId)) {
    const max = k.get(r.sample_id)
    if (max === undefined || r.error !== null || r.reward === null) continue
    const list = bySample.get(r.sample_id) ?? []
    if (list.length < max) list.push(r)
    bySample.set(r.sample_id, list)
  }
  return bySample
}
