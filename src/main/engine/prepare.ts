/**
 * Warming the embedding of the sample on screen, so its first prompt edit costs only the decoder. Run
 * it latest-wins under one key for all samples (the API's prepareSample does): a switch to another
 * sample aborts the previous call. A call first waits `settleMs` for the user to stay on the sample, so
 * flicking through samples (arrow key held down) starts no encoder runs at all; an encode the worker
 * has not started yet is dropped when its caller goes (OnnxSegmenter.embed).
 */
import type { EmbeddingSource } from './cache/precompute'
import type { RgbImage, Segmenter } from './types'

export const PREPARE_SETTLE_MS = 150

export function isEmbeddingSource(s: Segmenter): s is Segmenter & EmbeddingSource {
  const c = s as Partial<EmbeddingSource>
  return typeof c.hasEmbedding === 'function' && typeof c.embed === 'function'
}

export async function prepareEmbedding(
  segmenter: Segmenter,
  imageKey: string,
  load: () => Promise<RgbImage> | RgbImage,
  signal: AbortSignal,
  settleMs = PREPARE_SETTLE_MS,
): Promise<{ embeds: boolean; cached: boolean }> {
  if (!isEmbeddingSource(segmenter)) return { embeds: false, cached: false }
  const cached = segmenter.hasEmbedding(imageKey)
  if (!cached && settleMs > 0) await settle(settleMs, signal)
  await segmenter.embed(imageKey, load, signal)
  return { embeds: true, cached }
}

function settle(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
