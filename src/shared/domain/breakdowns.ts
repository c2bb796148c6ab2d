/**
 * Breakdowns of a run's per-sample results: gIoU / cIoU by failure tag, query kind, object size and image
 * size, each with counts and a seeded bootstrap interval; the IoU histogram and cumulative curve.
 * Pure module, so the report writer and the renderer group samples by exactly the same rules.
 *
 * Rules (documented in the report and the README):
 * - Query kind: the dataset's `is_sentence` flag when present (LISA / ReasonSeg), else from the text: a query
 *   is a long sentence when it has at least SENTENCE_MIN_WORDS words or ends with '.', '?' or '!'.
 * - Object size: GT area as a fraction of the image area — tiny < 1%, small 1–5%, medium 5–20%, large ≥ 20%.
 * - Image size: megapixels (width × height / 10^6) — < 0.5, 0.5–1, 1–2, ≥ 2.
 */
import { bootstrapMetrics, type BootstrapOptions, type Interval } from './bootstrap'
import { sampleIou } from './metrics'

export interface SampleResult {
  sampleId: number
  intersection: number
  union: number
  /** False when the run has no prediction for this sample (counted as an empty mask). */
  predicted: boolean
  isSentence: boolean | null
  query: string
  width: number
  height: number
  gtArea: number
  tags: readonly string[]
}

export type Dimension = 'tag' | 'queryKind' | 'objectSize' | 'imageSize'

export const DIMENSIONS: readonly { id: Dimension; label: string }[] = [
  { id: 'tag', label: 'Failure tag' },
  { id: 'queryKind', label: 'Query kind' },
  { id: 'objectSize', label: 'Object size (GT area / image area)' },
  { id: 'imageSize', label: 'Image size' },
]

export const SENTENCE_MIN_WORDS = 8

export function queryKind(isSentence: boolean | null, query: string): 'sentence' | 'phrase' {
  if (isSentence != null) return isSentence ? 'sentence' : 'phrase'
  const text = query.trim()
  const words = text.split(/\s+/).filter(Boolean).length
  return words >= SENTENCE_MIN_WORDS || /[.?!]$/.test(text) ? 'sentence' : 'phrase'
}

/** Upper bounds (exclusive) of the object-size buckets, as fractions of the image area. */
export const OBJECT_SIZE_BUCKETS: readonly { key: string; label: string; below: number }[] = [
  { key: 'tiny', label: 'tiny (< 1%)', below: 0.01 },
  { key: 'small', label: 'small (1–5%)', below: 0.05 },
  { key: 'medium', label: 'medium (5–20%)', below: 0.2 },
  { key: 'large', label: 'large (≥ 20%)', below: Infinity },
]

export const IMAGE_SIZE_BUCKETS: readonly { key: string; label: string; below: number }[] = [
  { key: 'lt0.5MP', label: '< 0.5 MP', below: 0.5e6 },
  { key: '0.5-1MP', label: '0.5–1 MP', below: 1e6 },
  { key: '1-2MP', label: '1–2 MP', below: 2e6 },
  { key: 'ge2MP', label: '≥ 2 MP', below: Infinity },
]

export function objectSizeBucket(gtArea: number, width: number, height: number): string {
  const f = width * height > 0 ? gtArea / (width * height) : 0
  return OBJECT_SIZE_BUCKETS.find((b) => f < b.below)!.key
}

export function imageSizeBucket(width: number, height: number): string {
  const px = width * height
  return IMAGE_SIZE_BUCKETS.find((b) => px < b.below)!.key
}

export const UNTAGGED = '(untagged)'

/** Keys of the groups a sample belongs to along one dimension (several for tags, one otherwise). */
export function groupKeys(s: SampleResult, dim: Dimension): string[] {
  switch (dim) {
    case 'tag':
      return s.tags.length ? [...s.tags] : [UNTAGGED]
    case 'queryKind':
      return [queryKind(s.isSentence, s.query)]
    case 'objectSize':
      return [objectSizeBucket(s.gtArea, s.width, s.height)]
    case 'imageSize':
      return [imageSizeBucket(s.width, s.height)]
  }
}

function groupOrder(dim: Dimension): { key: string; label: string }[] | null {
  if (dim === 'queryKind') {
    return [
      { key: 'phrase', label: 'short phrase' },
      { key: 'sentence', label: 'long sentence' },
    ]
  }
  if (dim === 'objectSize') return OBJECT_SIZE_BUCKETS.map((b) => ({ key: b.key, label: b.label }))
  if (dim === 'imageSize') return IMAGE_SIZE_BUCKETS.map((b) => ({ key: b.key, label: b.label }))
  return null
}

export interface GroupRow {
  key: string
  label: string
  n: number
  /** Samples of the group the run has no prediction for. */
  missing: number
  gIoU: Interval
  cIoU: Interval
}

/**
 * One row per group (fixed buckets keep their order and appear even when empty; tags are sorted by count).
 * A sample with several tags counts in each of its tags' rows.
 */
export function breakdown(
  samples: readonly SampleResult[],
  dim: Dimension,
  opts: BootstrapOptions = {},
): GroupRow[] {
  const groups = new Map<string, SampleResult[]>()
  for (const s of samples) {
    for (const k of groupKeys(s, dim)) {
      let g = groups.get(k)
      if (!g) groups.set(k, (g = []))
      g.push(s)
    }
  }
  const fixed = groupOrder(dim)
  const keys = fixed
    ? fixed
    : [...groups.entries()]
        .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
        .map(([key]) => ({ key, label: key }))
  return keys.map(({ key, label }) => {
    const g = groups.get(key) ?? []
    const ci = bootstrapMetrics(
      { intersection: g.map((s) => s.intersection), union: g.map((s) => s.union) },
      opts,
    )
    return { key, label, n: g.length, missing: g.filter((s) => !s.predicted).length, ...ci }
  })
}

export interface HistogramBin {
  /** Inclusive lower edge; the last bin also includes 1.0. */
  lo: number
  hi: number
  count: number
}

/** Equal-width IoU bins over [0, 1]; IoU exactly 1 falls into the last bin. */
export function iouHistogram(ious: ArrayLike<number>, bins = 10): HistogramBin[] {
  const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({
    lo: i / bins,
    hi: (i + 1) / bins,
    count: 0,
  }))
  for (let i = 0; i < ious.length; i++) out[histogramBin(ious[i], bins)].count++
  return out
}

export function histogramBin(iou: number, bins = 10): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(iou * bins)))
}

/**
 * The share of samples whose IoU is at least t, for t = 0, 1/steps, …, 1 — the "success rate at
 * threshold" curve; its area is the gIoU (up to the step size).
 */
export function cumulativeCurve(ious: ArrayLike<number>, steps = 100): { t: number; atLeast: number }[] {
  const sorted = Float64Array.from(ious).sort()
  const n = sorted.length
  const out: { t: number; atLeast: number }[] = []
  let j = 0
  for (let i = 0; i <= steps; i++) {
    const t = i / steps
    while (j < n && sorted[j] < t - 1e-12) j++
    out.push({ t, atLeast: n ? (n - j) / n : 0 })
  }
  return out
}

export function resultIou(s: Pick<SampleResult, 'intersection' | 'union'>): number {
  return sampleIou(s.intersection, s.union)
}
