/**
 * Every rule on hand-built masks; the expected evidence numbers are counted by hand from the pictures
 * (the comments give the counts), not taken from the code.
 */
import { describe, expect, it } from 'vitest'
import {
  assessSample,
  DEFAULT_FAILURE_THRESHOLDS,
  resolveThresholds,
  type SampleEvidenceInput,
} from '../../../../src/shared/domain/failureRules'
import { emptyRle, encodeRowMajor, type Rle } from '../../../../src/shared/domain/rle'

/** A w×h mask with the given [x1, y1, x2, y2] rectangles (x2/y2 exclusive) filled. */
function rects(w: number, h: number, ...rs: [number, number, number, number][]): Rle {
  const m = new Uint8Array(w * h)
  for (const [x1, y1, x2, y2] of rs)
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) m[y * w + x] = 1
  return encodeRowMajor(m, h, w)
}

const base = (gt: Rle, pred: Rle | null, extra: Partial<SampleEvidenceInput> = {}): SampleEvidenceInput => ({
  gt,
  pred,
  predicted: true,
  ...extra,
})

describe('failure rules', () => {
  it('format failure: no prediction, or an unparseable answer', () => {
    const gt = rects(10, 10, [0, 0, 3, 3])
    const missing = assessSample({ gt, pred: null, predicted: false })
    expect(missing.proposal).toEqual({
      tag: 'format failure',
      confidence: 1,
      evidence: { missing: 1, gtArea: 9 },
    })
    const bad = assessSample({ gt, pred: null, predicted: true, parseError: 'truncated' })
    expect(bad.proposal?.tag).toBe('format failure')
    expect(bad.proposal?.evidence).toEqual({ parseError: 1, gtArea: 9 })
  })

  it('wrong object: disjoint prediction, certain; no box rule since the boxes do not overlap', () => {
    // GT 3×3 at the top left (9 px), prediction 2×2 at (6,6): I = 0.
    const a = assessSample(base(rects(10, 10, [0, 0, 3, 3]), rects(10, 10, [6, 6, 8, 8])))
    expect(a.failure).toBe(true)
    expect(a.proposal).toEqual({
      tag: 'wrong object',
      confidence: 1,
      evidence: { iou: 0, precision: 0, recall: 0 },
    })
    expect(a.fired).toHaveLength(1)
  })

  it('wrong object at the threshold: one shared column of ten; localization off as the alternative', () => {
    // w 20, h 10. GT columns 0-9 (100 px), prediction columns 9-18 (100 px): I = 10, U = 190.
    const a = assessSample(base(rects(20, 10, [0, 0, 10, 10]), rects(20, 10, [9, 0, 19, 10])))
    expect(a.iou).toBeCloseTo(10 / 190, 12)
    expect(a.proposal?.tag).toBe('wrong object')
    expect(a.proposal?.confidence).toBeCloseTo(0.5, 12)
    expect(a.proposal?.evidence.precision).toBeCloseTo(0.1, 12)
    expect(a.proposal?.evidence.recall).toBeCloseTo(0.1, 12)
    // Boxes [0,0,10,10] and [9,0,19,10]: 10 / 190; centres 9 apart over a diagonal of 10√2.
    const loc = a.fired[1]
    expect(loc.tag).toBe('localization off')
    expect(loc.evidence.boxIou).toBeCloseTo(10 / 190, 12)
    expect(loc.evidence.centreOffset).toBeCloseTo(9 / Math.hypot(10, 10), 12)
    expect(loc.confidence).toBe(1)
  })

  it('partial object: the prediction is a strip inside the GT', () => {
    // GT 10×10 (100 px), prediction its 3 left columns (30 px): precision 1, recall 0.3, IoU 0.3.
    const a = assessSample(base(rects(12, 12, [0, 0, 10, 10]), rects(12, 12, [0, 0, 3, 10])))
    expect(a.proposal?.tag).toBe('partial object')
    expect(a.proposal?.evidence).toEqual({ iou: 0.3, precision: 1, recall: 0.3 })
    // min(0.5 + 0.5·(1−0.8)/(1−0.8), 0.5 + 0.5·(0.3−0.6)/(0−0.6)) = min(1, 0.75)
    expect(a.proposal?.confidence).toBeCloseTo(0.75, 12)
    // Its box [0,0,3,10] sits inside the GT box: IoU 0.3, centres 3.5 apart over 10√2.
    expect(a.fired[1].tag).toBe('localization off')
    expect(a.fired[1].evidence.centreOffset).toBeCloseTo(3.5 / Math.hypot(10, 10), 12)
  })

  it('over-segmentation: the GT is inside a prediction four times its size', () => {
    // GT 2×2 (4 px) at (4,4), prediction 4×4 (16 px) around it: recall 1, ratio 4, IoU 0.25.
    const a = assessSample(base(rects(10, 10, [4, 4, 6, 6]), rects(10, 10, [3, 3, 7, 7])))
    expect(a.proposal).toEqual({
      tag: 'over-segmentation',
      confidence: 1,
      evidence: { iou: 0.25, recall: 1, areaRatio: 4 },
    })
    // Concentric boxes: no offset, so no localization proposal; box IoU 0.25 is not "close".
    expect(a.fired).toHaveLength(1)
  })

  it('reasoning correct but mask wrong: the answered box is the GT box, the mask is shifted', () => {
    // w 10, h 14. GT rows 1-8, cols 1-8 (64 px). Mask rows 5-12 (64 px): I = 4·8 = 32, U = 96.
    const gt = rects(10, 14, [1, 1, 9, 9])
    const pred = rects(10, 14, [1, 5, 9, 13])
    const a = assessSample(base(gt, pred, { boxes: [[1, 1, 9, 9]] }))
    expect(a.iou).toBeCloseTo(1 / 3, 12)
    expect(a.proposal?.tag).toBe('reasoning correct but mask wrong')
    expect(a.proposal?.evidence).toMatchObject({ boxIou: 1, boxFromPrompts: 1 })
    expect(a.proposal?.confidence).toBe(1)
    expect(a.fired).toHaveLength(1)
  })

  it('a box only near the GT box: localization off, unless the oracle shows a box gets a good mask', () => {
    const gt = rects(10, 14, [1, 1, 9, 9])
    const pred = rects(10, 14, [1, 5, 9, 13])
    // Box two rows lower: I = 8·6 = 48, U = 64 + 64 − 48 = 80 → 0.6; centres 2 apart over 8√2.
    const box = [1, 3, 9, 11]
    const offset = 2 / Math.hypot(8, 8)
    const noOracle = assessSample(base(gt, pred, { boxes: [box] }))
    expect(noOracle.proposal?.tag).toBe('localization off')
    expect(noOracle.proposal?.evidence.boxIou).toBeCloseTo(0.6, 12)
    expect(noOracle.proposal?.evidence.centreOffset).toBeCloseTo(offset, 12)
    expect(noOracle.proposal?.confidence).toBeCloseTo(0.5 + (0.5 * (offset - 0.1)) / 0.4, 12)
    const withOracle = assessSample(base(gt, pred, { boxes: [box], oracleIou: 0.8 }))
    expect(withOracle.proposal?.tag).toBe('reasoning correct but mask wrong')
    expect(withOracle.proposal?.confidence).toBeCloseTo(0.8, 12) // 0.5 + 0.5·(0.8−0.5)/(1−0.5)
    expect(withOracle.proposal?.evidence.oracleIou).toBe(0.8)
    expect(withOracle.fired[1].tag).toBe('localization off')
    // A far box with a good oracle is not blamed on the mask.
    const far = assessSample(base(gt, pred, { boxes: [[1, 7, 9, 15]], oracleIou: 0.9 }))
    expect(far.proposal?.tag).toBe('localization off')
  })

  it('missed objects: two GT pieces, the prediction covers only the smaller one', () => {
    // h 4, w 12. Pieces A cols 0-3 (16 px) and B cols 6-11 (24 px); prediction = A: IoU 16/40.
    const gt = rects(12, 4, [0, 0, 4, 4], [6, 0, 12, 4])
    const a = assessSample(base(gt, rects(12, 4, [0, 0, 4, 4])))
    expect(a.iou).toBeCloseTo(0.4, 12)
    expect(a.proposal?.tag).toBe('missed objects')
    // Pieces listed largest first: B (recall 0), A (recall 1); missed share 24/40.
    expect(a.proposal?.evidence).toEqual({
      iou: 0.4,
      pieces: 2,
      found: 1,
      missedShare: 0.6,
      piece1Recall: 0,
      piece2Recall: 1,
    })
    // 0.5 + 0.5·(0.6−0.2)/(0.5−0.2) clamps to 1.
    expect(a.proposal?.confidence).toBe(1)
    expect(a.fired.map((p) => p.tag)).toContain('partial object')
  })

  it('several objects answered: box IoU is matched per GT piece', () => {
    const gt = rects(12, 4, [0, 0, 4, 4], [6, 0, 12, 4])
    // Two boxes, one per piece, exact: mean of best box IoUs = 1, while the mask found only A.
    const a = assessSample(
      base(gt, rects(12, 4, [0, 0, 4, 4]), {
        boxes: [
          [0, 0, 4, 4],
          [6, 0, 12, 4],
        ],
      }),
    )
    expect(a.proposal?.tag).toBe('missed objects')
    const rc = a.fired.find((p) => p.tag === 'reasoning correct but mask wrong')
    expect(rc?.evidence.boxIou).toBe(1)
  })

  it('GT specks under pieceMinShare are not objects', () => {
    // Piece 6×4 = 24 px plus a 1-px speck (1 < 0.05·24): half the big piece found → partial, not missed.
    const gt = rects(12, 4, [6, 0, 12, 4], [0, 0, 1, 1])
    const a = assessSample(base(gt, rects(12, 4, [6, 0, 9, 4])))
    // I = 12, |G| = 25, |P| = 12: IoU 0.48, recall 0.48, precision 1.
    expect(a.proposal?.tag).toBe('partial object')
    expect(a.proposal?.evidence).toEqual({ iou: 0.48, precision: 1, recall: 0.48 })
  })

  it('empty GT: a non-empty prediction is a wrong object (confidence 0.5); empty vs empty is not explained', () => {
    const gt = emptyRle(10, 10)
    const a = assessSample(base(gt, rects(10, 10, [0, 0, 2, 2])))
    expect(a.proposal).toEqual({
      tag: 'wrong object',
      confidence: 0.5,
      evidence: { iou: 0, gtArea: 0, predArea: 4 },
    })
    const b = assessSample(base(gt, emptyRle(10, 10)))
    expect(b.failure).toBe(true)
    expect(b.proposal).toBeNull()
  })

  it('empty prediction: an answer with no object is missed objects; a good box with no mask blames the mask', () => {
    const gt = rects(10, 10, [2, 2, 6, 6])
    const nothing = assessSample(base(gt, emptyRle(10, 10), { boxes: [], answeredNothing: true }))
    expect(nothing.proposal).toEqual({
      tag: 'missed objects',
      confidence: 1,
      evidence: { iou: 0, pieces: 1, found: 0, missedShare: 1, predArea: 0, objectsAnswered: 0 },
    })
    const boxed = assessSample(base(gt, emptyRle(10, 10), { boxes: [[2, 2, 6, 6]] }))
    expect(boxed.proposal?.tag).toBe('reasoning correct but mask wrong')
    expect(boxed.proposal?.evidence).toEqual({ iou: 0, boxIou: 1, predArea: 0, boxFromPrompts: 1 })
  })

  it('ignore regions are left out of every count', () => {
    // GT 10×10 (100 px); prediction its 4 left columns (40 px): partial without ignore (IoU 0.4)...
    const gt = rects(20, 10, [0, 0, 10, 10])
    const pred = rects(20, 10, [0, 0, 4, 10])
    expect(assessSample(base(gt, pred)).proposal?.tag).toBe('partial object')
    // ...a success once columns 4-9 are ignored (GT' = P' = I = 40).
    const ok = assessSample(base(gt, pred, { ignore: rects(20, 10, [4, 0, 10, 10]) }))
    expect(ok).toEqual({ iou: 1, failure: false, proposal: null, fired: [] })
    // GT cols 0-4, prediction cols 4-13 touching it in column 4 only; ignoring column 4 makes them disjoint.
    const gt2 = rects(20, 10, [0, 0, 5, 10])
    const pred2 = rects(20, 10, [4, 0, 14, 10])
    const plain = assessSample(base(gt2, pred2))
    expect(plain.proposal?.tag).not.toBe('wrong object') // recall 10/50 = 0.2 > 0.1
    const ign = assessSample(base(gt2, pred2, { ignore: rects(20, 10, [4, 0, 5, 10]) }))
    expect(ign.proposal?.tag).toBe('wrong object')
    expect(ign.proposal?.evidence).toEqual({ iou: 0, precision: 0, recall: 0 })
  })

  it('successes and mask-less predictions get no proposal', () => {
    const gt = rects(10, 10, [0, 0, 4, 4])
    expect(assessSample(base(gt, rects(10, 10, [0, 0, 4, 3]))).failure).toBe(false) // IoU 12/16
    expect(assessSample(base(gt, null)).proposal).toBeNull()
  })

  it('thresholds come from one place and a project can override them', () => {
    expect(resolveThresholds(null)).toEqual(DEFAULT_FAILURE_THRESHOLDS)
    const t = resolveThresholds({ partialMaxRecall: 0.2, nonsense: 3, failureIou: 'x' })
    expect(t.partialMaxRecall).toBe(0.2)
    expect(t.failureIou).toBe(0.5)
    // The strip of recall 0.3 is no longer "partial" under the stricter threshold: the box rule takes it.
    const a = assessSample(base(rects(12, 12, [0, 0, 10, 10]), rects(12, 12, [0, 0, 3, 10])), t)
    expect(a.proposal?.tag).toBe('localization off')
    // A higher failure IoU turns a success into a failure.
    const gt = rects(10, 10, [0, 0, 4, 4])
    expect(
      assessSample(base(gt, rects(10, 10, [0, 0, 4, 3])), resolveThresholds({ failureIou: 0.8 })).failure,
    ).toBe(true)
  })
})
