/**
 * VisionReasoner's GRPO reward (Seg-Zero repository, `verl/utils/reward_score/vision_reasoner.py`,
 * `vision_reasoner_compute_score`), term by term and quirk by quirk, so a score here equals the trainer's:
 *
 * - thinking format (0/1): `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", s, re.DOTALL)`;
 * - segmentation format (0…2): `json.loads` of `<answer>\s*(.*?)\s*</answer>`; for each item, 1 for a
 *   `bbox_2d` that is a list of 4 and 1 for a `point_2d` list of 2, each item's credit divided by `len(data)`
 *   and added after the item; an exception part-way (an item that is not a dict) keeps what was added before;
 * - accuracy (0…3): Hungarian matching on `3 − (iou>0.5 + l1<10 + (dist<30 & point in its own box))` over at
 *   most 120 objects a side; hits summed over the matched pairs and divided by max(#pred, #gt); the NumPy
 *   pipeline raises (→ 0) on an empty list, a missing key, a ragged or non-numeric array, or an all-bool box
 *   array (NumPy refuses `bool - bool`), and divides by zero without raising (IEEE inf/NaN);
 * - non-repeat (0/1): `s.split('.')`, stripped, blanks dropped; 0 once a second repeated piece is seen.
 *
 * Pure module.
 */
import { linearSumAssignment } from '../assignment'
import {
  isPyDict,
  PY_WS,
  pyJsonLoads,
  pyLen,
  pyNumber,
  pyStrip,
  type PyDict,
  type PyValue,
} from './pySemantics'

export interface VisionReasonerTerms {
  thinkingFormat: number
  segmentationFormat: number
  accuracy: number
  nonRepeat: number
  total: number
}

export const VR_MAX_OBJECTS = 120

const THINK_FULL_RE = new RegExp(`^<think>[\\s\\S]*?</think>[${PY_WS}]*<answer>[\\s\\S]*?</answer>$`)
const ANSWER_RE = new RegExp(`<answer>[${PY_WS}]*([\\s\\S]*?)[${PY_WS}]*</answer>`)

export function thinkingFormatReward(predict: string): number {
  return THINK_FULL_RE.test(predict) ? 1 : 0
}

/** Group 1 of `re.search(r'<answer>\s*(.*?)\s*</answer>', s, re.DOTALL)`, or null. */
export function answerGroup(predict: string): string | null {
  const m = ANSWER_RE.exec(predict)
  return m ? m[1] : null
}

/** How Python's `'key' in item` behaves for a JSON value: null where it raises TypeError. */
function pyContains(item: PyValue, key: string): boolean | null {
  if (isPyDict(item)) return item.has(key)
  if (typeof item === 'string') return item.includes(key)
  if (Array.isArray(item)) return item.some((e) => e === key)
  return null
}

/** `json.loads` of the answer group: the value, or null when there is no group or it does not parse. */
type AnswerData = { value: PyValue } | null

function answerData(predict: string): AnswerData {
  const group = answerGroup(predict)
  if (group === null) return null
  try {
    return { value: pyJsonLoads(group) }
  } catch {
    return null
  }
}

export function segmentationFormatReward(predict: string): number {
  return formatFromData(answerData(predict))
}

function formatFromData(parsed: AnswerData): number {
  if (!parsed) return 0
  const data = parsed.value
  let reward = 0
  const count = pyLen(data)
  if (count === null) return 0
  // Iterating a dict yields its keys, a str its characters.
  const items: PyValue[] = Array.isArray(data)
    ? data
    : isPyDict(data)
      ? [...data.keys()]
      : [...(data as string)]
  for (const item of items) {
    let cur = 0
    const hasBox = pyContains(item, 'bbox_2d')
    if (hasBox === null) return reward
    if (hasBox) {
      if (!isPyDict(item)) return reward // item['bbox_2d'] on a str or list raises
      const b = item.get('bbox_2d') as PyValue
      if (Array.isArray(b) && b.length === 4) cur += 1
    }
    const hasPoint = pyContains(item, 'point_2d')
    if (hasPoint === null) return reward
    if (hasPoint) {
      if (!isPyDict(item)) return reward
      const p = item.get('point_2d') as PyValue
      if (Array.isArray(p) && p.length === 2) cur += 1
    }
    reward += cur / count
  }
  return reward
}

/** `np.array(rows)` must be a numeric (M, width) array; null where NumPy's pipeline would raise. */
function numericMatrix(rows: PyValue[], width: number, allBoolRaises: boolean): number[][] | null {
  const out: number[][] = []
  let allBool = true
  for (const r of rows) {
    if (!Array.isArray(r) || r.length !== width) return null
    const row: number[] = []
    for (const v of r) {
      const n = pyNumber(v)
      if (n === null) return null
      if (typeof v !== 'boolean') allBool = false
      row.push(n)
    }
    out.push(row)
  }
  if (allBoolRaises && allBool && out.length > 0) return null
  return out
}

