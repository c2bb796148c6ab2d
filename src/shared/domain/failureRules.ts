/**
 * Failure rules: read *why* a reasoning-segmentation sample failed off what the store keeps for it (GT and
 * ignore masks, the predicted mask, the run's boxes, the parse error, the oracle run's IoU) and propose one
 * failure tag with the numbers that fired the rule and a confidence. Pure module; every threshold lives in
 * `DEFAULT_FAILURE_THRESHOLDS` (a project may override any of them).
 *
 * Measures (ignore pixels removed from GT and prediction first, as the metrics do):
 *   precision = |P ∩ G| / |P|   share of the prediction inside the GT
 *   recall    = |P ∩ G| / |G|   share of the GT covered
 *   areaRatio = |P| / |G|
 *   boxIou    = IoU of the run's box with the GT's tight box (best over the run's boxes). With several GT
 *               pieces and several boxes (a multi-object answer), the mean over GT pieces of the best box
 *               per piece. The run's boxes are its prompts' boxes, else the predicted mask's tight box.
 *   pieces    = 8-connected GT pieces of at least `pieceMinShare` of the largest one (smaller = specks)
 *
 * Rules, tried in this order; the first that fires is the proposal, the others that fire are kept as
 * alternatives. The order puts the mask-shape rules before the box rules because a partial or grown mask
 * drags the box with it (the run's box is usually drawn around its own mask):
 *   format failure      no prediction, or an unparseable answer
 *   wrong object        the prediction (almost) disjoint from the GT: precision and recall ≤ disjointMaxOverlap;
 *                       also any non-empty prediction for an empty GT
 *   missed objects      ≥ 2 GT pieces, some found (recall ≥ pieceFoundRecall), the others not, and the missed
 *                       ones hold ≥ missedMinShare of the GT; also an answer with no object at all
 *   partial object      precision ≥ partialMinPrecision and recall ≤ partialMaxRecall
 *   over-segmentation   recall ≥ overMinRecall and areaRatio ≥ overMinAreaRatio
 *   reasoning correct   boxIou ≥ boxCloseIou while the mask is poor, or the oracle (GT-box) segmentation
 *   but mask wrong      reaches oracleGoodIou and the run's box is at least near (boxIou ≥ boxNearIou). The
 *                       oracle alone is not enough: with a far box it means the *localization* failed.
 *   localization off    boxes overlap (boxIou > 0) but the centres are offset by ≥ locMinOffset of the GT
 *                       box's diagonal
 * A success (IoU ≥ failureIou) gets no proposal; neither does a failure no rule explains, nor an empty GT
 * predicted empty (a correct "nothing here" that the Seg-Zero convention scores as IoU 0).
 *
 * Confidence is 0.5 at a rule's threshold and grows linearly to 1 at the far end of its measure (see
 * `confidenceOf` per rule); format failures are certain (1).
 */
import type { Rle } from './rle'
import {
  boxIou,
  intervalArea,
  intervalsBox,
  intervalsOf,
  overlap,
  pieces,
  subtract,
  type Box,
} from './rlePieces'

/** Bumped whenever a rule changes meaning, so stored proposals from older rules are recomputed. */
export const FAILURE_RULES_VERSION = 1

export const FAILURE_TAGS = [
  'format failure',
  'wrong object',
  'missed objects',
  'partial object',
  'over-segmentation',
  'reasoning correct but mask wrong',
  'localization off',
] as const
export type FailureTag = (typeof FAILURE_TAGS)[number]

/** Colours and descriptions for the tags the rules propose that the default taxonomy lacks. */
export const FAILURE_TAG_INFO: Record<FailureTag, { color: string; description: string }> = {
  'format failure': {
    color: '#6e56cf',
    description: 'No prediction, or the answer could not be parsed.',
  },
  'wrong object': {
    color: '#e5484d',
    description: 'The mask covers a different object than the query means.',
  },
  'missed objects': {
    color: '#12a594',
    description: 'The target has several pieces and only some were found.',
  },
  'partial object': { color: '#f76b15', description: 'Right object, but only part of it is covered.' },
  'over-segmentation': { color: '#ffc53d', description: 'The mask spills beyond the object.' },
  'reasoning correct but mask wrong': {
    color: '#8e4ec6',
    description: 'The reasoning names the right object; the segmentation stage failed.',
  },
  'localization off': { color: '#46a758', description: 'The box or points are misplaced.' },
}

export interface FailureThresholds {
  /** A sample is a failure below this IoU (stage attribution's success threshold). */
  failureIou: number
  /** wrong object: precision and recall both at most this. */
  disjointMaxOverlap: number
  /** GT pieces smaller than this share of the largest piece are specks, not objects. */
  pieceMinShare: number
  /** missed objects: a GT piece is found when at least this share of it is covered. */
  pieceFoundRecall: number
  /** missed objects: the pieces not found hold at least this share of the GT. */
  missedMinShare: number
  /** partial object: at least this share of the prediction inside the GT... */
  partialMinPrecision: number
  /** ...covering at most this share of it. */
  partialMaxRecall: number
  /** over-segmentation: at least this share of the GT covered... */
  overMinRecall: number
  /** ...by a prediction at least this many times the GT's area. */
  overMinAreaRatio: number
  /** reasoning correct but mask wrong: run box IoU with the GT box at least this. */
  boxCloseIou: number
  /** ...or the oracle run's IoU at least this while the run's box IoU is at least boxNearIou. */
  oracleGoodIou: number
  boxNearIou: number
  /** localization off: box centres apart by at least this share of the GT box's diagonal. */
  locMinOffset: number
}

