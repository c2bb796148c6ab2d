/**
 * Two runs on the same dataset, sample by sample: the IoU scatter, the largest regressions and
 * improvements (B − A), and the gIoU / cIoU differences with a paired bootstrap interval.
 */
import { DEFAULT_BOOTSTRAP, pairedBootstrapDiff, type Interval } from '../../shared/domain/bootstrap'
import { resultIou } from '../../shared/domain/breakdowns'
import { ORIGINAL_GT, type GtOptions, type GtUsage } from '../metrics/runMetrics'
import type { Db } from '../store/project'
import { loadRunResults, requireRun } from './results'

export interface ComparedSample {
  sampleId: number
  imageId: string
  annId: string
  query: string
  iouA: number
  iouB: number
  delta: number
}

export interface RunComparison {
  runA: { id: number; name: string }
  runB: { id: number; name: string }
  /** Samples compared: those with a mask (or no prediction) in both runs. */
  n: number
  /** Samples left out because either run holds prompts but no mask for them (no IoU to compare). */
  notSegmented: number
  /** B − A. */
  gIoUDiff: Interval
  cIoUDiff: Interval
  better: number
  worse: number
  same: number
  /** Every sample as [sampleId, iouA, iouB]. */
  points: [number, number, number][]
  regressions: ComparedSample[]
  improvements: ComparedSample[]
  /** Which ground truth both runs were scored against (the first run's usage; the second's differs only in notApplicable). */
  gt: GtUsage
  /** The statement for the second run (it differs when it stores fewer masks). */
  gtB: GtUsage
}

export function compareRuns(
  db: Db,
  runAId: number,
  runBId: number,
  opts: { topK?: number; iterations?: number; seed?: number; gt?: GtOptions } = {},
): RunComparison {
  const a = requireRun(db, runAId)
  const b = requireRun(db, runBId)
  if (a.dataset_id !== b.dataset_id) {
    throw new Error(
      `runs '${a.name}' and '${b.name}' are on different datasets; comparison needs the same samples`,
    )
  }
  const la = loadRunResults(db, a.id, opts.gt ?? ORIGINAL_GT)
  const lb = loadRunResults(db, b.id, opts.gt ?? ORIGINAL_GT)
  const { gt } = la
  const gtB = lb.gt
  // Both lists hold the dataset's samples in the same order; a pair is compared only when both have an IoU.
  const keep = la.results.map(
    (r, i) => !la.notSegmented.has(r.sampleId) && !lb.notSegmented.has(lb.results[i].sampleId),
  )
  const ra = la.results.filter((_, i) => keep[i])
  const rb = lb.results.filter((_, i) => keep[i])
  const diff = pairedBootstrapDiff(
    { intersection: ra.map((r) => r.intersection), union: ra.map((r) => r.union) },
    { intersection: rb.map((r) => r.intersection), union: rb.map((r) => r.union) },
    {
      iterations: opts.iterations ?? DEFAULT_BOOTSTRAP.iterations,
      seed: opts.seed ?? DEFAULT_BOOTSTRAP.seed,
    },
  )
  const points: [number, number, number][] = ra.map((r, i) => [r.sampleId, resultIou(r), resultIou(rb[i])])
  const eps = 1e-9
  const changed = points.filter(([, x, y]) => Math.abs(y - x) > eps)
  const topK = opts.topK ?? 10
  const byDelta = (sign: number) => (p: [number, number, number], q: [number, number, number]) =>
    sign * (p[2] - p[1] - (q[2] - q[1])) || p[0] - q[0]
  const info = db.prepare('SELECT image_id, ann_id, query FROM samples WHERE id = ?')
  const describe = ([id, x, y]: [number, number, number]): ComparedSample => {
    const s = info.get(id) as { image_id: string; ann_id: string; query: string }
    return {
      sampleId: id,
      imageId: s.image_id,
      annId: s.ann_id,
      query: s.query,
      iouA: x,
      iouB: y,
      delta: y - x,
    }
  }
  return {
    runA: { id: a.id, name: a.name },
    runB: { id: b.id, name: b.name },
    n: points.length,
    notSegmented: la.results.length - points.length,
    gIoUDiff: diff.gIoU,
    cIoUDiff: diff.cIoU,
    better: changed.filter(([, x, y]) => y > x).length,
    worse: changed.filter(([, x, y]) => y < x).length,
    same: points.length - changed.length,
    points,
    regressions: changed
      .filter(([, x, y]) => y < x)
      .sort(byDelta(1))
      .slice(0, topK)
      .map(describe),
    improvements: changed
      .filter(([, x, y]) => y > x)
      .sort(byDelta(-1))
      .slice(0, topK)
      .map(describe),
    gt,
    gtB,
  }
}
