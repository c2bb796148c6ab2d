import { describe, expect, it } from 'vitest'
import type { ReviewQueueDto, TagProposalDto } from '../../../../../src/shared/contract/suggest'
import type { Tag } from '../../../../../src/shared/contract/tags'
import { encodeRowMajor, toCoco } from '../../../../../src/shared/domain/rle'
import { gtBoxOutlines } from '../../../../../src/renderer/src/features/review/evidenceLayer'
import { reviewKey } from '../../../../../src/renderer/src/features/review/reviewKeys'
import { optimistic } from '../../../../../src/renderer/src/features/review/useReview'

const tags: Tag[] = [
  { id: 7, name: 'wrong object', color: '#000000', position: 0, description: null },
  { id: 9, name: 'partial object', color: '#000000', position: 1, description: null },
]
const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods }) as KeyboardEvent

describe('review keys', () => {
  it('maps Enter, Backspace, u and the digits of existing tags; ignores the rest', () => {
    expect(reviewKey(key('Enter'), tags)).toEqual({ kind: 'accept' })
    expect(reviewKey(key('Backspace'), tags)).toEqual({ kind: 'skip' })
    expect(reviewKey(key('u'), tags)).toEqual({ kind: 'undo' })
    expect(reviewKey(key('2'), tags)).toEqual({ kind: 'pick', tagId: 9 })
    expect(reviewKey(key('3'), tags)).toBeNull() // only two tags
    expect(reviewKey(key('0'), tags)).toBeNull()
    expect(reviewKey(key('Enter', { ctrlKey: true }), tags)).toBeNull()
    expect(reviewKey(key('j'), tags)).toBeNull()
  })
})

const item = (sampleId: number, skipped = false): TagProposalDto => ({
  sampleId,
  imageId: `i${sampleId}`,
  query: 'q',
  iou: 0,
  failure: true,
  tag: 'wrong object',
  confidence: 1,
  evidence: { iou: 0 },
  alternatives: [],
  review: skipped
    ? {
        state: 'skipped',
        tagId: null,
        tagName: null,
        proposedTag: 'wrong object',
        reviewedBy: null,
        reviewedAt: '',
      }
    : null,
})

describe('optimistic queue', () => {
  const q: ReviewQueueDto = {
    progress: { failures: 5, confirmed: 1, skipped: 1, pending: 3 },
    items: [item(1), item(2), item(3, true)],
  }
  it('accept drops the head and counts it confirmed', () => {
    const n = optimistic(q, { kind: 'accept' })
    expect(n.items.map((i) => i.sampleId)).toEqual([2, 3])
    expect(n.progress).toEqual({ failures: 5, confirmed: 2, skipped: 1, pending: 2 })
  })
  it('skip sends the head to the back as skipped', () => {
    const n = optimistic(q, { kind: 'skip' })
    expect(n.items.map((i) => [i.sampleId, i.review?.state ?? null])).toEqual([
      [2, null],
      [3, 'skipped'],
      [1, 'skipped'],
    ])
    expect(n.progress).toEqual({ failures: 5, confirmed: 1, skipped: 2, pending: 2 })
  })
  it('confirming a skipped one moves it from skipped to confirmed; undo waits for the backend', () => {
    const s: ReviewQueueDto = { progress: q.progress, items: [item(3, true)] }
    expect(optimistic(s, { kind: 'pick', tagId: 9 }).progress).toEqual({
      failures: 5,
      confirmed: 2,
      skipped: 0,
      pending: 3,
    })
    expect(optimistic(q, { kind: 'undo' })).toBe(q)
  })
})

describe('evidence layer', () => {
  it('outlines the box of each GT piece, specks left out', () => {
    // 10×7 image: a 6×4 piece at x 1-6, y 1-4 (24 px) and a 1-px speck at (9,6) (< 5 % of 24 px).
    const w = 10
    const h = 7
    const m = new Uint8Array(w * h)
    for (let y = 1; y < 5; y++) for (let x = 1; x < 7; x++) m[y * w + x] = 1
    m[6 * w + 9] = 1
    const out = gtBoxOutlines(toCoco(encodeRowMajor(m, h, w)), 1)
    const rows = Array.from({ length: h }, (_, y) => Array.from(out.slice(y * w, (y + 1) * w)).join(''))
    expect(rows).toEqual([
      '0000000000',
      '0111111000',
      '0100001000',
      '0100001000',
      '0111111000',
      '0000000000',
      '0000000000',
    ])
    // A second piece of its own size gets its own outline.
    m[6 * w + 9] = 0
    for (let y = 5; y < 7; y++) for (let x = 8; x < 10; x++) m[y * w + x] = 1
    const two = gtBoxOutlines(toCoco(encodeRowMajor(m, h, w)), 1)
    expect(Array.from(two.slice(5 * w + 8, 5 * w + 10))).toEqual([1, 1])
  })
})
