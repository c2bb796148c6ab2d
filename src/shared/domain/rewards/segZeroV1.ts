/**
 * The first Seg-Zero release's GRPO reward (Seg-Zero repository, `verl/utils/reward_score/seg.py`,
 * `seg_compute_score`): five 0/1 terms, each with its own parse of the answer, quirks kept:
 *
 * - thinking format: the same full-match regex as VisionReasoner's;
 * - segmentation format: `json.loads` of the first `{[^}]+}` anywhere in the text (no nesting); the first key
 *   containing "bbox" (case-insensitive) must have `len == 4` and at least two other keys containing "point"
 *   must have `len == 2` — any sized value passes (a 4-character string is a valid "box");
 * - box IoU > 0.5: inclusive corners, but an overlap only counts when `x1 < x2 and y1 < y2` strictly (a
 *   one-pixel-wide overlap is 0, unlike VisionReasoner's), Python's order-dependent max/min with NaN, and a
 *   zero union raises (→ 0);
 * - box L1 < 10: mean absolute difference of the four coordinates;
 * - points: the first two keys containing "points" (plural, unlike the format term), each coordinate through
 *   `int()` (truncation; digit strings parse), both inside the predicted box, and the mean distance to the
 *   two GT points in the better of the two orders < 100.
 * Ground truth is `<box>(x1,y1),(x2,y2)</box>` and `<points>(x1,y1),(x2,y2)</points>`; where either is
 * missing the terms that need it are 0 (a NameError in the reference).
 *
 * Pure module.
 */
import { thinkingFormatReward } from './visionReasoner'
import {
  isPyDict,
  pyIndex,
  pyInt,
  pyJsonLoads,
  pyLen,
  pyNumber,
  type PyDict,
  type PyValue,
} from './pySemantics'

export interface SegZeroV1Terms {
  thinkingFormat: number
  segmentationFormat: number
  iou: number
  pointL1: number
  boxL1: number
  total: number
}

const FIRST_OBJECT_RE = /\{[^}]+\}/
const GT_BOX_RE = /<box>\(([0-9]+),([0-9]+)\),\(([0-9]+),([0-9]+)\)<\/box>/
const GT_POINTS_RE = /<points>\(([0-9]+),([0-9]+)\),\(([0-9]+),([0-9]+)\)<\/points>/

/** The ground-truth string of the first release for one box and two points. */
export function segZeroV1GroundTruth(
  box: readonly number[],
  points: ReadonlyArray<readonly number[]>,
): string {
  const [p, q] = points
  return `<box>(${box[0]},${box[1]}),(${box[2]},${box[3]})</box><points>(${p[0]},${p[1]}),(${q[0]},${q[1]})</points>`
}

/** `json.loads` of the first `{…}` without a `}` inside; null when there is none or it does not parse. */
function firstObject(predict: string): PyDict | null {
  const m = FIRST_OBJECT_RE.exec(predict)
  if (!m) return null
  try {
    const v = pyJsonLoads(m[0])
    return isPyDict(v) ? v : null
  } catch {
    return null
  }
}

export function v1SegmentationFormatReward(predict: string): number {
  const data = firstObject(predict)
  if (!data) return 0
  let bboxKey: string | null = null
  const pointKeys: string[] = []
  for (const key of data.keys()) {
    const low = key.toLowerCase()
    if (low.includes('bbox') && bboxKey === null) bboxKey = key
    else if (low.includes('point')) pointKeys.push(key)
  }
  if (!(bboxKey && pointKeys.length >= 2)) return 0
  if (pyLen(data.get(bboxKey) as PyValue) !== 4) return 0
  for (const key of pointKeys.slice(0, 2)) if (pyLen(data.get(key) as PyValue) !== 2) return 0
  return 1
}

/** The value of the first key containing "bbox" when `len(value) == 4`; undefined otherwise. */
function predictedBox(data: PyDict): PyValue | undefined {
  const key = [...data.keys()].find((k) => k.toLowerCase().includes('bbox'))
  if (key === undefined) return undefined
  const v = data.get(key) as PyValue
  return pyLen(v) === 4 ? v : undefined
}

/** A list of four Python numbers as doubles; null where indexing or arithmetic on it would raise. */
function numericBox(v: PyValue | undefined): number[] | null {
  if (!Array.isArray(v) || v.length !== 4) return null
  const out = v.map(pyNumber)
  return out.every((n): n is number => n !== null) ? out : null
}

