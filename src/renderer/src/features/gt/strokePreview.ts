/**
 * The live brush / eraser preview: a full-image 0/1 bitmap that the stroke in progress is painted into
 * with the shared mask operations (only the segment's bounding box is touched per pointer move), and the
 * RGBA pixels of the changed rectangle for a partial canvas update. Pure: no DOM.
 */
import { paintStroke, type Bitmap, type Rect, type Vec2 } from '../../../../shared/domain/maskOps'
import type { Rgb } from '../canvas/maskRaster'

export interface StrokeState {
  bitmap: Bitmap
  points: Vec2[]
  radius: number
}

export function startStroke(
  w: number,
  h: number,
  radius: number,
  p: Vec2,
): { stroke: StrokeState; dirty: Rect | null } {
  const stroke: StrokeState = { bitmap: { w, h, data: new Uint8Array(w * h) }, points: [p], radius }
  return { stroke, dirty: paintStroke(stroke.bitmap, [p], radius, 1) }
}

/** Adds a point: paints the capsule from the last point to it; returns the rectangle that changed. */
export function extendStroke(stroke: StrokeState, p: Vec2): Rect | null {
  const last = stroke.points[stroke.points.length - 1]
  if (last[0] === p[0] && last[1] === p[1]) return null
  stroke.points.push(p)
  return paintStroke(stroke.bitmap, [last, p], stroke.radius, 1)
}

/** RGBA pixels of `rect` of the bitmap: `color` where painted, transparent elsewhere. */
export function rectRgba(bitmap: Bitmap, rect: Rect, color: Rgb, alpha = 255): Uint8ClampedArray {
  const px = new Uint8ClampedArray(rect.w * rect.h * 4)
  for (let y = 0; y < rect.h; y++) {
    let i = (rect.y0 + y) * bitmap.w + rect.x0
    let o = y * rect.w * 4
    for (let x = 0; x < rect.w; x++, i++, o += 4) {
      if (!bitmap.data[i]) continue
      px[o] = color[0]
      px[o + 1] = color[1]
      px[o + 2] = color[2]
      px[o + 3] = alpha
    }
  }
  return px
}
