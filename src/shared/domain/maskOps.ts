/**
 * Ground-truth mask editing: brush / eraser strokes, polygon fill, boolean combination, hole filling and
 * speck removal. Pure module, shared by the renderer (live preview on a row-major bitmap, one move event
 * at a time) and the backend (commits, on `Rle`). Neither side ever needs to touch pixels outside the
 * stroke's bounding box: strokes and polygons are rasterised into a small `Region`, which either paints a
 * bitmap in place or becomes an `Rle` directly and is merged run by run with the stored mask.
 *
 * Coordinates are image pixels: pixel (x, y) covers [x, x + 1) × [y, y + 1), its centre is
 * (x + 0.5, y + 0.5). A pixel belongs to a shape iff its centre does:
 * - brush: the centre lies within distance ≤ radius of the polyline (a disc per vertex, a capsule per
 *   segment);
 * - polygon: the centre is inside by the EVEN-ODD rule, with half-open edges (a crossing counts when
 *   y0 ≤ cy < y1 or y1 ≤ cy < y0, and a centre exactly on a left edge is inside, on a right edge outside) —
 *   the classic PNPOLY test, so self-intersecting polygons leave their doubly covered parts empty.
 * Shapes are clipped to the image; a shape entirely outside paints nothing.
 */
import { labelComponents } from './components'
import type { Rle } from './rle'
import { decodeRowMajor, encodeRowMajor } from './rle'

/** A point in image pixel coordinates, `[x, y]`. */
export type Vec2 = readonly [number, number]

/** A row-major 0/1 bitmap of the whole image (`data[y * w + x]`). */
export interface Bitmap {
  w: number
  h: number
  data: Uint8Array
}

/** A rectangle of an image: columns [x0, x0 + w), rows [y0, y0 + h). */
export interface Rect {
  x0: number
  y0: number
  w: number
  h: number
}

/** A shape rasterised into its (clipped) bounding rectangle; `data` is row-major, `w * h` bytes of 0/1. */
export interface Region extends Rect {
  data: Uint8Array
}

export type CombineMode = 'add' | 'subtract' | 'replace'

/** A shape that cannot be drawn (too few vertices, non-finite coordinates, bad radius or size). */
export class MaskOpError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MaskOpError'
  }
}

function checkPoints(points: readonly Vec2[], what: string): void {
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new MaskOpError(`${what} point ${i} is not a finite number pair: [${x}, ${y}]`)
    }
  }
}

function checkSize(w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) {
    throw new MaskOpError(`image size must be positive integers, got ${w}x${h} (w x h)`)
  }
}

/** Throws a MaskOpError unless `points` can be filled as a polygon (≥ 3 finite vertices). */
export function validatePolygon(points: readonly Vec2[]): void {
  if (points.length < 3) {
    throw new MaskOpError(`a polygon needs at least 3 vertices, got ${points.length}`)
  }
  checkPoints(points, 'polygon')
}

/** Clips a bounding box in continuous coordinates to the pixels whose centres it may contain. */
function clipRect(minX: number, minY: number, maxX: number, maxY: number, w: number, h: number): Rect | null {
  // Pixel x has centre x + 0.5, so it can lie in [minX, maxX] only for x ∈ [ceil(minX - 0.5), floor(maxX - 0.5)].
  const x0 = Math.max(0, Math.floor(minX - 0.5))
  const y0 = Math.max(0, Math.floor(minY - 0.5))
  const x1 = Math.min(w - 1, Math.ceil(maxX - 0.5))
  const y1 = Math.min(h - 1, Math.ceil(maxY - 0.5))
  if (x1 < x0 || y1 < y0) return null
  return { x0, y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }
}

/** Writes `value` into every pixel of `rect` (clipped already) within `radius` of segment a–b. */
function capsuleInto(
  out: Uint8Array,
  stride: number,
  ox: number,
  oy: number,
  rect: Rect,
  a: Vec2,
  b: Vec2,
  r2: number,
  value: number,
): void {
  const [ax, ay] = a
  const dx = b[0] - ax
  const dy = b[1] - ay
  const len2 = dx * dx + dy * dy
  for (let y = rect.y0; y < rect.y0 + rect.h; y++) {
    const py = y + 0.5
    let i = (y - oy) * stride + (rect.x0 - ox)
    for (let x = rect.x0; x < rect.x0 + rect.w; x++, i++) {
      const px = x + 0.5
      let d2: number
      if (len2 === 0) {
        d2 = (px - ax) * (px - ax) + (py - ay) * (py - ay)
      } else {
        let t = ((px - ax) * dx + (py - ay) * dy) / len2
        if (t < 0) t = 0
        else if (t > 1) t = 1
        const ex = px - (ax + t * dx)
        const ey = py - (ay + t * dy)
        d2 = ex * ex + ey * ey
      }
      if (d2 <= r2) out[i] = value
    }
  }
}

