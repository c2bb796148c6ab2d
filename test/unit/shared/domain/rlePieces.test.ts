import { describe, expect, it } from 'vitest'
import { labelComponents } from '../../../../src/shared/domain/components'
import { seededRng } from '../../../../src/shared/domain/random'
import { encodeRowMajor } from '../../../../src/shared/domain/rle'
import {
  intervalArea,
  intervalsBox,
  intervalsOf,
  overlap,
  pieces,
  subtract,
} from '../../../../src/shared/domain/rlePieces'

/** Row-major mask from rows of '#' (foreground) and '.' (background). */
function art(rows: string[]) {
  const h = rows.length
  const w = rows[0].length
  const m = new Uint8Array(h * w)
  rows.forEach((r, y) => [...r].forEach((c, x) => (m[y * w + x] = c === '#' ? 1 : 0)))
  return { rle: encodeRowMajor(m, h, w), m, h, w }
}

describe('rlePieces', () => {
  it('joins a run that wraps several columns into one piece with the right box', () => {
    const { rle, h } = art(['..........', '.####.....', '.####.....', '.####.....', '..........'])
    const iv = intervalsOf(rle)
    expect(intervalArea(iv)).toBe(12)
    const ps = pieces(iv, h)
    expect(ps).toHaveLength(1)
    expect(ps[0].area).toBe(12)
    expect(ps[0].box).toEqual([1, 1, 5, 4])
    expect(intervalsBox(iv, h)).toEqual([1, 1, 5, 4])
  })

  it('a full-height block wraps columns: box spans all rows', () => {
    const { rle, h } = art(['.##.', '.##.', '.##.'])
    // One interval [3, 9): column 1 rows 0-2 and column 2 rows 0-2.
    expect(Array.from(intervalsOf(rle))).toEqual([3, 9])
    expect(intervalsBox(intervalsOf(rle), h)).toEqual([1, 0, 3, 3])
  })

  it('8-connectivity joins diagonal neighbours, keeps others apart, largest first', () => {
    const { rle, h } = art(['#.....', '.#..##', '....##', '#.....'])
    const ps = pieces(intervalsOf(rle), h)
    expect(ps.map((p) => p.area)).toEqual([4, 2, 1])
    expect(ps[0].box).toEqual([4, 1, 6, 3])
    expect(ps[1].box).toEqual([0, 0, 2, 2])
    expect(ps[2].box).toEqual([0, 3, 1, 4])
  })

  it('subtracts and overlaps interval lists', () => {
    const a = Float64Array.from([0, 10, 20, 30])
    const b = Float64Array.from([5, 8, 9, 22, 29, 40])
    expect(Array.from(subtract(a, b))).toEqual([0, 5, 8, 9, 22, 29])
    expect(overlap(a, b)).toBe(3 + 1 + 2 + 1)
  })

  it('agrees with the dense labeller on random masks: areas, boxes and overlaps with another mask', () => {
    const rng = seededRng(5)
    for (let t = 0; t < 40; t++) {
      const w = 5 + Math.floor(rng() * 20)
      const h = 5 + Math.floor(rng() * 20)
      const m = new Uint8Array(w * h).map(() => (rng() < 0.35 ? 1 : 0))
      const o = new Uint8Array(w * h).map(() => (rng() < 0.5 ? 1 : 0))
      const { labels, sizes } = labelComponents(m, w, h, 8)
      // Dense per-component area, box and overlap.
      const dense = sizes.slice(1).map(() => ({ area: 0, overlap: 0, box: [w, h, 0, 0] }))
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const id = labels[y * w + x]
          if (!id) continue
          const d = dense[id - 1]
          d.area++
          d.overlap += o[y * w + x]
          d.box = [
            Math.min(d.box[0], x),
            Math.min(d.box[1], y),
            Math.max(d.box[2], x + 1),
            Math.max(d.box[3], y + 1),
          ]
        }
      }
      const key = (p: { area: number; overlap: number; box: number[] }) =>
        `${p.area}/${p.overlap}/${p.box.join(',')}`
      const ps = pieces(intervalsOf(encodeRowMajor(m, h, w)), h, intervalsOf(encodeRowMajor(o, h, w)))
      expect(ps.map(key).sort()).toEqual(dense.map(key).sort())
      // Largest first.
      expect(ps.map((p) => p.area)).toEqual([...ps.map((p) => p.area)].sort((a, b) => b - a))
    }
  })
})
