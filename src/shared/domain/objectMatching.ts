/**
 * Per-object scores of a multi-object answer: each predicted object is matched one-to-one to the
 * ground-truth piece it overlaps (maximum total mask IoU, the Hungarian assignment), and scored against
 * that piece alone. GT pieces are the GT's objects where a dataset lists them, else the connected
 * components of the GT mask (8-connected, as the oracle prompts split it).
 */
import { labelComponents } from './components'
import { maskCounts, sampleIou } from './metrics'
import { decodeRowMajor, emptyRle, encodeRowMajor, type Rle } from './rle'

export interface ObjectMatch {
  /** Index of the matched GT piece, null when the object overlaps no unmatched piece. */
  gtIndex: number | null
  intersection: number
  union: number
  /** IoU against the matched piece (0 when unmatched). */
  iou: number
}

/** Largest pieces kept when a GT mask falls apart into many specks (the rest cannot change a match much). */
export const MAX_GT_PIECES = 64

/** The GT mask's 8-connected components, largest first (at most MAX_GT_PIECES). */
export function gtPieces(gt: Rle): Rle[] {
  const dense = decodeRowMajor(gt)
  const { labels, sizes } = labelComponents(dense, gt.w, gt.h, 8)
  const order = sizes
    .map((size, id) => ({ id, size }))
    .filter((c) => c.id > 0)
    .sort((a, b) => b.size - a.size || a.id - b.id)
    .slice(0, MAX_GT_PIECES)
  return order.map(({ id }) => {
    const m = new Uint8Array(dense.length)
    for (let i = 0; i < labels.length; i++) if (labels[i] === id) m[i] = 1
    return encodeRowMajor(m, gt.h, gt.w)
  })
}

/**
 * Matches objects to GT pieces one-to-one maximising the summed IoU (ignore pixels excluded) and scores
 * each object against its piece. Pairs without overlap are left unmatched.
 */
export function matchObjects(
  objects: readonly Rle[],
  pieces: readonly Rle[],
  ignore?: Rle | null,
): ObjectMatch[] {
  const counts = objects.map((o) => pieces.map((p) => maskCounts(o, p, ignore)))
  const iou = counts.map((row) => row.map((c) => sampleIou(c.intersection, c.union)))
  const assignment = maxAssignment(iou, objects.length, pieces.length)
  return objects.map((o, i) => {
    const j = assignment[i]
    if (j < 0 || iou[i][j] <= 0) {
      const own = maskCounts(o, emptyRle(o.h, o.w), ignore)
      return { gtIndex: null, intersection: 0, union: own.union, iou: 0 }
    }
    return { gtIndex: j, ...counts[i][j], iou: iou[i][j] }
  })
}

/**
 * Rows assigned to columns (or -1) maximising the total weight: the Hungarian method (Jonker-Volgenant
 * potentials form) on a square padding of the matrix. O(n³) for n = max(rows, cols).
 */
export function maxAssignment(weight: readonly (readonly number[])[], rows: number, cols: number): number[] {
  const n = Math.max(rows, cols)
  if (n === 0) return []
  let max = 0
  for (const r of weight) for (const v of r) max = Math.max(max, v)
  // Minimise cost = max - weight; padded cells cost `max` (weight 0).
  const cost = (i: number, j: number) => (i < rows && j < cols ? max - weight[i][j] : max)
  const u = new Float64Array(n + 1)
  const v = new Float64Array(n + 1)
  const p = new Int32Array(n + 1) // p[j] = row (1-based) assigned to column j
  const way = new Int32Array(n + 1)
  for (let i = 1; i <= n; i++) {
    p[0] = i
    let j0 = 0
    const minv = new Float64Array(n + 1).fill(Infinity)
    const used = new Uint8Array(n + 1)
    do {
      used[j0] = 1
      const i0 = p[j0]
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j]
        if (cur < minv[j]) {
          minv[j] = cur
          way[j] = j0
        }
        if (minv[j] < delta) {
          delta = minv[j]
          j1 = j
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta
          v[j] -= delta
        } else minv[j] -= delta
      }
      j0 = j1
    } while (p[j0] !== 0)
    do {
      const j1 = way[j0]
      p[j0] = p[j1]
      j0 = j1
    } while (j0)
  }
  const out = new Array<number>(rows).fill(-1)
  for (let j = 1; j <= n; j++) if (p[j] - 1 < rows && j - 1 < cols) out[p[j] - 1] = j - 1
  return out
}
