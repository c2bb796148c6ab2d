/**
 * Reasoning-segmentation metrics, computed the way the reference evaluation code does.
 *
 * Seg-Zero / VisionReasoner (`evaluation/calculate_iou_with_bbox.py`, the default): IoU = I / U, or 0 when
 * U = 0; gIoU = mean of the per-sample IoUs; cIoU = ΣI / ΣU, or 0 when ΣU = 0.
 * LISA (`train_ds.py` `validate`): IoU = I / (U + 1e-5), plus 1.0 when U = 0 (an empty GT predicted empty
 * counts as a hit); gIoU = ΣIoU / (n + 1e-5) (`AverageMeter.all_reduce`); cIoU = ΣI / (ΣU + 1e-10).
 * In both, pixels of an ignore region (LISA's label 255) count in neither I nor U.
 * Pure module: counts come from RLE run merging, never from dense masks.
 */
import { area, intersectionUnion, type Rle } from './rle'

export type IouConvention = 'segzero' | 'lisa'

export const IOU_CONVENTIONS: readonly IouConvention[] = ['segzero', 'lisa']

export interface PixelCounts {
  intersection: number
  union: number
}

export interface Aggregate {
  n: number
  gIoU: number
  cIoU: number
}

/** Per-sample IoU from pixel counts under a convention. */
export function sampleIou(
  intersection: number,
  union: number,
  convention: IouConvention = 'segzero',
): number {
  if (convention === 'lisa') return union === 0 ? 1 : intersection / (union + 1e-5)
  return union > 0 ? intersection / union : 0
}

/** gIoU and cIoU over samples; an empty list gives zeros (the reference would print NaN). */
export function aggregate(samples: readonly PixelCounts[], convention: IouConvention = 'segzero'): Aggregate {
  const n = samples.length
  let sumIou = 0
  let sumI = 0
  let sumU = 0
  for (const s of samples) {
    sumIou += sampleIou(s.intersection, s.union, convention)
    sumI += s.intersection
    sumU += s.union
  }
  if (convention === 'lisa') {
    return { n, gIoU: n === 0 ? 0 : sumIou / (n + 1e-5), cIoU: sumI / (sumU + 1e-10) }
  }
  return { n, gIoU: n === 0 ? 0 : sumIou / n, cIoU: sumU > 0 ? sumI / sumU : 0 }
}

/**
 * I and U of a prediction against the ground truth, ignore pixels excluded. A missing prediction (null)
 * is an empty mask: I = 0, U = |GT \ ignore|.
 */
export function maskCounts(pred: Rle | null, gt: Rle, ignore?: Rle | null): PixelCounts {
  if (pred && (pred.h !== gt.h || pred.w !== gt.w)) {
    throw new Error(`prediction is ${pred.h}x${pred.w} but the ground truth is ${gt.h}x${gt.w} (h x w)`)
  }
  if (ignore && (ignore.h !== gt.h || ignore.w !== gt.w)) {
    throw new Error(`ignore mask is ${ignore.h}x${ignore.w} but the ground truth is ${gt.h}x${gt.w} (h x w)`)
  }
  if (!ignore) {
    if (!pred) return { intersection: 0, union: area(gt) }
    return intersectionUnion(pred, gt)
  }
  return maskedCounts(pred ?? { h: gt.h, w: gt.w, counts: Uint32Array.of(gt.h * gt.w) }, gt, ignore)
}

/** Three-way run merge: I = |P ∩ G \ X|, U = |(P ∪ G) \ X|. */
function maskedCounts(a: Rle, b: Rle, x: Rle): PixelCounts {
  const ca = a.counts
  const cb = b.counts
  const cx = x.counts
  let ia = 0
  let ib = 0
  let ix = 0
  let ra = ca.length > 0 ? ca[0] : 0
  let rb = cb.length > 0 ? cb[0] : 0
  let rx = cx.length > 0 ? cx[0] : 0
  let va = 0
  let vb = 0
  let vx = 0
  let inter = 0
  let union = 0
  const total = a.h * a.w
  let done = 0
  while (done < total) {
    while (ra === 0 && ia < ca.length - 1) {
      ra = ca[++ia]
      va ^= 1
    }
    while (rb === 0 && ib < cb.length - 1) {
      rb = cb[++ib]
      vb ^= 1
    }
    while (rx === 0 && ix < cx.length - 1) {
      rx = cx[++ix]
      vx ^= 1
    }
    const step = Math.min(ra, rb, rx)
    if (step === 0) break
    if (!vx) {
      if (va & vb) inter += step
      if (va | vb) union += step
    }
    ra -= step
    rb -= step
    rx -= step
    done += step
  }
  return { intersection: inter, union }
}
