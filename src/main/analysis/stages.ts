/**
 * Stage attribution: per sample, compare the run's IoU with the oracle run's (same model, prompted from
 * the GT) and label the failure —
 *   success       run IoU ≥ successIou
 *   localization  run IoU low, oracle IoU ≥ oracleIou: the segmenter could do it, the reasoning/localization
 *                 step pointed it at the wrong place ("reasoning/localization failure")
 *   segmentation  run IoU low and oracle IoU low too: even a perfect box does not give a good mask.
 * Also the IoU of the run's predicted boxes with the GT box (best over the predicted objects).
 * The oracle run comes from the engine's batch mode (`segmentRun` with gt-box prompts), which segments
 * the samples the run has predictions for; samples without an oracle result are counted as unattributed.
 * Results are stored (stage_attribution, stage_labels) so reports and the browser can show them.
 */
import { resultIou } from '../../shared/domain/breakdowns'
import { fromCoco, toBbox } from '../../shared/domain/rle'
import { boxIou } from '../../shared/domain/rlePieces'
import { ORIGINAL_GT, type GtOptions } from '../metrics/runMetrics'
import { flaggedSampleIds } from '../store/groundTruth'
import type { Db } from '../store/project'
import { refreshProposals } from '../suggest/proposals'
import { loadResults, requireRun } from './results'

export type StageLabel = 'success' | 'localization' | 'segmentation'

export const STAGE_LABELS: readonly { id: StageLabel; label: string; tag: string; color: string }[] = [
  { id: 'success', label: 'success', tag: 'stage: success', color: '#2e9e5b' },
  {
    id: 'localization',
    label: 'reasoning / localization failure',
    tag: 'stage: localization failure',
    color: '#d8733b',
  },
  { id: 'segmentation', label: 'segmentation failure', tag: 'stage: segmentation failure', color: '#c0392b' },
]

export interface StageThresholds {
  successIou: number
  oracleIou: number
}

export const DEFAULT_STAGE_THRESHOLDS: StageThresholds = { successIou: 0.5, oracleIou: 0.5 }

export function classifyStage(runIou: number, oracleIou: number, t: StageThresholds): StageLabel {
  if (runIou >= t.successIou) return 'success'
  return oracleIou >= t.oracleIou ? 'localization' : 'segmentation'
}

/**
 * Best IoU of the predicted objects' boxes with the GT's tight box [x, y, x + w, y + h] (outer pixel
 * edges, as the oracle prompts use); 0 when the run answered no object, null when it stored no prompts.
 */
export function predictedBoxIou(
  promptsJson: string | null,
  gtRle: string,
  height: number,
  width: number,
): number | null {
  if (!promptsJson) return null
  const prompts = JSON.parse(promptsJson) as { box?: number[] | null }[]
  const boxes = prompts.map((p) => p.box).filter((b): b is number[] => Array.isArray(b) && b.length === 4)
  if (boxes.length === 0) return prompts.length === 0 ? 0 : null
  const [x, y, w, h] = toBbox(fromCoco({ size: [height, width], counts: gtRle }))
  if (w === 0 || h === 0) return 0
  const gt = [x, y, x + w, y + h]
  return Math.max(...boxes.map((b) => boxIou(b, gt)))
}

export interface StageSummaryRow {
  label: StageLabel
  name: string
  n: number
  share: number
  meanRunIou: number
  meanOracleIou: number
  meanBoxIou: number | null
}

export interface StageAttribution {
  runId: number
  oracleRunId: number
  oracleRunName: string
  thresholds: StageThresholds
  /** The ground truth both runs were scored against. */
  gt: GtOptions
  /** Samples labelled. */
  n: number
  /** Dataset samples without an oracle result (the oracle segments only the samples the run answered). */
  unattributed: number
  summary: StageSummaryRow[]
  samples: {
    sampleId: number
    label: StageLabel
    runIou: number
    oracleIou: number
    bboxIou: number | null
  }[]
}

