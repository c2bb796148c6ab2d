/**
 * Run metrics from the store: every sample of the run's dataset, scored from the I and U stored with its
 * prediction, or as an empty mask (I = 0, U = |GT \ ignore|) when the run has no prediction for it.
 * `recomputeRunCounts` re-derives I and U from the stored masks instead (RLE merge, no dense decode).
 */
import { aggregate, maskCounts, sampleIou, type IouConvention } from '../../shared/domain/metrics'
import { fromCoco } from '../../shared/domain/rle'
import type { Db } from '../store/project'
import { getRun, getRunByName, listRuns, notSegmentedSql, type RunRow } from '../store/runs'

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
}

interface Row {
  sample_id: number
  image_id: string
  ann_id: string
  width: number
  height: number
  gt_area: number
  missing: number
  not_segmented: number | null
  intersection: number | null
  union_px: number | null
  gt_rle: string | null
  ignore_rle: string | null
}

export function runMetrics(db: Db, run: RunRow | number, convention: IouConvention = 'segzero'): RunMetrics {
  const r = typeof run === 'number' ? getRun(db, run) : run
  if (!r) throw new Error(`no run with id ${String(run)}`)
  const rows = db
    .prepare(
      `SELECT s.id AS sample_id, s.image_id, s.ann_id, s.width, s.height, s.gt_area,
              p.run_id IS NULL AS missing, ${notSegmentedSql('p')} AS not_segmented, p.intersection, p.union_px,
              CASE WHEN p.run_id IS NULL AND s.ignore_rle IS NOT NULL THEN s.gt_rle END AS gt_rle,
              CASE WHEN p.run_id IS NULL THEN s.ignore_rle END AS ignore_rle
       FROM samples s LEFT JOIN predictions p ON p.sample_id = s.id AND p.run_id = ?
       WHERE s.dataset_id = ? ORDER BY s.id`,
    )
    .all(r.id, r.dataset_id) as Row[]
  const samples = rows.map((row): SampleMetric => {
    let { intersection, union_px: union } = row
    if (row.missing) {
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
    return {
      sampleId: row.sample_id,
      imageId: row.image_id,
      annId: row.ann_id,
      intersection: i,
      union: u,
      iou: sampleIou(i, u, convention),
      missing: row.missing === 1,
      notSegmented: row.not_segmented === 1,
    }
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
  }
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
