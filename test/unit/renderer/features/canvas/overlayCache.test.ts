import { describe, expect, it } from 'vitest'
import { decodeMask } from '../../../../../src/renderer/src/features/canvas/overlayCache'
import { countsToString } from '../../../../../src/shared/domain/rle'

// A 2×3 image (h = 2, w = 3). COCO counts run down the columns, starting with background:
// column 0 = [0, 1], column 1 = [1, 1], column 2 = [0, 0] → runs 1 off, 3 on, 2 off.
const H = 2
const W = 3
const rle = { size: [H, W], counts: countsToString([1, 3, 2]) }
// The same mask written out row by row.
const rowMajor = [0, 1, 0, 1, 1, 0]

describe('decodeMask', () => {
  it('decodes an RLE to the row-major mask', () => {
    expect(Array.from(decodeMask(rle)!)).toEqual(rowMajor)
    expect(decodeMask(null)).toBeNull()
  })

  it('returns the same array for the same RLE while it is recent, a fresh one after eviction', () => {
    const first = decodeMask({ ...rle })
    expect(decodeMask({ size: [H, W], counts: rle.counts })).toBe(first)
    // 48 other masks push it out of the cache.
    for (let i = 0; i < 48; i++) decodeMask({ size: [1, 49], counts: countsToString([i, 1, 48 - i]) })
    const again = decodeMask(rle)
    expect(again).not.toBe(first)
    expect(Array.from(again!)).toEqual(rowMajor)
  })
})
