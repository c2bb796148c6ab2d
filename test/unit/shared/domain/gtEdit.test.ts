import { describe, expect, it } from 'vitest'
import {
  applyGtOp,
  gtUnion,
  isRevised,
  originalGtState,
  replayGtOps,
  type GtOp,
  type GtState,
} from '../../../../src/shared/domain/gtEdit'
import { MaskOpError } from '../../../../src/shared/domain/maskOps'
import { decodeRowMajor, encodeRowMajor, toCoco, type Rle } from '../../../../src/shared/domain/rle'

const H = 4
const W = 6

/** An RLE from rows of '0'/'1'. */
function mask(...rows: string[]): Rle {
  return encodeRowMajor(Uint8Array.from(rows.join('').split(''), Number), H, W)
}

function rows(r: Rle | null): string[] {
  const d = r ? decodeRowMajor(r) : new Uint8Array(H * W)
  return Array.from({ length: H }, (_, y) => Array.from(d.subarray(y * W, (y + 1) * W)).join(''))
}

const gt = mask('000000', '011000', '011000', '000000')
const original = originalGtState(gt, null)
const apply = (s: GtState, op: GtOp) => applyGtOp(s, op, original, H, W)
const rect = (x0: number, y0: number, x1: number, y1: number): [number, number][] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
]

describe('GT edit operations on hand-built masks', () => {
  it('the original is one object, or none for an empty ("no target") mask', () => {
    expect(original.objects.map((o) => [o.id, o.label])).toEqual([[1, 'target']])
    expect(originalGtState(mask('000000', '000000', '000000', '000000'), null).objects).toEqual([])
  })

  it('adds a new object, paints ignore, and keeps the union of objects as the sample mask', () => {
    let s = apply(original, { kind: 'polygon', target: 'new', points: rect(4, 0, 6, 1), mode: 'add' })
    s = apply(s, { kind: 'brush', target: 'ignore', points: [[0.5, 3.5]], radius: 0.5, erase: false })
    expect(s.objects.map((o) => o.id)).toEqual([1, 2])
    expect(rows(gtUnion(s, H, W))).toEqual(['000011', '011000', '011000', '000000'])
    expect(rows(s.ignore)).toEqual(['000000', '000000', '000000', '100000'])
    expect(isRevised(s, original, H, W)).toBe(true)
  })

  it('subtracts, replaces, fills holes and removes specks on one object', () => {
    let s = apply(original, { kind: 'polygon', target: 1, points: rect(1, 1, 5, 4), mode: 'replace' })
    expect(rows(s.objects[0].mask)).toEqual(['000000', '011110', '011110', '011110'])
    s = apply(s, { kind: 'brush', target: 1, points: [[2.5, 2.5]], radius: 0.4, erase: true })
    expect(rows(s.objects[0].mask)).toEqual(['000000', '011110', '010110', '011110'])
    s = apply(s, { kind: 'fillHoles', target: 1 })
    expect(rows(s.objects[0].mask)).toEqual(['000000', '011110', '011110', '011110'])
    // a lone pixel and a 2 x 2 block: removing specks below 2 pixels keeps only the block
    s = apply(s, {
      kind: 'mask',
      target: 1,
      mask: toCoco(mask('100000', '000000', '000011', '000011')),
      mode: 'replace',
    })
    s = apply(s, { kind: 'removeSpecks', target: 1, minArea: 2 })
    expect(rows(s.objects[0].mask)).toEqual(['000000', '000000', '000011', '000011'])
  })

  it('deletes, renames and resets; equal masks again are not revised', () => {
    let s = apply(original, { kind: 'addObject', label: 'handle' })
    s = apply(s, { kind: 'renameObject', objectId: 2, label: 'lid' })
    expect(s.objects.map((o) => [o.id, o.label])).toEqual([
      [1, 'target'],
      [2, 'lid'],
    ])
    // one more (empty) object counts as a revision; deleting it again does not
    expect(isRevised(s, original, H, W)).toBe(true)
    s = apply(s, { kind: 'deleteObject', objectId: 2 })
    expect(isRevised(s, original, H, W)).toBe(false)
    s = apply(s, { kind: 'brush', target: 1, points: [[5, 3]], radius: 1, erase: false })
    s = apply(s, { kind: 'brush', target: 1, points: [[5, 3]], radius: 1, erase: true })
    expect(isRevised(s, original, H, W)).toBe(false)
    s = apply(s, { kind: 'deleteObject', objectId: 1 })
    expect(rows(gtUnion(s, H, W))).toEqual(['000000', '000000', '000000', '000000'])
    expect(apply(s, { kind: 'reset' })).toBe(original)
  })

  it('refuses impossible operations with a MaskOpError', () => {
    expect(() =>
      apply(original, { kind: 'brush', target: 'new', points: [[1, 1]], radius: 1, erase: true }),
    ).toThrow(/needs an existing object/)
    expect(() => apply(original, { kind: 'fillHoles', target: 7 })).toThrow(
      /no ground-truth object 7 .*objects: 1/,
    )
    expect(() =>
      apply(original, { kind: 'mask', target: 1, mask: { size: [2, 2], counts: '04' }, mode: 'add' }),
    ).toThrow(/mask is 2x2 but the image is 4x6/)
    expect(() =>
      apply(original, { kind: 'mask', target: 1, mask: { size: [4, 6], counts: '5' }, mode: 'add' }),
    ).toThrow(MaskOpError)
    expect(() => apply(original, { kind: 'renameObject', objectId: 1, label: '  ' })).toThrow(
      /label cannot be empty/,
    )
  })

  it('replay of the operations gives the same state as applying them one by one', () => {
    const ops: GtOp[] = [
      { kind: 'polygon', target: 'new', points: rect(3, 0, 6, 2), mode: 'add' },
      { kind: 'brush', target: 2, points: [[4, 1]], radius: 0.8, erase: true },
      { kind: 'deleteObject', objectId: 1 },
    ]
    let s = original
    for (const op of ops) s = apply(s, op)
    const r = replayGtOps(original, ops, H, W)
    expect(r.objects.map((o) => [o.id, rows(o.mask)])).toEqual(s.objects.map((o) => [o.id, rows(o.mask)]))
    // the eraser disc (radius 0.8 at a pixel corner) takes the four pixels around (4, 1)
    expect(rows(gtUnion(r, H, W))).toEqual(['000001', '000001', '000000', '000000'])
  })
})