/** Computes the labels from the stored run and oracle run, replaces the stored attribution, returns it. */
export function attributeStages(
  db: Db,
  runId: number,
  oracleRunId: number,
  thresholds: StageThresholds = DEFAULT_STAGE_THRESHOLDS,
  gt: GtOptions = ORIGINAL_GT,
): StageAttribution {
  const run = requireRun(db, runId)
  const oracle = requireRun(db, oracleRunId)
  if (run.dataset_id !== oracle.dataset_id) {
    throw new Error(`oracle run '${oracle.name}' is on another dataset than run '${run.name}'`)
  }
  if (run.id === oracle.id) throw new Error('the oracle run must differ from the run under study')
  const runRes = loadResults(db, run.id, gt)
  const oracleRes = loadResults(db, oracle.id, gt)
  // The predicted-box IoU is against the GT box of the chosen version (the corrected union if revised).
  const extra = db.prepare(
    `SELECT COALESCE(CASE WHEN ? = 1 THEN (SELECT r.mask_rle FROM gt_revisions r
              WHERE r.sample_id = s.id AND r.revised = 1) END, s.gt_rle) AS gt_rle,
            s.width, s.height, p.prompts_json FROM samples s
     LEFT JOIN predictions p ON p.sample_id = s.id AND p.run_id = ? WHERE s.id = ?`,
  )
  const samples = runRes.flatMap((r, i) => {
    if (!oracleRes[i].predicted) return []
    const e = extra.get(gt.gt === 'corrected' ? 1 : 0, run.id, r.sampleId) as {
      gt_rle: string
      width: number
      height: number
      prompts_json: string | null
    }
    const runIou = resultIou(r)
    const oracleIou = resultIou(oracleRes[i])
    return {
      sampleId: r.sampleId,
      label: classifyStage(runIou, oracleIou, thresholds),
      runIou,
      oracleIou,
      bboxIou: predictedBoxIou(e.prompts_json, e.gt_rle, e.height, e.width),
    }
  })
  db.transaction(() => {
    db.prepare('DELETE FROM stage_labels WHERE run_id = ?').run(run.id)
    db.prepare(
      `INSERT OR REPLACE INTO stage_attribution (run_id, oracle_run_id, success_iou, oracle_iou, gt, exclude_flagged)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(run.id, oracle.id, thresholds.successIou, thresholds.oracleIou, gt.gt, gt.excludeFlagged ? 1 : 0)
    const ins = db.prepare(
      'INSERT INTO stage_labels (run_id, sample_id, label, run_iou, oracle_iou, bbox_iou) VALUES (?, ?, ?, ?, ?, ?)',
    )
    for (const s of samples) ins.run(run.id, s.sampleId, s.label, s.runIou, s.oracleIou, s.bboxIou)
  })()
  refreshProposals(db, run.id) // new oracle IoUs are evidence for the suggested failure tags
  return build(run.id, oracle.id, oracle.name, thresholds, gt, samples, runRes.length)
}

/** The stored attribution of a run, or null when none was computed. */
export function getStageAttribution(db: Db, runId: number): StageAttribution | null {
  const head = db
    .prepare(
      `SELECT a.oracle_run_id, a.success_iou, a.oracle_iou, a.gt, a.exclude_flagged, r.name FROM stage_attribution a
       JOIN runs r ON r.id = a.oracle_run_id WHERE a.run_id = ?`,
    )
    .get(runId) as
    | {
        oracle_run_id: number
        success_iou: number
        oracle_iou: number
        gt: 'original' | 'corrected'
        exclude_flagged: number
        name: string
      }
    | undefined
  if (!head) return null
  const rows = db
    .prepare(
      'SELECT sample_id, label, run_iou, oracle_iou, bbox_iou FROM stage_labels WHERE run_id = ? ORDER BY sample_id',
    )
    .all(runId) as {
    sample_id: number
    label: StageLabel
    run_iou: number
    oracle_iou: number
    bbox_iou: number | null
  }[]
  return build(
    runId,
    head.oracle_run_id,
    head.name,
    { successIou: head.success_iou, oracleIou: head.oracle_iou },
    { gt: head.gt, excludeFlagged: head.exclude_flagged === 1 },
    rows.map((r) => ({
      sampleId: r.sample_id,
      label: r.label,
      runIou: r.run_iou,
      oracleIou: r.oracle_iou,
      bboxIou: r.bbox_iou,
    })),
    datasetSize(db, runId, head.exclude_flagged === 1),
  )
}

/** Samples of the run's dataset, less the flagged ones when they were excluded. */
function datasetSize(db: Db, runId: number, excludeFlagged: boolean): number {
  const datasetId = db.prepare('SELECT dataset_id FROM runs WHERE id = ?').pluck().get(runId) as number
  const n = db.prepare('SELECT COUNT(*) FROM samples WHERE dataset_id = ?').pluck().get(datasetId) as number
  return excludeFlagged ? n - flaggedSampleIds(db, datasetId).size : n
}

function build(
  runId: number,
  oracleRunId: number,
  oracleRunName: string,
  thresholds: StageThresholds,
  gt: GtOptions,
  samples: StageAttribution['samples'],
  datasetSamples: number,
): StageAttribution {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0)
  const summary = STAGE_LABELS.map(({ id, label }) => {
    const g = samples.filter((s) => s.label === id)
    const boxes = g.map((s) => s.bboxIou).filter((b): b is number => b != null)
    return {
      label: id,
      name: label,
      n: g.length,
      share: samples.length ? g.length / samples.length : 0,
      meanRunIou: mean(g.map((s) => s.runIou)),
      meanOracleIou: mean(g.map((s) => s.oracleIou)),
      meanBoxIou: boxes.length ? mean(boxes) : null,
    }
  })
  return {
    runId,
    oracleRunId,
    oracleRunName,
    thresholds,
    gt,
    n: samples.length,
    unattributed: datasetSamples - samples.length,
    summary,
    samples,
  }
}

/**
 * Turns the stored labels into failure tags on the run in one transaction: one tag per failure label
 * (created when missing), replacing earlier stage tags so re-running with new thresholds stays consistent.
 * Successes get no tag. Returns how many sample tags were written per tag.
 */
export function stageLabelsToTags(db: Db, runId: number): { tag: string; count: number }[] {
  const att = getStageAttribution(db, runId)
  if (!att) throw new Error(`run #${runId} has no stage attribution yet; run the attribution first`)
  return db.transaction(() => {
    const out: { tag: string; count: number }[] = []
    for (const s of STAGE_LABELS.filter((l) => l.id !== 'success')) {
      let tag = db.prepare('SELECT id FROM tags WHERE name = ?').get(s.tag) as { id: number } | undefined
      if (!tag) {
        const pos = (
          db.prepare('SELECT COALESCE(MAX(position), -1) + 1 AS p FROM tags').get() as { p: number }
        ).p
        const r = db
          .prepare('INSERT INTO tags (name, color, position, description) VALUES (?, ?, ?, ?)')
          .run(s.tag, s.color, pos, `Stage attribution: ${s.label} (against the oracle run)`)
        tag = { id: Number(r.lastInsertRowid) }
      }
      db.prepare('DELETE FROM sample_tags WHERE run_id = ? AND tag_id = ?').run(runId, tag.id)
      const ins = db.prepare('INSERT INTO sample_tags (run_id, sample_id, tag_id) VALUES (?, ?, ?)')
      let count = 0
      for (const x of att.samples) {
        if (x.label !== s.id) continue
        ins.run(runId, x.sampleId, tag.id)
        count++
      }
      out.push({ tag: s.tag, count })
    }
    return out
  })()
}