/** `[item['bbox_2d'] for item in data]` and the points likewise; null where Python raises. */
function objectColumns(data: PyValue): { boxes: PyValue[]; points: PyValue[] } | null {
  if (!Array.isArray(data)) {
    // A dict iterates keys and a str characters: indexing a str with a str raises. An empty str iterates nothing.
    if (typeof data === 'string' && data.length === 0) return { boxes: [], points: [] }
    if (isPyDict(data) && data.size === 0) return { boxes: [], points: [] }
    return null
  }
  const boxes: PyValue[] = []
  const points: PyValue[] = []
  for (const item of data) {
    if (!isPyDict(item) || !item.has('bbox_2d')) return null
    boxes.push((item as PyDict).get('bbox_2d') as PyValue)
  }
  for (const item of data as PyDict[]) {
    if (!item.has('point_2d')) return null
    points.push(item.get('point_2d') as PyValue)
  }
  return { boxes, points }
}

/** The last ground truth parsed: a group's K rollouts share one, so it is parsed once per group. */
let lastGt: { text: string; columns: { boxes: PyValue[]; points: PyValue[] } | null } | null = null

function groundTruthColumns(groundTruth: string): { boxes: PyValue[]; points: PyValue[] } | null {
  if (lastGt?.text === groundTruth) return lastGt.columns
  let columns: { boxes: PyValue[]; points: PyValue[] } | null
  try {
    columns = objectColumns(pyJsonLoads(groundTruth))
  } catch {
    columns = null
  }
  lastGt = { text: groundTruth, columns }
  return columns
}

export function accuracyReward(predict: string, groundTruth: string): number {
  return accuracyFromData(answerData(predict), groundTruth)
}

function accuracyFromData(parsed: AnswerData, groundTruth: string): number {
  const gt = groundTruthColumns(groundTruth)
  if (!gt || !parsed) return 0
  const pred = objectColumns(parsed.value)
  if (!pred) return 0
  const pb = numericMatrix(pred.boxes.slice(0, VR_MAX_OBJECTS), 4, true)
  const pp = numericMatrix(pred.points.slice(0, VR_MAX_OBJECTS), 2, false)
  const gb = numericMatrix(gt.boxes.slice(0, VR_MAX_OBJECTS), 4, true)
  const gp = numericMatrix(gt.points.slice(0, VR_MAX_OBJECTS), 2, false)
  // An empty array has shape (0,), which np.split(…, axis=1) rejects.
  if (!pb || !pp || !gb || !gp || pb.length === 0 || gb.length === 0) return 0
  const cost = pb.map((b, i) => {
    const p = pp[i]
    const inBox = p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]
    return gb.map((g, j) => {
      const iouHit = boxIouInclusive(b, g) > 0.5 ? 1 : 0
      const l1 =
        (Math.abs(b[0] - g[0]) + Math.abs(b[1] - g[1]) + Math.abs(b[2] - g[2]) + Math.abs(b[3] - g[3])) / 4
      const l1Hit = l1 < 10 ? 1 : 0
      const q = gp[j]
      const dx = p[0] - q[0]
      const dy = p[1] - q[1]
      const pointHit = Math.sqrt(dx * dx + dy * dy) < 30 && inBox ? 1 : 0
      return 3 - (iouHit + l1Hit + pointHit)
    })
  })
  const { pairs, total } = linearSumAssignment(cost)
  return (pairs.length * 3 - total) / Math.max(pb.length, gb.length)
}

/** `batch_iou` for one pair: inclusive pixel corners, NumPy's maximum/minimum (NaN-propagating) and IEEE division. */
export function boxIouInclusive(a: readonly number[], b: readonly number[]): number {
  const xA = Math.max(a[0], b[0])
  const yA = Math.max(a[1], b[1])
  const xB = Math.min(a[2], b[2])
  const yB = Math.min(a[3], b[3])
  const inter = Math.max(0, xB - xA + 1) * Math.max(0, yB - yA + 1)
  const areaA = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
  const areaB = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
  return inter / (areaA + areaB - inter)
}

export function nonRepeatReward(predict: string): number {
  const seen = new Set<string>()
  let repeats = 0
  for (const piece of predict.split('.')) {
    const s = pyStrip(piece)
    if (!s) continue
    if (seen.has(s)) repeats++
    if (repeats >= 2) return 0
    seen.add(s)
  }
  return 1
}

/** `vision_reasoner_compute_score(predict, ground_truth)` with its terms; `total` sums them in the reference's order. */
export function visionReasonerScore(predict: string, groundTruth: string): VisionReasonerTerms {
  const thinkingFormat = thinkingFormatReward(predict)
  // The answer is parsed once for both terms that read it (the reference parses it twice, identically).
  const parsed = answerData(predict)
  const segmentationFormat = formatFromData(parsed)
  const accuracy = accuracyFromData(parsed, groundTruth)
  const nonRepeat = nonRepeatReward(predict)
  const total = thinkingFormat + segmentationFormat + accuracy + nonRepeat
  return { thinkingFormat, segmentationFormat, accuracy, nonRepeat, total }
}
