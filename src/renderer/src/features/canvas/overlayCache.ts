/**
 * Decoded masks and their rasterised overlays, kept for the samples around the current one, so `j` / `k`
 * draws the next sample from cache (its RLE came with the prefetched detail and was decoded and
 * rasterised while the user looked at this one) instead of decoding and rasterising while the user waits.
 * Masks are keyed by their RLE: the same mask decodes to the same array, and rasters hang off that array
 * (a WeakMap), so they go when it leaves the bounded mask cache and nothing else holds it.
 */
import { decodeRowMajor, fromCoco } from '../../../../shared/domain/rle'
import { maskToRgba, type Rgb } from './maskRaster'

type RleLike = Parameters<typeof fromCoco>[0] & { counts: string }

/** Enough for the current sample's GT / prediction / comparison and a few neighbours' on each side. */
const MAX_MASKS = 48
const masks = new Map<string, Uint8Array>()

/** The row-major mask of an RLE, decoded once while it stays among the recently used ones. */
export function decodeMask(m: RleLike): Uint8Array
export function decodeMask(m: RleLike | null | undefined): Uint8Array | null
export function decodeMask(m: RleLike | null | undefined): Uint8Array | null {
  if (!m) return null
  const key = `${m.size[0]}x${m.size[1]}:${m.counts}`
  const hit = masks.get(key)
  if (hit) {
    masks.delete(key)
    masks.set(key, hit)
    return hit
  }
  const mask = decodeRowMajor(fromCoco(m))
  masks.set(key, mask)
  while (masks.size > MAX_MASKS) masks.delete(masks.keys().next().value as string)
  return mask
}

export function rasterCanvas(px: Uint8ClampedArray, w: number, h: number): HTMLCanvasElement {
  const c = document.createElement('canvas')
  c.width = w
  c.height = h
  const ctx = c.getContext('2d')
  if (ctx) ctx.putImageData(new ImageData(px as Uint8ClampedArray<ArrayBuffer>, w, h), 0, 0)
  return c
}

const rasters = new WeakMap<Uint8Array, Map<string, HTMLCanvasElement>>()
/** The style the canvas last drew each overlay colour in, so warm-up rasterises what will be drawn. */
let lastContour = false

/** One mask as an overlay canvas in one colour (outline only when `contour`), made once per style. */
export function maskRaster(
  mask: Uint8Array,
  w: number,
  h: number,
  color: Rgb,
  contour: boolean,
): HTMLCanvasElement {
  lastContour = contour
  const key = `${w}x${h}:${color.join(',')}:${contour ? 1 : 0}`
  let byStyle = rasters.get(mask)
  if (!byStyle) rasters.set(mask, (byStyle = new Map()))
  let c = byStyle.get(key)
  if (!c) {
    c = rasterCanvas(maskToRgba(mask, w, h, color, contour), w, h)
    byStyle.set(key, c)
  }
  return c
}

/**
 * Decodes and rasterises a prefetched sample's masks (each with its overlay colour) in the style the
 * canvas draws now, when the browser is idle, so showing that sample finds them cached.
 */
export function warmOverlays(layers: { mask: RleLike | null | undefined; color: Rgb }[]): void {
  const run = () => {
    for (const l of layers) {
      const m = decodeMask(l.mask)
      if (m && l.mask) maskRaster(m, l.mask.size[1], l.mask.size[0], l.color, lastContour)
    }
  }
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 500 })
  else setTimeout(run, 0)
}
