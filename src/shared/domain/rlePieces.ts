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
  /** Pixels the piece shares with the `other` mask passed to `pieces` (0 without one). */
  overlap: number
}

/**
 * 8-connected pieces of a mask given as intervals (ignore pixels already removed), largest first (ties:
 * the first in column-major order), each with its overlap with `other`. An interval that spans a column
 * boundary is cut into one vertical segment per column; segments of neighbouring columns whose rows touch
 * or overlap diagonally are joined. Typed arrays throughout: this runs once per failure.
 */
export function pieces(a: Intervals, h: number, other?: Intervals): Piece[] {
  let n = 0
  for (let i = 0; i < a.length; i += 2) n += Math.floor((a[i + 1] - 1) / h) - Math.floor(a[i] / h) + 1
  const segX = new Int32Array(n)
  const segY0 = new Int32Array(n)
  const segY1 = new Int32Array(n)
  let k = 0
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i]
    const e = a[i + 1]
    while (s < e) {
      const x = Math.floor(s / h)
      const t = Math.min(e, (x + 1) * h)
      segX[k] = x
      segY0[k] = s - x * h
      segY1[k] = t - x * h
      k++
      s = t
    }
  }
  // Union-find; the root of a set is its smallest segment index, i.e. its first in column-major order.
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]
      i = parent[i]
    }
    return i
  }
  let prevStart = 0
  let prevEnd = 0
  k = 0
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
            if (ra !== rb) {
              if (ra < rb) parent[rb] = ra
              else parent[ra] = rb
            }
          }
        }
      }
    }
    prevStart = k
    prevEnd = end
    k = end
  }
  const area = new Float64Array(n)
  const shared = new Float64Array(n)
  const x1 = new Int32Array(n)
  const y1 = new Int32Array(n)
  const x2 = new Int32Array(n)
  const y2 = new Int32Array(n)
  const roots: number[] = []
  let j = 0
  for (let i = 0; i < n; i++) {
    const r = find(i)
    const s = segX[i] * h + segY0[i]
    const e = segX[i] * h + segY1[i]
    if (r === i) {
      roots.push(i)
      x1[i] = segX[i]
      x2[i] = segX[i] + 1
      y1[i] = segY0[i]
      y2[i] = segY1[i]
    } else {
      if (segX[i] + 1 > x2[r]) x2[r] = segX[i] + 1
      if (segY0[i] < y1[r]) y1[r] = segY0[i]
      if (segY1[i] > y2[r]) y2[r] = segY1[i]
    }
    area[r] += e - s
    if (other) {
      // Segments come in column-major order, so one forward pointer into `other` serves them all.
      while (j < other.length && other[j + 1] <= s) j += 2
      for (let m = j; m < other.length && other[m] < e; m += 2) {
        shared[r] += Math.min(e, other[m + 1]) - Math.max(s, other[m])
      }
    }
  }
  roots.sort((p, q) => area[q] - area[p] || p - q)
  return roots.map((r) => ({ area: area[r], box: [x1[r], y1[r], x2[r], y2[r]], overlap: shared[r] }))
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

/** IoU of two [x1, y1, x2, y2] boxes in continuous pixel coordinates (a pixel spans [x, x + 1)). */
export function boxIou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]))
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]))
  const inter = iw * ih
  const u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
  return u > 0 ? inter / u : 0
}