function checkStroke(points: readonly Vec2[], radius: number): void {
  if (points.length === 0) throw new MaskOpError('a brush stroke needs at least one point')
  if (!Number.isFinite(radius) || radius <= 0) {
    throw new MaskOpError(`brush radius must be a positive number, got ${radius}`)
  }
  checkPoints(points, 'brush')
}

/** The points' bounding box grown by `pad` on every side, clipped to the image (null when outside it). */
function pointsBounds(points: readonly Vec2[], pad: number, w: number, h: number): Rect | null {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const [x, y] of points) {
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  return clipRect(minX - pad, minY - pad, maxX + pad, maxY + pad, w, h)
}

function segmentRect(a: Vec2, b: Vec2, radius: number, within: Rect): Rect | null {
  const r = clipRect(
    Math.min(a[0], b[0]) - radius,
    Math.min(a[1], b[1]) - radius,
    Math.max(a[0], b[0]) + radius,
    Math.max(a[1], b[1]) + radius,
    within.x0 + within.w,
    within.y0 + within.h,
  )
  if (!r) return null
  const x0 = Math.max(r.x0, within.x0)
  const y0 = Math.max(r.y0, within.y0)
  const x1 = r.x0 + r.w
  const y1 = r.y0 + r.h
  return x1 > x0 && y1 > y0 ? { x0, y0, w: x1 - x0, h: y1 - y0 } : null
}

function strokeInto(
  out: Uint8Array,
  stride: number,
  ox: number,
  oy: number,
  bounds: Rect,
  points: readonly Vec2[],
  radius: number,
  value: number,
): void {
  const r2 = radius * radius
  if (points.length === 1) {
    const rect = segmentRect(points[0], points[0], radius, bounds)
    if (rect) capsuleInto(out, stride, ox, oy, rect, points[0], points[0], r2, value)
    return
  }
  for (let k = 1; k < points.length; k++) {
    const rect = segmentRect(points[k - 1], points[k], radius, bounds)
    if (rect) capsuleInto(out, stride, ox, oy, rect, points[k - 1], points[k], r2, value)
  }
}

/**
 * Rasterises a brush stroke (discs of `radius` along the polyline, capsules between consecutive points)
 * into its bounding region, clipped to a w × h image; null when the stroke misses the image entirely.
 */
export function strokeRegion(points: readonly Vec2[], radius: number, w: number, h: number): Region | null {
  checkSize(w, h)
  checkStroke(points, radius)
  const rect = pointsBounds(points, radius, w, h)
  if (!rect) return null
  const data = new Uint8Array(rect.w * rect.h)
  strokeInto(data, rect.w, rect.x0, rect.y0, rect, points, radius, 1)
  return { ...rect, data }
}

/**
 * Paints a brush stroke straight into a full bitmap (`value` 1 = brush, 0 = eraser), touching only the
 * stroke's bounding box — the renderer calls it per pointer-move with the last two points. Returns the
 * rectangle that may have changed (null if the stroke missed the image), for a partial redraw.
 */
export function paintStroke(
  bitmap: Bitmap,
  points: readonly Vec2[],
  radius: number,
  value: 0 | 1,
): Rect | null {
  checkSize(bitmap.w, bitmap.h)
  checkStroke(points, radius)
  const rect = pointsBounds(points, radius, bitmap.w, bitmap.h)
  if (!rect) return null
  strokeInto(bitmap.data, bitmap.w, 0, 0, rect, points, radius, value)
  return rect
}

