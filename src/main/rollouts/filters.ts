/**
 * Sample filters over a rollout run's complete groups, for the sample list. Kept apart from the browse
 * query: it returns sample ids, which the list intersects with its own filters.
 */
import type { RolloutFilter } from '../../shared/contract/rollouts'
import type { Db } from '../store/project'
import { completeGroupRollouts, type RolloutRow } from './store'

export function rolloutFilterSamples(db: Db, runId: number, filter: RolloutFilter, margin = 0.2): number[] {
  const out: number[] = []
  for (const [sampleId, rows] of completeGroupRollouts(db, runId)) {
    const iou = (r: RolloutRow) => r.iou ?? 0
    let keep: boolean
    if (filter === 'zero-variance') keep = rows.every((r) => r.reward === rows[0].reward)
    else if (filter === 'format-failure') keep = rows.some((r) => r.format_ok === 0)
    else if (filter === 'best-of-k-gain') keep = Math.max(...rows.map(iou)) - iou(rows[0]) >= margin
    else {
      // The reward's favourite is clearly worse, in IoU, than the best rollout.
      const top = rows.reduce((b, r) => ((r.reward as number) > (b.reward as number) ? r : b))
      keep = Math.max(...rows.map(iou)) - iou(top) >= margin
    }
    if (keep) out.push(sampleId)
  }
  return out.sort((a, b) => a - b)
}
