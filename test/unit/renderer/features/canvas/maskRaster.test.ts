import { describe, expect, it } from 'vitest'
import { contourOf, diffToRgba, maskToRgba } from '../../../../../src/renderer/src/features/canvas/maskRaster'

// 4×5 masks written out by hand (row-major, w = 5).
const W = 5
const H = 4
const square = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0])

describe('maskToRgba', () => {
  it('colours exactly the mask pixels, opaque, leaving the rest transparent', () => {
    const px = maskToRgba(square, W, H, [10, 20, 30])
    for (let i = 0; i < W * H; i++) {
      expect(Array.from(px.slice(i * 4, i * 4 + 4))).toEqual(square[i] ? [10, 20, 30, 255] : [0, 0, 0, 0])
    }
  })
})

describe('contourOf', () => {
  it('keeps the ring of a 3×3 block and drops its centre; image borders count as outside', () => {
    const c = contourOf(square, W, H)
    // Row 2 col 2 (index 12) is the only interior pixel (all 4 neighbours set).
    expect(Array.from(c)).toEqual(Array.from(square).map((v, i) => (i === 12 ? 0 : v)))
    const full = new Uint8Array(W * H).fill(1)
    const cf = contourOf(full, W, H)
    expect(cf.reduce((a, b) => a + b, 0)).toBe(2 * W + 2 * (H - 2))
  })
})

describe('diffToRgba', () => {
  it('counts TP, FP and FN pixels as a hand count does', () => {
    const gt = Uint8Array.from([1, 1, 0, 0, 0, 1, 1, 0, 0, 0])
    const pr = Uint8Array.from([0, 1, 1, 0, 0, 0, 1, 1, 1, 0])
    const { px, counts } = diffToRgba(gt, pr, 5, 2)
    expect(counts).toEqual({ tp: 2, fp: 3, fn: 2 })
    expect(px[3]).toBe(255) // FN at 0
    expect(px[4 * 4 + 3]).toBe(0) // neither at 4
    expect(Array.from(px.slice(4, 7))).toEqual([46, 204, 113]) // TP green at 1
  })
})
