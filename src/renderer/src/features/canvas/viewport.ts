/**
 * The canvas view transform: screen = image × scale + (tx, ty). Zooming keeps the image point under the
 * cursor fixed, which is what makes wheel zoom feel anchored. Pure functions over plain numbers.
 */

export interface View {
  scale: number
  tx: number
  ty: number
}

export const MIN_SCALE = 0.05
export const MAX_SCALE = 64

/** Largest scale that shows the whole image inside the box, centred, with a small margin. */
export function fitView(imgW: number, imgH: number, boxW: number, boxH: number, margin = 12): View {
  const scale = Math.max(MIN_SCALE, Math.min((boxW - 2 * margin) / imgW, (boxH - 2 * margin) / imgH))
  return { scale, tx: (boxW - imgW * scale) / 2, ty: (boxH - imgH * scale) / 2 }
}

/** Zooms by `factor` keeping the screen point (px, py) over the same image point. */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor))
  const f = scale / v.scale
  return { scale, tx: px - (px - v.tx) * f, ty: py - (py - v.ty) * f }
}

export function toImage(v: View, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - v.tx) / v.scale, y: (sy - v.ty) / v.scale }
}

export function toScreen(v: View, x: number, y: number): { x: number; y: number } {
  return { x: x * v.scale + v.tx, y: y * v.scale + v.ty }
}

/** Wheel delta (pixels) to a zoom factor: smooth for trackpads, one notch ≈ 1.2× for mice. */
export function wheelFactor(deltaY: number): number {
  return Math.exp(-Math.max(-300, Math.min(300, deltaY)) * 0.0015)
}
