/**
 * One run's analysis: headline gIoU / cIoU with bootstrap intervals, the four breakdowns, the IoU histogram
 * and cumulative curve, and the sample ids behind any bar (for "click a bar, filter the browser").
 */
import { bootstrapMetrics, DEFAULT_BOOTSTRAP, type Interval } from '../../shared/domain/bootstrap'
import {
  breakdown,
  cumulativeCurve,
  DIMENSIONS,
  groupKeys,
  histogramBin,
  iouHistogram,
  resultIou,
  type Dimension,
  type GroupRow,
  type HistogramBin,
} from '../../shared/domain/breakdowns'
import { ORIGINAL_GT, type GtOptions, type GtUsage } from '../metrics/runMetrics'
import type { Db } from '../store/project'
import { loadRunResults, requireRun, scoredResults } from './results'

export const HISTOGRAM_BINS = 10

export interface RunAnalysis {
  runId: number
  runName: string
  model: string | null
  /** Samples scored (not-segmented ones are left out: they have no IoU). */
  n: number
  missing: number
  /**
   * Samples left out because their prediction holds prompts but no mask. While any remain the run has no
   * gIoU / cIoU of its own (as `reseg metrics`): `gIoU` / `cIoU` then cover only the `n` scored samples.
   */
  notSegmented: number
  gIoU: Interval
  cIoU: Interval
  breakdowns: { dimension: Dimension; label: string; rows: GroupRow[] }[]
  histogram: HistogramBin[]
  cumulative: { t: number; atLeast: number }[]
  bootstrap: { iterations: number; seed: number }
  /** Which ground truth the numbers use. */
  gt: GtUsage
}

export function analyzeRun(
  db: Db,
  runId: number,
  opts: { iterations?: number; seed?: number; gt?: GtOptions } = {},
): RunAnalysis {
  const run = requireRun(db, runId)
  return analyzeLoaded(run, loadRunResults(db, runId, opts.gt ?? ORIGINAL_GT), opts)
}

/** The analysis of loaded results: not-segmented samples (no IoU) are left out and counted. */
export function analyzeLoaded(
  run: { id: number; name: string; model: string | null },
  loaded: ReturnType<typeof loadRunResults>,
  opts: { iterations?: number; seed?: number } = {},
): RunAnalysis {
  const results = scoredResults(loaded)
  const boot = {
    iterations: opts.iterations ?? DEFAULT_BOOTSTRAP.iterations,
    seed: opts.seed ?? DEFAULT_BOOTSTRAP.seed,
  }
  const overall = bootstrapMetrics(
    { intersection: results.map((r) => r.intersection), union: results.map((r) => r.union) },
    boot,
  )
  const ious = results.map(resultIou)
  return {
    runId: run.id,
    runName: run.name,
    model: run.model,
    n: results.length,
    missing: results.filter((r) => !r.predicted).length,
    notSegmented: loaded.notSegmented.size,
    ...overall,
    breakdowns: DIMENSIONS.map((d) => ({
      dimension: d.id,
      label: d.label,
      rows: breakdown(results, d.id, boot),
    })),
    histogram: iouHistogram(ious, HISTOGRAM_BINS),
    cumulative: cumulativeCurve(ious, 100),
    bootstrap: boot,
    gt: loaded.gt,
  }
}

/** Sample ids behind one bar: a breakdown group (`dimension` + key) or a histogram bin (`histogram` + index). */
export function selectSampleIds(
  db: Db,
  runId: number,
  dimension: Dimension | 'histogram',
  key: string,
  gt: GtOptions = ORIGINAL_GT,
): number[] {
  // The same samples the analysis shows.
  const results = scoredResults(loadRunResults(db, runId, gt))
  if (dimension === 'histogram') {
    const bin = Number(key)
    return results.filter((r) => histogramBin(resultIou(r), HISTOGRAM_BINS) === bin).map((r) => r.sampleId)
  }
  return results.filter((r) => groupKeys(r, dimension).includes(key)).map((r) => r.sampleId)
}
