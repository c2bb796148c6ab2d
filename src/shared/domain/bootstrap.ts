/**
 * Seeded bootstrap confidence intervals for gIoU and cIoU (percentile method), and the paired bootstrap
 * for the difference between two runs on the same samples. A seed makes every interval reproducible:
 * the same samples and seed give the same bounds on any machine. Pure module.
 */
import { aggregate, sampleIou } from './metrics'

export interface Interval {
  value: number
  lo: number
  hi: number
}

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  iterations?: number
  seed?: number
  /** 1 - coverage (default 0.05 for a 95% interval). */
  alpha?: number
}

export interface CountsColumns {
  intersection: ArrayLike<number>
  union: ArrayLike<number>
}

export const DEFAULT_BOOTSTRAP = { iterations: 1000, seed: 12345, alpha: 0.05 } as const

/** Linear-interpolated quantile of an ascending-sorted array (numpy's default, "type 7"). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (n === 0) return 0
  const pos = (n - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, n - 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

function ious(c: CountsColumns): Float64Array {
  const out = new Float64Array(c.intersection.length)
  for (let i = 0; i < out.length; i++) out[i] = sampleIou(c.intersection[i], c.union[i])
  return out
}

function interval(stats: Float64Array, value: number, alpha: number): Interval {
  stats.sort()
  return { value, lo: quantileSorted(stats, alpha / 2), hi: quantileSorted(stats, 1 - alpha / 2) }
}

/** gIoU and cIoU (Seg-Zero convention) with percentile-bootstrap intervals. */
export function bootstrapMetrics(
  c: CountsColumns,
  opts: BootstrapOptions = {},
): { gIoU: Interval; cIoU: Interval } {
  const { iterations, seed, alpha } = { ...DEFAULT_BOOTSTRAP, ...opts }
  const n = c.intersection.length
  const point = pointEstimates(c)
  if (n === 0) return { gIoU: { value: 0, lo: 0, hi: 0 }, cIoU: { value: 0, lo: 0, hi: 0 } }
  const iou = ious(c)
  // Typed copies keep the hot loop monomorphic (callers pass plain arrays or typed arrays).
  const inter = Float64Array.from(c.intersection)
  const uni = Float64Array.from(c.union)
  // seededRng (./random) inlined: this loop runs iterations × n times (10^8 for 100k samples), and the
  // closure call costs ~2× here. The sequence is exactly seededRng(seed)'s (asserted in bootstrap.test.ts).
  let state = seed | 0
  const g = new Float64Array(iterations)
  const cc = new Float64Array(iterations)
  for (let b = 0; b < iterations; b++) {
    let sIou = 0
    let sI = 0
    let sU = 0
    for (let k = 0; k < n; k++) {
      state = (state + 0x6d2b79f5) | 0
      let t = Math.imul(state ^ (state >>> 15), state | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      const j = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0
      sIou += iou[j]
      sI += inter[j]
      sU += uni[j]
    }
    g[b] = sIou / n
    cc[b] = sU > 0 ? sI / sU : 0
  }
  return { gIoU: interval(g, point.gIoU, alpha), cIoU: interval(cc, point.cIoU, alpha) }
}

/**
 * B − A for gIoU and cIoU over paired samples (index k of `a` and `b` is the same sample); each resample
 * draws sample indices once and uses them for both runs, so the per-sample correlation is kept.
 */
export function pairedBootstrapDiff(
  a: CountsColumns,
  b: CountsColumns,
  opts: BootstrapOptions = {},
): { gIoU: Interval; cIoU: Interval } {
  const { iterations, seed, alpha } = { ...DEFAULT_BOOTSTRAP, ...opts }
  const n = a.intersection.length
  if (b.intersection.length !== n)
    throw new Error(`paired bootstrap needs equal lengths, got ${n} and ${b.intersection.length}`)
  const ia = ious(a)
  const ib = ious(b)
  const pa = pointEstimates(a)
  const pb = pointEstimates(b)
  const value = { g: pb.gIoU - pa.gIoU, c: pb.cIoU - pa.cIoU }
  if (n === 0) return { gIoU: { value: 0, lo: 0, hi: 0 }, cIoU: { value: 0, lo: 0, hi: 0 } }
  // seededRng inlined as in bootstrapMetrics (same sequence, asserted in bootstrap.test.ts).
  let state = seed | 0
  const aI = Float64Array.from(a.intersection)
  const aU = Float64Array.from(a.union)
  const bI = Float64Array.from(b.intersection)
  const bU = Float64Array.from(b.union)
  const g = new Float64Array(iterations)
  const cc = new Float64Array(iterations)
  for (let r = 0; r < iterations; r++) {
    let dIou = 0
    let sIa = 0
    let sUa = 0
    let sIb = 0
    let sUb = 0
    for (let k = 0; k < n; k++) {
      state = (state + 0x6d2b79f5) | 0
      let t = Math.imul(state ^ (state >>> 15), state | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      const j = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) | 0
      dIou += ib[j] - ia[j]
      sIa += aI[j]
      sUa += aU[j]
      sIb += bI[j]
      sUb += bU[j]
    }
    g[r] = dIou / n
    cc[r] = (sUb > 0 ? sIb / sUb : 0) - (sUa > 0 ? sIa / sUa : 0)
  }
  return { gIoU: interval(g, value.g, alpha), cIoU: interval(cc, value.c, alpha) }
}

function pointEstimates(c: CountsColumns): { gIoU: number; cIoU: number } {
  const rows = Array.from({ length: c.intersection.length }, (_, i) => ({
    intersection: c.intersection[i],
    union: c.union[i],
  }))
  return aggregate(rows)
}
