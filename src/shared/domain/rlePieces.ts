/**
 * Mask geometry computed straight from RLE runs, never from dense masks, so the failure rules stay cheap
 * on megapixel masks (10,000 samples in well under a second): foreground intervals in column-major pixel
 * order, interval subtraction (ignore regions), overlap of two interval lists, and 8-connected pieces found
 * by joining vertical column segments with a union-find. Pure module.
 */
import type { Rle } from './rle'

/** Foreground as sorted, disjoint [start, end) intervals of column-major pixel indices (index = x * h + y). */
export type Intervals = Float64Array

export function intervalsOf(rle: Rle): Intervals {
  const c = rle.counts
  const out = new Float64Array(Math.floor(c.length / 2) * 2)
  let p = 0
  let k = 0
  for (let i = 0; i < c.length; i++) {
    if (i % 2 === 1 && c[i] > 0) {
      out[k++] = p
      out[k++] = p + c[i]
    }
    p += c[i]
  }
  return out.subarray(0, k)
}

export function intervalArea(a: Intervals): number {
  let s = 0
  for (let i = 0; i < a.length; i += 2) s += a[i + 1] - a[i]
  return s
}

/** Pixels in both lists. */
export function overlap(a: Intervals, b: Intervals): number {
  let i = 0
  let j = 0
  let s = 0
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i], b[j])
    const hi = Math.min(a[i + 1], b[j + 1])
    if (hi > lo) s += hi - lo
    if (a[i + 1] <= b[j + 1]) i += 2
    else j += 2
  }
  return s
}

/** a \ b. */
export function subtract(a: Intervals, b: Intervals): Intervals {
  const out: number[] = []
  let j = 0
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i]
    const e = a[i + 1]
    while (j < b.length && b[j + 1] <= s) j += 2
    let k = j
    while (k < b.length && b[k] < e) {
      if (b[k] > s) out.push(s, b[k])
      s = Math.max(s, b[k + 1])
      k += 2
    }
    if (s < e) out.push(s, e)
  }
  return Float64Array.from(out)
}

/** A pixel box [x1, y1, x2, y2] with x2/y2 on the outer pixel edges (a 1-pixel piece is 1×1). */
export type Box = [number, number, number, number]

export interface Piece {
  area: number
  box: Box
  /** The piece's own pixels, sorted, for overlap with another mask. */
  intervals: Intervals
}

/**
 * 8-connected pieces of a mask given as intervals (ignore pixels already removed), largest first (ties:
 * the first in column-major order). An interval that spans a column boundary is cut into one vertical
 * segment per column; segments of neighbouring columns whose rows touch or overlap diagonally are joined.
 */
export function pieces(a: Intervals, h: number): Piece[] {
  // Segments: column x, rows [y0, y1), start index; in column-major order.
  const segX: number[] = []
  const segY0: number[] = []
  const segY1: number[] = []
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i]
    const e = a[i + 1]
    while (s < e) {
      const x = Math.floor(s / h)
      const colEnd = (x + 1) * h
      const t = Math.min(e, colEnd)
      segX.push(x)
      segY0.push(s - x * h)
      segY1.push(t - x * h)
      s = t
    }
  }
  const n = segX.length
  const parent = Int32Array.from({ length: n }, (_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]
      i = parent[i]
    }
    return i
  }
  // Join with the previous column: two pointers over the segments of columns x - 1 and x.
  let prevStart = 0
  let prevEnd = 0
  let k = 0
  while (k < n) {
    const x = segX[k]
    let end = k
    while (end < n && segX[end] === x) end++
    if (prevEnd > prevStart && segX[prevStart] === x - 1) {
      let p = prevStart
      for (let q = k; q < end; q++) {
        while (p < prevEnd && segY1[p] < segY0[q]) p++
        // 8-connectivity: rows [y0, y1) touch diagonally when y0 <= other y1 and other y0 <= y1.
        for (let r = p; r < prevEnd && segY0[r] <= segY1[q]; r++) {
          if (segY1[r] >= segY0[q]) {
            const ra = find(r)
            const rb = find(q)
            if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
          }
        }
      }
    }
    prevStart = k
    prevEnd = end
    k = end
  }
  const byRoot = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const r = find(i)
    const list = byRoot.get(r)
    if (list) list.push(i)
    else byRoot.set(r, [i])
  }
  const out: (Piece & { first: number })[] = []
  for (const [root, segs] of byRoot) {
    let area = 0
    let x1 = Infinity
    let y1 = Infinity
    let x2 = -Infinity
    let y2 = -Infinity
    const iv = new Float64Array(segs.length * 2)
    segs.forEach((s, j) => {
      area += segY1[s] - segY0[s]
      x1 = Math.min(x1, segX[s])
      x2 = Math.max(x2, segX[s] + 1)
      y1 = Math.min(y1, segY0[s])
      y2 = Math.max(y2, segY1[s])
      iv[2 * j] = segX[s] * h + segY0[s]
      iv[2 * j + 1] = segX[s] * h + segY1[s]
    })
    out.push({ area, box: [x1, y1, x2, y2], intervals: iv, first: root })
  }
  out.sort((p, q) => q.area - p.area || p.first - q.first)
  return out.map(({ area, box, intervals }) => ({ area, box, intervals }))
}

/** Tight box of a mask given as intervals, or null when it is empty. */
export function intervalsBox(a: Intervals, h: number): Box | null {
  if (a.length === 0) return null
  let x1 = Infinity
  let y1 = Infinity
  let x2 = -Infinity
  let y2 = -Infinity
  for (let i = 0; i < a.length; i += 2) {
    const xs = Math.floor(a[i] / h)
    const xe = Math.floor((a[i + 1] - 1) / h)
    x1 = Math.min(x1, xs)
    x2 = Math.max(x2, xe + 1)
    if (xs === xe) {
      y1 = Math.min(y1, a[i] - xs * h)
      y2 = Math.max(y2, a[i + 1] - xe * h)
    } else {
      // The interval wraps a column boundary: it reaches the bottom of column xs and the top of xe.
      y1 = 0
      y2 = h
    }
  }
  return [x1, y1, x2, y2]
}

/** IoU of two boxes in continuous pixel coordinates. */
export function boxIou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]))
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]))
  const inter = iw * ih
  const u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
  return u > 0 ? inter / u : 0
}
