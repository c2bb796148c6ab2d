/**
 * Rollout analysis of a stored run (complete groups only) and its HTML report section. The greedy IoU of a
 * sample is its prediction in the run's parent run (the run the rollouts were asked from, usually the
 * greedy evaluation) or, when the run picked its prediction greedily, its own prediction.
 */
import { barChartCi, escapeXml as h, scatterChart } from '../../shared/charts/svg'
import {
  analyzeRollouts,
  type AnalysisGroup,
  type RolloutAnalysis,
} from '../../shared/domain/rolloutAnalysis'
import { REWARD_MAX, type RewardKind } from '../../shared/domain/rewards/score'
import { renderThumbnail } from '../reports/thumbnails'
import type { Db, Project } from '../store/project'
import { getRun } from '../store/runs'
import type { RolloutRunMeta } from './runner'
import { completeGroupRollouts, listGroups } from './store'

export interface StoredRolloutAnalysis extends RolloutAnalysis {
  runId: number
  runName: string
  /** Groups whose GT was derived from the mask (Seg-Zero's data preparation), not a `solution` column. */
  derivedGtGroups: number
  incompleteGroups: number
  greedySource: string | null
}

export function hasRollouts(db: Db, runId: number): boolean {
  return db.prepare('SELECT 1 FROM rollout_groups WHERE run_id = ? LIMIT 1').get(runId) !== undefined
}

