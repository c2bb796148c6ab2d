/**
 * The band around a mask's boundary, for coarse-to-fine segmentation: a refinement pass may only move
 * pixels near where the coarse pass put the edge, everything farther away keeps the coarse label.
 */

/**
 * Row-major 0/1 band of a row-major 0/1 mask: 1 where the (2r + 1)² square around the pixel, clipped to
 * the grid, holds a pixel of the other label (Chebyshev distance ≤ r to the boundary, on either side).
 * A mask of one label everywhere has no band. Linear time (summed-area table), whatever r.
 */
export function boundaryBand(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (mask.length !== w * h) throw new Error(`mask has ${mask.length} pixels, expected ${w}x${h}`)
  const band = new Uint8Array(w * h)
  const rad = Math.max(0, Math.floor(r))
  if (rad === 0 || w === 0 || h === 0) return band
  // sat[(y + 1) * (w + 1) + (x + 1)] = foreground pixels in rows 0..y, columns 0..x.
  const W1 = w + 1
  const sat = new Int32Array(W1 * (h + 1))
  for (let y = 0; y < h; y++) {
    let row = 0
    for (let x = 0; x < w; x++) {
      row += mask[y * w + x] ? 1 : 0
      sat[(y + 1) * W1 + x + 1] = sat[y * W1 + x + 1] + row
    }
  }
  for (let y = 0; y < h; y++) {
    const ya = Math.max(0, y - rad)
    const yb = Math.min(h, y + rad + 1)
    for (let x = 0; x < w; x++) {
      const xa = Math.max(0, x - rad)
      const xb = Math.min(w, x + rad + 1)
      const fg = sat[yb * W1 + xb] - sat[ya * W1 + xb] - sat[yb * W1 + xa] + sat[ya * W1 + xa]
      band[y * w + x] = (mask[y * w + x] ? fg < (yb - ya) * (xb - xa) : fg > 0) ? 1 : 0
    }
  }
  return band
}