function groundTruthBox(gt: string): number[] | null {
  const m = GT_BOX_RE.exec(gt.trim())
  return m ? m.slice(1, 5).map(Number) : null
}

/** Python's `max(a, b)`: the first argument unless the second compares greater (so NaN handling is order-dependent). */
const pyMax = (a: number, b: number): number => (b > a ? b : a)
const pyMin = (a: number, b: number): number => (b < a ? b : a)

/** seg.py's `iou`; null where it raises ZeroDivisionError. */
export function v1BoxIou(a: readonly number[], b: readonly number[]): number | null {
  const ix1 = pyMax(a[0], b[0])
  const iy1 = pyMax(a[1], b[1])
  const ix2 = pyMin(a[2], b[2])
  const iy2 = pyMin(a[3], b[3])
  const inter = ix1 < ix2 && iy1 < iy2 ? (ix2 - ix1 + 1) * (iy2 - iy1 + 1) : 0
  const area1 = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
  const area2 = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
  const union = area1 + area2 - inter
  if (union === 0) return null
  return inter / union
}

/** The first object's box and the ground-truth box, both numeric; null where the reference scores 0. */
function v1Boxes(predict: string, groundTruth: string): { b: number[]; gt: number[] } | null {
  const gt = groundTruthBox(groundTruth)
  const data = firstObject(predict)
  if (!data) return null
  const box = predictedBox(data)
  if (box === undefined) return null
  const b = numericBox(box)
  return b && gt ? { b, gt } : null
}

export function v1IouReward(predict: string, groundTruth: string): number {
  const boxes = v1Boxes(predict, groundTruth)
  if (!boxes) return 0
  const iou = v1BoxIou(boxes.b, boxes.gt)
  return iou !== null && iou > 0.5 ? 1 : 0
}

export function v1BoxL1Reward(predict: string, groundTruth: string): number {
  const boxes = v1Boxes(predict, groundTruth)
  if (!boxes) return 0
  const { b, gt } = boxes
  const l1 =
    (Math.abs(b[0] - gt[0]) + Math.abs(b[1] - gt[1]) + Math.abs(b[2] - gt[2]) + Math.abs(b[3] - gt[3])) / 4
  return l1 < 10 ? 1 : 0
}

/** `[int(p[0]), int(p[1])]`; null where indexing or int() raises. */
function intPoint(v: PyValue | undefined): [number, number] | null {
  if (v === undefined || isPyDict(v)) return null
  const x = pyInt(pyIndex(v, 0))
  const y = pyInt(pyIndex(v, 1))
  return x === null || y === null ? null : [x, y]
}

export function v1PointReward(predict: string, groundTruth: string): number {
  const m = GT_POINTS_RE.exec(groundTruth)
  const gt = m ? [m.slice(1, 3).map(Number), m.slice(3, 5).map(Number)] : null
  const data = firstObject(predict)
  if (!data) return 0
  const keys = [...data.keys()].filter((k) => k.toLowerCase().includes('points')).slice(0, 2)
  if (keys.length !== 2) return 0
  const p1 = intPoint(data.get(keys[0]))
  const p2 = intPoint(data.get(keys[1]))
  // The box is read before the points; a missing one is a NameError once the points are checked.
  const b = numericBox(predictedBox(data))
  if (!p1 || !p2 || !b || !gt) return 0
  const inBox = (p: number[]) => b[0] <= p[0] && p[0] <= b[2] && b[1] <= p[1] && p[1] <= b[3]
  if (!inBox(p1) || !inBox(p2)) return 0
  const d = (p: number[], q: number[]) => Math.sqrt((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2)
  const dist1 = d(p1, gt[0]) + d(p2, gt[1])
  const dist2 = d(p1, gt[1]) + d(p2, gt[0])
  return pyMin(dist1, dist2) / 2 < 100 ? 1 : 0
}

/** `seg_compute_score(predict, ground_truth)` with its terms; `total` sums them in the reference's order. */
export function segZeroV1Score(predict: string, groundTruth: string): SegZeroV1Terms {
  const thinkingFormat = thinkingFormatReward(predict)
  const segmentationFormat = v1SegmentationFormatReward(predict)
  const iou = v1IouReward(predict, groundTruth)
  const pointL1 = v1PointReward(predict, groundTruth)
  const boxL1 = v1BoxL1Reward(predict, groundTruth)
  const total = iou + thinkingFormat + segmentationFormat + pointL1 + boxL1
  return { thinkingFormat, segmentationFormat, iou, pointL1, boxL1, total }
}
