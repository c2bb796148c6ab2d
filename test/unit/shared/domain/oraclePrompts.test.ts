import { describe, expect, it } from 'vitest'
import {
  maskComponents,
  oraclePrompts,
  squaredDistanceToBackground,
} from '../../../../src/shared/domain/oraclePrompts'
import { encodeRowMajor } from '../../../../src/shared/domain/rle'
import { seededRng } from '../../../../src/shared/domain/random'

function rect(mask: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask[y * w + x] = 1
}

/**
 * Brute force: squared distance to the nearest background pixel, the ring outside the image included
 * unless `border` is false (then Infinity where the image has no background at all).
 */
function bruteForce(mask: Uint8Array, w: number, h: number, border = true): number[] {
  const out: number[] = []
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) {
        out.push(0)
        continue
      }
      let best = Infinity
      for (let by = -1; by <= h; by++) {
        for (let bx = -1; bx <= w; bx++) {
          const outside = bx < 0 || by < 0 || bx >= w || by >= h
          if (outside ? border : !mask[by * w + bx]) best = Math.min(best, (bx - x) ** 2 + (by - y) ** 2)
        }
      }
      out.push(best)
    }
  }
  return out
}

describe('oraclePrompts', () => {
  it('gives the tight box of a rectangle and its first deepest pixel', () => {
    const w = 20
    const h = 14
    const m = new Uint8Array(w * h)
    rect(m, w, 2, 3, 11, 8) // 10 x 6 pixels
    // Distances to the background: 3 for x in 4..9 and y in 5..6 (3 pixels from x=1/x=12 and y=2/y=9 sides).
    expect(oraclePrompts(encodeRowMajor(m, h, w), 'gt-box')).toEqual([{ box: [2, 3, 12, 9], points: [] }])
    expect(oraclePrompts(encodeRowMajor(m, h, w), 'gt-box+points')).toEqual([
      { box: [2, 3, 12, 9], points: [{ x: 4, y: 5, label: 1 }] },
    ])
  })

  it('treats the image border as background', () => {
    const w = 9
    const h = 9
    const m = new Uint8Array(w * h).fill(1)
    // A full 9x9 mask: the centre (4,4) is 5 pixels from the outside ring on every side.
    const [c] = maskComponents(m, w, h)
    expect(c.deepest).toEqual({ x: 4, y: 4, distance: 5 })
    expect(c.box).toEqual([0, 0, 9, 9])
  })

  it('finds the deepest point of an L shape inside its thick arm', () => {
    const w = 30
    const h = 30
    const m = new Uint8Array(w * h)
    rect(m, w, 5, 5, 24, 8) // thin bar, 4 rows
    rect(m, w, 5, 9, 14, 24) // thick arm, 10 x 16
    const [c] = maskComponents(m, w, h)
    // Below the bar, columns 5..14 have background at x = 4 and x = 15: at most 5 (x = 9 or 10). The bar's
    // rows are at most 4 from y = 4. Distance 5 needs y - 4 >= 5, so the first such pixel is (9, 9).
    expect(c.deepest).toEqual({ x: 9, y: 9, distance: 5 })
    expect(c.box).toEqual([5, 5, 25, 25])
  })

  it('makes one object per component, largest first, dropping specks and capping the count', () => {
    const w = 40
    const h = 20
    const m = new Uint8Array(w * h)
    rect(m, w, 1, 1, 5, 5) // 25 px
    rect(m, w, 10, 2, 19, 11) // 100 px
    rect(m, w, 30, 15, 30, 15) // 1 px speck (< 5% of 100)
    m[6 * w + 6] = 1 // touches the first square diagonally: same 8-connected component (26 px)
    const prompts = oraclePrompts(encodeRowMajor(m, h, w), 'gt-box+points')
    expect(prompts).toEqual([
      { box: [10, 2, 20, 12], points: [{ x: 14, y: 6, label: 1 }] },
      { box: [1, 1, 7, 7], points: [{ x: 3, y: 3, label: 1 }] },
    ])
    expect(oraclePrompts(encodeRowMajor(m, h, w), 'gt-box', { maxObjects: 1 })).toEqual([
      { box: [10, 2, 20, 12], points: [] },
    ])
    expect(oraclePrompts(encodeRowMajor(m, h, w), 'gt-box', { minFraction: 0 })).toHaveLength(3)
  })

  it('gives no prompts for an empty mask', () => {
    expect(oraclePrompts(encodeRowMajor(new Uint8Array(12), 3, 4), 'gt-box+points')).toEqual([])
  })

  it('matches a brute-force distance transform on random masks', () => {
    const rnd = seededRng(7)
    for (let t = 0; t < 20; t++) {
      const w = 3 + Math.floor(rnd() * 20)
      const h = 3 + Math.floor(rnd() * 20)
      const density = 0.5 + rnd() * 0.5
      const m = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0))
      expect(Array.from(squaredDistanceToBackground(m, w, h))).toEqual(bruteForce(m, w, h))
    }
  })

  it('matches a brute-force distance transform without the border counting as background', () => {
    const rnd = seededRng(11)
    for (let t = 0; t < 30; t++) {
      const w = 1 + Math.floor(rnd() * 20)
      const h = 1 + Math.floor(rnd() * 20)
      // Dense masks: whole columns and rows without background, and sometimes no background at all.
      const density = t % 10 === 0 ? 1 : 0.7 + rnd() * 0.3
      const m = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0))
      expect(Array.from(squaredDistanceToBackground(m, w, h, false))).toEqual(bruteForce(m, w, h, false))
    }
  })
})