export const DEFAULT_FAILURE_THRESHOLDS: Readonly<FailureThresholds> = Object.freeze({
  failureIou: 0.5,
  disjointMaxOverlap: 0.1,
  pieceMinShare: 0.05,
  pieceFoundRecall: 0.5,
  missedMinShare: 0.2,
  partialMinPrecision: 0.8,
  partialMaxRecall: 0.6,
  overMinRecall: 0.8,
  overMinAreaRatio: 1.5,
  boxCloseIou: 0.7,
  oracleGoodIou: 0.5,
  boxNearIou: 0.5,
  locMinOffset: 0.1,
})

export const THRESHOLD_KEYS = Object.keys(DEFAULT_FAILURE_THRESHOLDS) as (keyof FailureThresholds)[]

/** Defaults with a project's overrides on top; unknown keys and non-finite values are ignored. */
export function resolveThresholds(
  overrides: Partial<Record<string, unknown>> | null | undefined,
): FailureThresholds {
  const t: FailureThresholds = { ...DEFAULT_FAILURE_THRESHOLDS }
  for (const k of THRESHOLD_KEYS) {
    const v = overrides?.[k]
    if (typeof v === 'number' && Number.isFinite(v)) t[k] = v
  }
  return t
}

export interface SampleEvidenceInput {
  gt: Rle
  ignore?: Rle | null
  /** The predicted mask; null when the run has no prediction or no mask for this sample. */
  pred: Rle | null
  /** Whether the run has a prediction row at all. */
  predicted: boolean
  parseError?: string | null
  /** The run's object boxes [x1, y1, x2, y2] (from its prompts), one per answered object. */
  boxes?: readonly (readonly number[])[]
  /** Whether the run's answer is known to list no object at all (parsed, empty list). */
  answeredNothing?: boolean
  /** IoU of the oracle run (GT-box prompts, same segmenter), when one was attributed. */
  oracleIou?: number | null
}

export type Evidence = Record<string, number>

export interface Proposal {
  tag: FailureTag
  confidence: number
  evidence: Evidence
}

export interface Assessment {
  iou: number
  failure: boolean
  /** The first rule that fired, or null (success, unexplained failure, or nothing to explain). */
  proposal: Proposal | null
  /** Every rule that fired, in rule order (the proposal first). */
  fired: Proposal[]
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x)
/** 0.5 at the threshold, 1 at `far`, linear between (far may lie below or above the threshold). */
const confidenceOf = (value: number, threshold: number, far: number) =>
  far === threshold ? 1 : 0.5 + 0.5 * clamp01((value - threshold) / (far - threshold))