/** Calls `span(y, xStart, xEnd)` for every run of pixels [xStart, xEnd) of row y inside the polygon. */
function polygonSpans(
  points: readonly Vec2[],
  rect: Rect,
  span: (y: number, xs: number, xe: number) => void,
): void {
  const n = points.length
  const xs: number[] = []
  const xEnd = rect.x0 + rect.w
  for (let y = rect.y0; y < rect.y0 + rect.h; y++) {
    const cy = y + 0.5
    xs.length = 0
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [x0, y0] = points[j]
      const [x1, y1] = points[i]
      if (y0 <= cy !== y1 <= cy) xs.push(x0 + ((cy - y0) * (x1 - x0)) / (y1 - y0))
    }
    xs.sort((p, q) => p - q)
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixel x is inside iff xs[k] ≤ x + 0.5 < xs[k + 1]; compare on centres so the rule is exact.
      let a = Math.max(rect.x0, Math.ceil(xs[k] - 0.5))
      while (a > rect.x0 && a - 1 + 0.5 >= xs[k]) a--
      while (a + 0.5 < xs[k]) a++
      let b = Math.min(xEnd, Math.ceil(xs[k + 1] - 0.5))
      while (b > rect.x0 && b - 1 + 0.5 >= xs[k + 1]) b--
      while (b < xEnd && b + 0.5 < xs[k + 1]) b++
      if (b > a) span(y, a, b)
    }
  }
}

/** Rasterises a polygon (even-odd, pixel-centre rule) into its clipped bounding region, or null. */
export function polygonRegion(points: readonly Vec2[], w: number, h: number): Region | null {
  checkSize(w, h)
  validatePolygon(points)
  const rect = pointsBounds(points, 0, w, h)
  if (!rect) return null
  const data = new Uint8Array(rect.w * rect.h)
  polygonSpans(points, rect, (y, a, b) =>
    data.fill(1, (y - rect.y0) * rect.w + a - rect.x0, (y - rect.y0) * rect.w + b - rect.x0),
  )
  return { ...rect, data }
}

/** Fills a polygon into a full bitmap with `value` in place; returns the changed rectangle or null. */
export function fillPolygon(bitmap: Bitmap, points: readonly Vec2[], value: 0 | 1): Rect | null {
  checkSize(bitmap.w, bitmap.h)
  validatePolygon(points)
  const rect = pointsBounds(points, 0, bitmap.w, bitmap.h)
  if (!rect) return null
  polygonSpans(points, rect, (y, a, b) => bitmap.data.fill(value, y * bitmap.w + a, y * bitmap.w + b))
  return rect
}

/** Appends runs, merging equal neighbours and dropping empty ones; the first run is background. */
class RunBuilder {
  private readonly runs: number[] = [0]
  private value = 0
  push(v: number, n: number): void {
    if (n <= 0) return
    if (v !== this.value) {
      this.runs.push(0)
      this.value = v
    }
    this.runs[this.runs.length - 1] += n
  }
  finish(h: number, w: number): Rle {
    return { h, w, counts: Uint32Array.from(this.runs) }
  }
}

/** The full-image mask (h × w) that is `region` inside its rectangle and background elsewhere. */
export function regionToRle(region: Region | null, h: number, w: number): Rle {
  checkSize(w, h)
  if (!region) return { h, w, counts: Uint32Array.of(h * w) }
  if (region.x0 < 0 || region.y0 < 0 || region.x0 + region.w > w || region.y0 + region.h > h) {
    throw new MaskOpError(
      `region ${region.w}x${region.h} at (${region.x0}, ${region.y0}) exceeds a ${w}x${h} image`,
    )
  }
  // Column-major runs (pycocotools order): whole columns left and right of the region are background.
  // A tight loop with the open run in locals: this is most of a brush commit's time at 2 MP.
  const runs: number[] = []
  let cur = 0
  let run = region.x0 * h
  const below = h - region.y0 - region.h
  const { data } = region
  for (let x = 0; x < region.w; x++) {
    if (cur !== 0) {
      runs.push(run)
      run = 0
      cur = 0
    }
    run += region.y0
    for (let i = x; i < data.length; i += region.w) {
      const v = data[i] ? 1 : 0
      if (v !== cur) {
        runs.push(run)
        run = 0
        cur = v
      }
      run++
    }
    if (below > 0 && cur !== 0) {
      runs.push(run)
      run = 0
      cur = 0
    }
    run += below
  }
  if (cur !== 0) {
    runs.push(run)
    run = 0
  }
  run += (w - region.x0 - region.w) * h
  runs.push(run)
  return { h, w, counts: Uint32Array.from(runs) }
}

