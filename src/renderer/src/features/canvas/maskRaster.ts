/**
 * Turns decoded masks into RGBA pixels at image resolution, so the canvas draws them 1:1 over the image
 * (with smoothing off, each mask pixel stays a crisp square at any zoom). Pure: no DOM, testable in Node.
 */

export type Rgb = [number, number, number]

export const DIFF_COLORS = { tp: [46, 204, 113] as Rgb, fp: [255, 77, 79] as Rgb, fn: [61, 139, 253] as Rgb }

/** Pixels of `mask` whose 4-neighbourhood leaves the mask (or the image): the mask's outline. */
export function contourOf(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      if (!mask[i]) continue
      if (
        x === 0 ||
        y === 0 ||
        x === w - 1 ||
        y === h - 1 ||
        !mask[i - 1] ||
        !mask[i + 1] ||
        !mask[i - w] ||
        !mask[i + w]
      )
        out[i] = 1
    }
  }
  return out
}

/** One mask in one colour, fully opaque where set (the layer's opacity does the blending). */
export function maskToRgba(
  mask: Uint8Array,
  w: number,
  h: number,
  color: Rgb,
  contour = false,
): Uint8ClampedArray {
  const m = contour ? contourOf(mask, w, h) : mask
  const px = new Uint8ClampedArray(w * h * 4)
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue
    const o = i * 4
    px[o] = color[0]
    px[o + 1] = color[1]
    px[o + 2] = color[2]
    px[o + 3] = 255
  }
  return px
}

export interface DiffCounts {
  tp: number
  fp: number
  fn: number
}

/** True positive / false positive / false negative colouring of a prediction against GT. */
export function diffToRgba(
  gt: Uint8Array,
  pred: Uint8Array,
  w: number,
  h: number,
): { px: Uint8ClampedArray; counts: DiffCounts } {
  const px = new Uint8ClampedArray(w * h * 4)
  const counts: DiffCounts = { tp: 0, fp: 0, fn: 0 }
  for (let i = 0; i < w * h; i++) {
    const g = gt[i]
    const p = pred[i]
    if (!g && !p) continue
    const c = g && p ? DIFF_COLORS.tp : p ? DIFF_COLORS.fp : DIFF_COLORS.fn
    if (g && p) counts.tp++
    else if (p) counts.fp++
    else counts.fn++
    const o = i * 4
    px[o] = c[0]
    px[o + 1] = c[1]
    px[o + 2] = c[2]
    px[o + 3] = 255
  }
  return { px, counts }
}

export function hexToRgb(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}
