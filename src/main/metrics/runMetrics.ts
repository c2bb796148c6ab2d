/**
 * Run metrics from the store: every sample of the run's dataset, scored from the I and U stored with its
 * prediction, or as an empty mask (I = 0, U = |GT \ ignore|) when the run has no prediction for it.
 * `recomputeRunCounts` re-derives I and U from the stored masks instead (RLE merge, no dense decode).
 */
import { aggregate, maskCounts, sampleIou, type IouConvention } from '../../shared/domain/metrics'
import { fromCoco } from '../../shared/domain/rle'
import type { GtWhich } from '../../shared/contract/gt'
import { correctedMasks, flaggedSampleIds } from '../store/groundTruth'
import type { Db } from '../store/project'
import { getRun, getRunByName, listRuns, notSegmentedSql, type RunRow } from '../store/runs'

/** Which ground truth the numbers use, and whether flagged samples are left out. */
export interface GtOptions {
  gt: GtWhich
  excludeFlagged: boolean
}

/** The default, so numbers stay comparable with papers: the imported GT, every sample. */
export const ORIGINAL_GT: GtOptions = { gt: 'original', excludeFlagged: false }

/** How the GT choice played out for one run. */
export interface GtUsage extends GtOptions {
  /** Revised samples scored against their corrected GT (0 for gt = original). */
  corrected: number
  /** Revised samples whose prediction has no stored mask: corrected GT cannot be applied, original I/U kept. */
  notApplicable: number
  /** Flagged samples left out. */
  excluded: number
  /** One sentence stating which GT was used, for every output. */
  statement: string
}

export interface SampleMetric {
  sampleId: number
  imageId: string
  annId: string
  intersection: number
  union: number
  iou: number
  missing: boolean
  /** Prompts but no mask: not segmented, so `iou` (0) is no score. */
  notSegmented: boolean
}

export interface RunMetrics {
  runId: number
  run: string
  datasetId: number
  convention: IouConvention
  n: number
  missing: number
  /** Predictions with prompts but no mask. While any remain, gIoU and cIoU are null: not 0. */
  notSegmented: number
  gIoU: number | null
  cIoU: number | null
  samples: SampleMetric[]
  gt: GtUsage
}

interface Row {
  sample_id: number
  image_id: string
  ann_id: string
  width: number
  height: number
  gt_area: number
  missing: number
  has_mask: number
  not_segmented: number | null
  intersection: number | null
  union_px: number | null
  gt_rle: string | null
  ignore_rle: string | null
}

export function runMetrics(
  db: Db,
  run: RunRow | number,
  convention: IouConvention = 'segzero',
  gtOpts: GtOptions = ORIGINAL_GT,
): RunMetrics {
  const r = typeof run === 'number' ? getRun(db, run) : run
  if (!r) throw new Error(`no run with id ${String(run)}`)
  const corrected = gtOpts.gt === 'corrected' ? correctedMasks(db, r.dataset_id) : new Map()
  const flagged = gtOpts.excludeFlagged ? flaggedSampleIds(db, r.dataset_id) : new Set<number>()
  const maskOf = db.prepare('SELECT mask_rle FROM predictions WHERE run_id = ? AND sample_id = ?').pluck()
  let applied = 0
  let notApplicable = 0
  const rows = db
    .prepare(
      `SELECT s.id AS sample_id, s.image_id, s.ann_id, s.width, s.height, s.gt_area,
              p.run_id IS NULL AS missing, p.mask_rle IS NOT NULL AS has_mask, ${notSegmentedSql('p')} AS not_segmented, p.intersection, p.union_px,
              CASE WHEN p.run_id IS NULL AND s.ignore_rle IS NOT NULL THEN s.gt_rle END AS gt_rle,
              CASE WHEN p.run_id IS NULL THEN s.ignore_rle END AS ignore_rle
       FROM samples s LEFT JOIN predictions p ON p.sample_id = s.id AND p.run_id = ?
       WHERE s.dataset_id = ? ORDER BY s.id`,
    )
    .all(r.id, r.dataset_id) as Row[]
  const samples = rows.flatMap((row): SampleMetric[] => {
    if (flagged.has(row.sample_id)) return []
    let { intersection, union_px: union } = row
    const fix = corrected.get(row.sample_id)
    if (fix && (row.missing || row.has_mask)) {
      // Re-score against the corrected GT: from the stored prediction mask, or as an empty mask.
      const size: [number, number] = [row.height, row.width]
      const pred = row.missing ? null : fromCoco({ size, counts: maskOf.get(r.id, row.sample_id) as string })
      ;({ intersection, union } = maskCounts(pred, fix.gt, fix.ignore))
      applied++
    } else if (fix) {
      notApplicable++
    } else if (row.missing) {
      intersection = 0
      union =
        row.ignore_rle && row.gt_rle
          ? maskCounts(
              null,
              fromCoco({ size: [row.height, row.width], counts: row.gt_rle }),
              fromCoco({ size: [row.height, row.width], counts: row.ignore_rle }),
            ).union
          : row.gt_area
    }
    const i = intersection ?? 0
    const u = union ?? 0
    return [
      {
        sampleId: row.sample_id,
        imageId: row.image_id,
        annId: row.ann_id,
        intersection: i,
        union: u,
        iou: sampleIou(i, u, convention),
        missing: row.missing === 1,
        notSegmented: row.not_segmented === 1,
      },
    ]
  })
  const agg = aggregate(samples, convention)
  const notSegmented = samples.filter((s) => s.notSegmented).length
  return {
    runId: r.id,
    run: r.name,
    datasetId: r.dataset_id,
    convention,
    n: agg.n,
    missing: samples.filter((s) => s.missing).length,
    notSegmented,
    gIoU: notSegmented ? null : agg.gIoU,
    cIoU: notSegmented ? null : agg.cIoU,
    samples,
    gt: gtUsage(r.name, gtOpts, applied, notApplicable, rows.length - samples.length),
  }
}