/** Writes a region into a full bitmap with a combine mode (`replace` clears everything else first). */
export function combineBitmap(base: Bitmap, shape: Region | null, mode: CombineMode): void {
  if (mode === 'replace') base.data.fill(0)
  if (!shape) return
  for (let y = 0; y < shape.h; y++) {
    let i = (shape.y0 + y) * base.w + shape.x0
    for (let x = 0, j = y * shape.w; x < shape.w; x++, i++, j++) {
      if (!shape.data[j]) continue
      base.data[i] = mode === 'subtract' ? 0 : 1
    }
  }
}

/** Applies a pixelwise boolean function to two same-size masks run by run, without decoding either. */
function mergeRle(a: Rle, b: Rle, f: (x: number, y: number) => number): Rle {
  if (a.h !== b.h || a.w !== b.w) {
    throw new MaskOpError(`mask sizes differ: ${a.h}x${a.w} vs ${b.h}x${b.w}`)
  }
  const total = a.h * a.w
  const ca = a.counts
  const cb = b.counts
  let ia = 0
  let ib = 0
  let ea = ca.length > 0 ? ca[0] : total
  let eb = cb.length > 0 ? cb[0] : total
  let p = 0
  const out = new RunBuilder()
  while (p < total) {
    while (ea <= p && ia + 1 < ca.length) ea += ca[++ia]
    while (eb <= p && ib + 1 < cb.length) eb += cb[++ib]
    const e = Math.min(ea, eb, total)
    out.push(f(ia & 1, ib & 1), e - p)
    p = e
  }
  return out.finish(a.h, a.w)
}

/** `add` = union, `subtract` = base minus shape, `replace` = shape. */
export function combineRle(base: Rle, shape: Rle, mode: CombineMode): Rle {
  if (mode === 'replace') {
    if (base.h !== shape.h || base.w !== shape.w) {
      throw new MaskOpError(`mask sizes differ: ${base.h}x${base.w} vs ${shape.h}x${shape.w}`)
    }
    return mergeRle(shape, shape, (x) => x)
  }
  return mode === 'add'
    ? mergeRle(base, shape, (x, y) => x | y)
    : mergeRle(base, shape, (x, y) => x & (y ^ 1))
}

/** Union of same-size masks; an empty list needs the size. */
export function unionRle(masks: readonly Rle[], h: number, w: number): Rle {
  if (masks.length === 1 && masks[0].h === h && masks[0].w === w) return masks[0]
  let acc: Rle = regionToRle(null, h, w)
  for (const m of masks) acc = mergeRle(acc, m, (x, y) => x | y)
  return acc
}

/**
 * Fills holes: background pixels not connected to the image border (4-connected background, the dual
 * of 8-connected foreground) become foreground. Returns a new bitmap.
 */
export function fillHoles(bitmap: Bitmap): Bitmap {
  const { w, h, data } = bitmap
  const bg = new Uint8Array(w * h)
  for (let i = 0; i < bg.length; i++) bg[i] = data[i] ? 0 : 1
  const { labels } = labelComponents(bg, w, h, 4)
  const touches = new Set<number>()
  for (let x = 0; x < w; x++) {
    touches.add(labels[x])
    touches.add(labels[(h - 1) * w + x])
  }
  for (let y = 0; y < h; y++) {
    touches.add(labels[y * w])
    touches.add(labels[y * w + w - 1])
  }
  const out = new Uint8Array(w * h)
  for (let i = 0; i < out.length; i++) out[i] = data[i] || !touches.has(labels[i]) ? 1 : 0
  return { w, h, data: out }
}

/** Removes foreground components (8-connected) of fewer than `minArea` pixels. Returns a new bitmap. */
export function removeSpecks(bitmap: Bitmap, minArea: number): Bitmap {
  if (!Number.isFinite(minArea) || minArea < 0) {
    throw new MaskOpError(`minimum speck area must be a non-negative number, got ${minArea}`)
  }
  const { w, h, data } = bitmap
  const { labels, sizes } = labelComponents(data, w, h, 8)
  const out = new Uint8Array(w * h)
  for (let i = 0; i < out.length; i++) out[i] = labels[i] && sizes[labels[i]] >= minArea ? 1 : 0
  return { w, h, data: out }
}

export function rleToBitmap(rle: Rle): Bitmap {
  return { w: rle.w, h: rle.h, data: decodeRowMajor(rle) }
}

export function bitmapToRle(bitmap: Bitmap): Rle {
  return encodeRowMajor(bitmap.data, bitmap.h, bitmap.w)
}
