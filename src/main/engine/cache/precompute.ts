/**
 * Background precompute of image embeddings for a list of images (e.g. every sample of a run), so the
 * first prompt edit on each is decoder-only. Images already cached are skipped without loading them;
 * progress is reported after each image; an abort stops before the next image and returns a summary
 * with `cancelled: true` (the image being encoded is abandoned).
 */
import type { RgbImage } from '../types'

/** What precompute needs from a segmenter (OnnxSegmenter implements it). */
export interface EmbeddingSource {
  hasEmbedding(imageKey: string): boolean
  embed(imageKey: string, load: () => Promise<RgbImage> | RgbImage, signal?: AbortSignal): Promise<unknown>
}

export interface PrecomputeImage {
  key: string
  load(): Promise<RgbImage>
}

export interface PrecomputeProgress {
  done: number
  /** Known for arrays, undefined for async iterables. */
  total?: number
  computed: number
  cached: number
  failed: number
  key: string
  error?: string
}

export interface PrecomputeSummary {
  done: number
  computed: number
  cached: number
  failed: number
  cancelled: boolean
}

export async function precomputeEmbeddings(
  segmenter: EmbeddingSource,
  images: AsyncIterable<PrecomputeImage> | Iterable<PrecomputeImage>,
  opts: { signal?: AbortSignal; onProgress?: (p: PrecomputeProgress) => void } = {},
): Promise<PrecomputeSummary> {
  const total = Array.isArray(images) ? images.length : undefined
  const s: PrecomputeSummary = { done: 0, computed: 0, cached: 0, failed: 0, cancelled: false }
  for await (const img of images) {
    if (opts.signal?.aborted) {
      s.cancelled = true
      break
    }
    let error: string | undefined
    if (segmenter.hasEmbedding(img.key)) {
      s.cached++
    } else {
      try {
        await segmenter.embed(img.key, () => img.load(), opts.signal)
        s.computed++
      } catch (e) {
        if (opts.signal?.aborted) {
          s.cancelled = true
          break
        }
        // One unreadable image must not stop a run-wide precompute; it is counted and reported.
        s.failed++
        error = e instanceof Error ? e.message : String(e)
      }
    }
    s.done++
    opts.onProgress?.({
      done: s.done,
      total,
      computed: s.computed,
      cached: s.cached,
      failed: s.failed,
      key: img.key,
      error,
    })
  }
  return s
}