function gtUsage(
  run: string,
  opts: GtOptions,
  corrected: number,
  notApplicable: number,
  excluded: number,
): GtUsage {
  let statement =
    opts.gt === 'original'
      ? 'Ground truth: original (as imported)'
      : `Ground truth: corrected (${corrected} revised sample${corrected === 1 ? '' : 's'} re-scored from the stored masks; the rest as imported)`
  if (opts.excludeFlagged) statement += `; ${excluded} flagged sample${excluded === 1 ? '' : 's'} excluded`
  if (notApplicable > 0) {
    statement +=
      `; corrected GT cannot be applied to ${notApplicable} revised sample${notApplicable === 1 ? '' : 's'} of run ` +
      `'${run}': it stores no masks for them (I and U only), so they keep their original-GT I/U`
  }
  return { ...opts, corrected, notApplicable, excluded, statement: `${statement}.` }
}

/** Runs by name (all runs when `names` is empty), in creation order; unknown names throw. */
export function resolveRuns(db: Db, names: readonly string[]): RunRow[] {
  if (names.length === 0) return listRuns(db)
  return names.map((n) => {
    const r = getRunByName(db, n)
    if (!r) {
      const known = listRuns(db).map((x) => x.name)
      throw new Error(`no run named '${n}' (the project has: ${known.join(', ') || 'no runs'})`)
    }
    return r
  })
}

/**
 * I and U of every prediction that has a mask, recomputed from the stored RLE strings against the GT
 * (ignore regions excluded). Returns them keyed by sample id; predictions without masks are left out.
 */
export function recomputeRunCounts(
  db: Db,
  runId: number,
): Map<number, { intersection: number; union: number }> {
  const rows = db
    .prepare(
      `SELECT s.id, s.width, s.height, s.gt_rle, s.ignore_rle, p.mask_rle
       FROM predictions p JOIN samples s ON s.id = p.sample_id
       WHERE p.run_id = ? AND p.mask_rle IS NOT NULL`,
    )
    .all(runId) as {
    id: number
    width: number
    height: number
    gt_rle: string
    ignore_rle: string | null
    mask_rle: string
  }[]
  const out = new Map<number, { intersection: number; union: number }>()
  for (const r of rows) {
    const size: [number, number] = [r.height, r.width]
    const gt = fromCoco({ size, counts: r.gt_rle })
    const pred = fromCoco({ size, counts: r.mask_rle })
    const ignore = r.ignore_rle ? fromCoco({ size, counts: r.ignore_rle }) : null
    out.set(r.id, maskCounts(pred, gt, ignore))
  }
  return out
}