export function analyzeStoredRollouts(
  db: Db,
  runId: number,
  opts: { threshold?: number; top?: number } = {},
): StoredRolloutAnalysis {
  const run = getRun(db, runId)
  if (!run) throw new Error(`no run ${runId}`)
  const groups = listGroups(db, runId)
  if (groups.length === 0) throw new Error(`run '${run.name}' has no rollouts`)
  const reward = groups[0].reward_kind as RewardKind
  const meta = run.meta_json ? (JSON.parse(run.meta_json) as Partial<RolloutRunMeta>) : {}
  let greedyRun: number | null = null
  let greedySource: string | null = null
  if (meta.rollouts?.pick === 'greedy') {
    greedyRun = runId
    greedySource = `greedy answers of '${run.name}'`
  } else if (run.parent_run_id !== null) {
    const parent = getRun(db, run.parent_run_id)
    if (parent) {
      greedyRun = parent.id
      greedySource = `predictions of the parent run '${parent.name}'`
    }
  }
  const greedy = new Map<number, number>()
  if (greedyRun !== null) {
    for (const r of db.prepare('SELECT sample_id, iou FROM predictions WHERE run_id = ?').all(greedyRun) as {
      sample_id: number
      iou: number
    }[])
      greedy.set(r.sample_id, r.iou)
  }
  const analysed: AnalysisGroup[] = []
  for (const [sampleId, rows] of completeGroupRollouts(db, runId, groups)) {
    analysed.push({
      sampleId,
      rollouts: rows.map((r) => ({
        idx: r.idx,
        reward: r.reward as number,
        terms: r.terms_json ? (JSON.parse(r.terms_json) as Record<string, number>) : {},
        iou: r.iou,
        formatOk: r.format_ok === 1,
        thinkChars: r.think_chars,
        trainerReward: r.trainer_reward,
      })),
      greedyIou: greedy.get(sampleId) ?? null,
    })
  }
  const a = analyzeRollouts(reward, analysed, opts)
  return {
    ...a,
    runId,
    runName: run.name,
    derivedGtGroups: groups.filter((g) => g.gt_source === 'derived').length,
    incompleteGroups: groups.filter((g) => !g.complete).length,
    greedySource,
  }
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`
const f3 = (v: number) => v.toFixed(3)

/** The report section: headline numbers, pass@k and gIoU bars with CIs, reward-vs-IoU scatter, tables. */
export function rolloutSection(a: StoredRolloutAnalysis, thumbs: Map<string, string> = new Map()): string {
  const max = REWARD_MAX[a.reward]
  const ci = (i: { value: number; lo: number; hi: number }) => `${f3(i.value)} [${f3(i.lo)}, ${f3(i.hi)}]`
  const gtNote = a.derivedGtGroups
    ? `<p class="sub">Rewards computed against <b>derived GT prompts</b> (box and point from the mask as Seg-Zero's data preparation does) for ${a.derivedGtGroups} of ${a.groups + a.incompleteGroups} samples.</p>`
    : ''
  const passBars = a.passAtK.map((p) => ({
    key: `k${p.k}`,
    label: `k=${p.k}`,
    value: p.value,
    lo: p.lo,
    hi: p.hi,
    n: a.groups,
  }))
  const giouBars = [
    ...(a.gIoU.greedy ? [{ key: 'greedy', label: 'greedy', ...a.gIoU.greedy }] : []),
    { key: 'best', label: `best of ${a.k}`, ...a.gIoU.bestOfK, n: a.groups },
    { key: 'mean', label: `mean of ${a.k}`, ...a.gIoU.meanOfK, n: a.groups },
  ]
  const disRow = (d: { sampleId: number; idx: number; reward: number; iou: number }) => {
    const src = thumbs.get(`${d.sampleId}:${d.idx}`)
    return (
      `<tr data-sample="${d.sampleId}"><td>${src ? `<img alt="" src="${src}" style="max-width:120px">` : ''}</td>` +
      `<td>${d.sampleId}</td><td>${d.idx}</td><td>${d.reward.toFixed(3)}</td><td>${f3(d.iou)}</td></tr>`
    )
  }
  const disTable = (title: string, rows: typeof a.highRewardLowIou) =>
    `<h3>${h(title)}</h3><table><tr><th></th><th>sample</th><th>rollout</th><th>reward</th><th>IoU</th></tr>${rows.map(disRow).join('')}</table>`
  return (
    `<section class="page" id="rollouts"><h2>GRPO rollouts (${h(a.reward)} reward, K = ${a.k})</h2>${gtNote}` +
    `<table><tr><th>groups</th><td>${a.groups}${a.incompleteGroups ? ` (+${a.incompleteGroups} incomplete)` : ''}</td></tr>` +
    `<tr><th>zero-variance groups (no learning signal)</th><td>${a.zeroVarianceGroups} (${pct(a.zeroVarianceShare)})</td></tr>` +
    `<tr><th>mean reward</th><td>${a.meanReward.toFixed(3)} of ${max}</td></tr>` +
    a.termPassRates.map((t) => `<tr><th>${h(t.name)} = ${t.max}</th><td>${pct(t.rate)}</td></tr>`).join('') +
    `<tr><th>format failures</th><td>${pct(a.formatFailureRate)}</td></tr>` +
    `<tr><th>Spearman ρ (reward, IoU)</th><td>${a.spearman === null ? '—' : a.spearman.toFixed(3)}</td></tr>` +
    `<tr><th>gIoU</th><td>${a.gIoU.greedy ? `greedy ${ci(a.gIoU.greedy)} · ` : ''}best of ${a.k} ${ci(a.gIoU.bestOfK)} · mean of ${a.k} ${ci(a.gIoU.meanOfK)}</td></tr></table>` +
    (a.greedySource ? `<p class="sub">Greedy: ${h(a.greedySource)}.</p>` : '') +
    '<div class="charts">' +
    barChartCi({
      title: `pass@k: best of the first k rollouts has IoU ≥ ${a.threshold}`,
      bars: passBars,
      yLabel: 'share of samples',
    }) +
    barChartCi({ title: 'gIoU: greedy vs best-of-K vs mean-of-K', bars: giouBars, yLabel: 'gIoU' }) +
    scatterChart({
      title: 'reward vs mask IoU, one point per rollout',
      points: a.scatter.map((p) => ({ id: p.sampleId, x: p.reward / max, y: p.iou })),
      xLabel: `reward / ${max}`,
      yLabel: 'IoU',
    }) +
    '</div>' +
    disTable('High reward, low IoU (reward hacking candidates)', a.highRewardLowIou) +
    disTable('Low reward, high IoU', a.lowRewardHighIou) +
    '<h3>Think length (characters) by reward</h3><table><tr><th>reward</th><th>n</th><th>q1</th><th>median</th><th>q3</th></tr>' +
    a.thinkLengthByReward
      .map(
        (t) =>
          `<tr><td>${t.reward.toFixed(3)}</td><td>${t.n}</td><td>${t.q1.toFixed(0)}</td><td>${t.median.toFixed(0)}</td><td>${t.q3.toFixed(0)}</td></tr>`,
      )
      .join('') +
    '</table>' +
    (a.trainerDisagreements.length
      ? `<h3>Rewards the trainer logged that differ from ours (${a.trainerDisagreements.length})</h3><table><tr><th>sample</th><th>rollout</th><th>ours</th><th>trainer</th></tr>` +
        a.trainerDisagreements
          .slice(0, 50)
          .map(
            (d) =>
              `<tr><td>${d.sampleId}</td><td>${d.idx}</td><td>${d.ours.toFixed(4)}</td><td>${d.trainer.toFixed(4)}</td></tr>`,
          )
          .join('') +
        '</table>'
      : '') +
    '</section>'
  )
}

/** The section for the run's HTML/PDF report, thumbnails of the disagreements included; '' without rollouts. */
export async function rolloutReportSection(project: Project, runId: number): Promise<string> {
  if (!hasRollouts(project.db, runId)) return ''
  const a = analyzeStoredRollouts(project.db, runId)
  const thumbs = new Map<string, string>()
  const row = project.db.prepare(
    `SELECT s.media_hash, s.width, s.height, s.gt_rle, r.mask_rle FROM rollouts r JOIN samples s ON s.id = r.sample_id
     WHERE r.run_id = ? AND r.sample_id = ? AND r.idx = ?`,
  )
  for (const d of [...a.highRewardLowIou, ...a.lowRewardHighIou]) {
    const s = row.get(runId, d.sampleId, d.idx) as
      | { media_hash: string; width: number; height: number; gt_rle: string; mask_rle: string | null }
      | undefined
    if (s) thumbs.set(`${d.sampleId}:${d.idx}`, await renderThumbnail(project, s, s.mask_rle))
  }
  return rolloutSection(a, thumbs)
}