export function assessSample(
  input: SampleEvidenceInput,
  t: FailureThresholds = DEFAULT_FAILURE_THRESHOLDS,
): Assessment {
  const { gt } = input
  const h = gt.h
  if (input.pred && (input.pred.h !== gt.h || input.pred.w !== gt.w)) {
    throw new Error(`prediction is ${input.pred.h}x${input.pred.w} but the ground truth is ${gt.h}x${gt.w}`)
  }
  const ignore = input.ignore ? intervalsOf(input.ignore) : null
  const clean = (r: Rle) => (ignore && ignore.length ? subtract(intervalsOf(r), ignore) : intervalsOf(r))
  const G = clean(gt)
  const gArea = intervalArea(G)

  if (!input.predicted || input.parseError) {
    const p: Proposal = {
      tag: 'format failure',
      confidence: 1,
      evidence: input.predicted ? { parseError: 1, gtArea: gArea } : { missing: 1, gtArea: gArea },
    }
    return { iou: 0, failure: true, proposal: p, fired: [p] }
  }
  if (!input.pred) {
    // A parsed answer with no stored mask (evaluation outputs that keep only I and U): nothing to read.
    return { iou: 0, failure: true, proposal: null, fired: [] }
  }
  const P = clean(input.pred)
  const pArea = intervalArea(P)
  const inter = overlap(P, G)
  const union = gArea + pArea - inter
  const iou = union > 0 ? inter / union : 0
  const failure = iou < t.failureIou
  if (!failure) return { iou, failure, proposal: null, fired: [] }

  const fired: Proposal[] = []
  const fire = (tag: FailureTag, confidence: number, evidence: Evidence) =>
    fired.push({ tag, confidence, evidence: { iou, ...evidence } })

  if (gArea === 0) {
    // Nothing to find: a non-empty prediction points at something that is not there.
    if (pArea > 0) fire('wrong object', 0.5, { gtArea: 0, predArea: pArea })
    return done(iou, fired)
  }
  const precision = pArea > 0 ? inter / pArea : 0
  const recall = inter / gArea
  const areaRatio = pArea / gArea

  const allPieces = pieces(G, h, P)
  const significant = allPieces.filter((p) => p.area >= t.pieceMinShare * allPieces[0].area)
  const gtBox = intervalsBox(G, h) as Box
  const predBox = intervalsBox(P, h)
  const runBoxes: Box[] =
    input.boxes && input.boxes.length > 0
      ? input.boxes.filter((b) => b.length === 4).map((b) => [b[0], b[1], b[2], b[3]])
      : predBox
        ? [predBox]
        : []
  const boxSource = input.boxes && input.boxes.length > 0 ? 1 : 0
  let bIou = 0
  let bestBox: Box | null = null
  if (significant.length >= 2 && runBoxes.length >= 2) {
    let s = 0
    for (const piece of significant) s += Math.max(...runBoxes.map((b) => boxIou(b, piece.box)))
    bIou = s / significant.length
  } else {
    for (const b of runBoxes) {
      const v = boxIou(b, gtBox)
      if (bestBox === null || v > bIou) {
        bIou = v
        bestBox = b
      }
    }
  }

  if (pArea === 0) {
    // The answer parsed but the mask is empty.
    if (runBoxes.length > 0 && bIou >= t.boxCloseIou) {
      fire('reasoning correct but mask wrong', confidenceOf(bIou, t.boxCloseIou, 1), {
        boxIou: bIou,
        predArea: 0,
        boxFromPrompts: boxSource,
      })
    } else {
      fire('missed objects', 0.5 + 0.5 * (input.answeredNothing ? 1 : 0), {
        pieces: significant.length,
        found: 0,
        missedShare: 1,
        predArea: 0,
        objectsAnswered: runBoxes.length,
      })
    }
    return done(iou, fired)
  }

  if (precision <= t.disjointMaxOverlap && recall <= t.disjointMaxOverlap) {
    fire('wrong object', confidenceOf(Math.max(precision, recall), t.disjointMaxOverlap, 0), {
      precision,
      recall,
    })
  }

  if (significant.length >= 2) {
    const recalls = significant.map((p) => p.overlap / p.area)
    const found = recalls.filter((r) => r >= t.pieceFoundRecall).length
    const missedArea = significant.reduce((s, p, i) => s + (recalls[i] < t.pieceFoundRecall ? p.area : 0), 0)
    const missedShare = missedArea / gArea
    if (found >= 1 && found < significant.length && missedShare >= t.missedMinShare) {
      const ev: Evidence = { pieces: significant.length, found, missedShare }
      recalls.forEach((r, i) => (ev[`piece${i + 1}Recall`] = r))
      fire('missed objects', confidenceOf(missedShare, t.missedMinShare, 1 - 1 / significant.length), ev)
    }
  }

  if (precision >= t.partialMinPrecision && recall <= t.partialMaxRecall) {
    fire(
      'partial object',
      Math.min(
        confidenceOf(precision, t.partialMinPrecision, 1),
        confidenceOf(recall, t.partialMaxRecall, 0),
      ),
      { precision, recall },
    )
  }

  if (recall >= t.overMinRecall && areaRatio >= t.overMinAreaRatio) {
    fire(
      'over-segmentation',
      Math.min(
        confidenceOf(recall, t.overMinRecall, 1),
        confidenceOf(areaRatio, t.overMinAreaRatio, 2 * t.overMinAreaRatio),
      ),
      { recall, areaRatio },
    )
  }

  const oracle = input.oracleIou ?? null
  if (runBoxes.length > 0 && bIou >= t.boxCloseIou) {
    const ev: Evidence = { boxIou: bIou, boxFromPrompts: boxSource }
    if (oracle != null) ev.oracleIou = oracle
    fire('reasoning correct but mask wrong', confidenceOf(bIou, t.boxCloseIou, 1), ev)
  } else if (oracle != null && oracle >= t.oracleGoodIou && bIou >= t.boxNearIou) {
    fire('reasoning correct but mask wrong', confidenceOf(oracle, t.oracleGoodIou, 1), {
      boxIou: bIou,
      boxFromPrompts: boxSource,
      oracleIou: oracle,
    })
  }

  if (bIou > 0 && bestBox) {
    const cx = (b: Box) => (b[0] + b[2]) / 2
    const cy = (b: Box) => (b[1] + b[3]) / 2
    const diag = Math.hypot(gtBox[2] - gtBox[0], gtBox[3] - gtBox[1])
    const offset = Math.hypot(cx(bestBox) - cx(gtBox), cy(bestBox) - cy(gtBox)) / diag
    if (offset >= t.locMinOffset) {
      // 0.5 of the diagonal apart is as far as overlapping boxes of similar size go.
      fire('localization off', confidenceOf(offset, t.locMinOffset, 0.5), {
        boxIou: bIou,
        centreOffset: offset,
        boxFromPrompts: boxSource,
      })
    }
  }
  return done(iou, fired)
}

function done(iou: number, fired: Proposal[]): Assessment {
  return { iou, failure: true, proposal: fired[0] ?? null, fired }
}
