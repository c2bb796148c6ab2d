/**
 * What the review canvas draws for the evidence, on top of the GT and prediction masks: the outline of
 * every GT piece's box (the run's own boxes are drawn as its prompts), so a disjoint, offset or partial
 * answer is visible at a glance. A row-major 0/1 raster, handed to the canvas as its comparison layer.
 */
import { DEFAULT_FAILURE_THRESHOLDS } from '../../../../shared/domain/failureRules'
import { fromCoco } from '../../../../shared/domain/rle'
import { intervalsOf, pieces } from '../../../../shared/domain/rlePieces'

/** Pieces below this share of the largest are specks (the rules' default pieceMinShare). */
const MIN_SHARE = DEFAULT_FAILURE_THRESHOLDS.pieceMinShare

export function gtBoxOutlines(
  gt: { size: [number, number] | number[]; counts: string },
  thickness = 2,
): Uint8Array {
  const rle = fromCoco(gt)
  const { h, w } = rle
  const out = new Uint8Array(w * h)
  const ps = pieces(intervalsOf(rle), h)
  if (ps.length === 0) return out
  for (const p of ps.filter((q) => q.area >= MIN_SHARE * ps[0].area)) {
    const [x1, y1, x2, y2] = p.box
    for (let y = y1; y < y2; y++) {
      for (let x = x1; x < x2; x++) {
        const edge = x < x1 + thickness || x >= x2 - thickness || y < y1 + thickness || y >= y2 - thickness
        if (edge) out[y * w + x] = 1
      }
    }
  }
  return out
}
