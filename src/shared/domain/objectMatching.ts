/**
 * Per-object scores of a multi-object answer: each predicted object is matched one-to-one to the
 * ground-truth piece it overlaps (maximum total mask IoU, the Hungarian assignment), and scored against
 * that piece alone. GT pieces are the GT's objects where a dataset lists them, else the connected
 * components of the GT mask (8-connected, as the oracle prompts split it).
 */
import { linearSumAssignment } from './assignment'
import { labelComponents } from './components'
import { maskCounts, sampleIou } from './metrics'
import { decodeRowMajor, emptyRle, type Rle } from './rle'

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
  const { h, w } = gt
  const { labels, sizes } = labelComponents(decodeRowMajor(gt), w, h, 8)
  const order = sizes
    .map((size, id) => ({ id, size }))
    .filter((c) => c.id > 0)
    .sort((a, b) => b.size - a.size || a.id - b.id)
    .slice(0, MAX_GT_PIECES)
  // Every kept piece's column-major runs in one pass over the labels (this runs on each prompt edit, and a
  // GT with many specks would otherwise cost a full-image mask and encode per piece).
  const slot = new Int32Array(sizes.length).fill(-1)
  order.forEach(({ id }, k) => (slot[id] = k))
  const runs = order.map((): number[] => [])
  const next = new Float64Array(order.length) // column-major index just past each piece's last pixel
  for (let x = 0, p = 0; x < w; x++) {
    for (let i = x; i < labels.length; i += w, p++) {
      const k = slot[labels[i]]
      if (k < 0) continue
      const r = runs[k]
      if (r.length > 0 && next[k] === p) r[r.length - 1]++
      else r.push(p - next[k], 1)
      next[k] = p + 1
    }
  }
  return runs.map((r, k) => {
    if (next[k] < h * w) r.push(h * w - next[k])
    return { h, w, counts: Uint32Array.from(r) }
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

/** Rows assigned to columns (or -1) maximising the total weight: min(rows, cols) pairs, as SciPy's
 * `linear_sum_assignment(weight, maximize=True)` chooses them. */
export function maxAssignment(weight: readonly (readonly number[])[], rows: number, cols: number): number[] {
  const out = new Array<number>(rows).fill(-1)
  if (rows === 0 || cols === 0) return out
  const cost = weight.slice(0, rows).map((r) => r.slice(0, cols).map((w) => -w))
  for (const [r, c] of linearSumAssignment(cost).pairs) out[r] = c
  return out
}
