/**
 * pycocotools compatibility of rle.ts. Every expected string below was derived by hand from maskApi.c's
 * algorithm (column-major runs from a leading zero run; rleToString: 5 bits per char + continuation bit
 * 0x20, offset 48, counts after the second stored as a delta to the count two places back, a group ends
 * when the remaining value is 0, or -1 with the group's 0x10 bit set). The derivation is written next to
 * each case so a reviewer can redo it.
 */
import { describe, expect, it } from 'vitest'
import {
  area,
  countsFromString,
  countsToString,
  decodeRowMajor,
  emptyRle,
  encodeColumnMajor,
  encodeRowMajor,
  fromCoco,
  intersectionUnion,
  toBbox,
  toCoco,
} from '../../../../src/shared/domain/rle'

/** Builds a row-major mask from lines of '.' (0) and '#' (1). */
function grid(rows: string[]): { mask: Uint8Array; h: number; w: number } {
  const h = rows.length
  const w = rows[0].length
  const mask = new Uint8Array(h * w)
  rows.forEach((r, y) => [...r].forEach((c, x) => (mask[y * w + x] = c === '#' ? 1 : 0)))
  return { mask, h, w }
}

interface Case {
  name: string
  rows: string[]
  counts: number[]
  str: string
  area: number
  bbox: [number, number, number, number]
}

const cases: Case[] = [
  {
    // Column-major: col0 = 4 zeros, col1 = 0 1 1 0, col2 = 0 0 1 0, cols 3-4 zeros → runs 5,2,3,1,9.
    // Chars: 5→'5', 2→'2', 3→'3', 1-2=-1 → 31 ('O', x>>5 = -1 and bit 0x10 set: stop), 9-3=6 → '6'.
    name: 'brief example 4x5',
    rows: ['.....', '.#...', '.##..', '.....'],
    counts: [5, 2, 3, 1, 9],
    str: '523O6',
    area: 3,
    bbox: [1, 1, 2, 2],
  },
  {
    // A 5x5 square ring with a one-pixel hole: runs 6,3,2,1,1,1,2,3,6.
    // Deltas from i=3: 1-3=-2 → 30 'N'; 1-2=-1 → 'O'; 1-1=0 → '0'; 2-1=1 → '1'; 3-1=2 → '2'; 6-2=4 → '4'.
    name: 'hole',
    rows: ['.....', '.###.', '.#.#.', '.###.', '.....'],
    counts: [6, 3, 2, 1, 1, 1, 2, 3, 6],
    str: '632NO0124',
    area: 8,
    bbox: [1, 1, 3, 3],
  },
  {
    // Every border pixel set: col0 1 1 1, col1 1 0 1, col2 1 1 1 → 0,4,1,4; last delta 4-4 = 0.
    name: 'touches every border',
    rows: ['###', '#.#', '###'],
    counts: [0, 4, 1, 4],
    str: '0410',
    area: 8,
    bbox: [0, 0, 3, 3],
  },
  {
    // Checkerboard on 5x5: column-major pixels alternate 0,1,0,... → 25 runs of 1; deltas are all 0.
    name: 'many components (checkerboard)',
    rows: ['.#.#.', '#.#.#', '.#.#.', '#.#.#', '.#.#.'],
    counts: new Array(25).fill(1),
    str: '111' + '0'.repeat(22),
    area: 12,
    bbox: [0, 0, 5, 5],
  },
  { name: '1x1 foreground', rows: ['#'], counts: [0, 1], str: '01', area: 1, bbox: [0, 0, 1, 1] },
  { name: '1x1 background', rows: ['.'], counts: [1], str: '1', area: 0, bbox: [0, 0, 0, 0] },
  {
    // 10x10 empty: one run of 100 = 3*32 + 4 → first char 4|0x20 = 36 → 'T', then 3 → '3'.
    name: 'empty 10x10',
    rows: new Array(10).fill('.'.repeat(10)),
    counts: [100],
    str: 'T3',
    area: 0,
    bbox: [0, 0, 0, 0],
  },
]

describe('rle: hand-derived pycocotools strings', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { mask, h, w } = grid(c.rows)
      const rle = encodeRowMajor(mask, h, w)
      expect(Array.from(rle.counts)).toEqual(c.counts)
      expect(countsToString(rle.counts)).toBe(c.str)
      expect(toCoco(rle)).toEqual({ size: [h, w], counts: c.str })
      expect(Array.from(countsFromString(c.str))).toEqual(c.counts)
      expect(area(rle)).toBe(c.area)
      expect(toBbox(rle)).toEqual(c.bbox)
      expect(decodeRowMajor(fromCoco({ size: [h, w], counts: c.str }))).toEqual(mask)
    })
  }

  it('very wide 1x1000 image', () => {
    // Foreground x = 10..19 and x = 500 → runs 10,10,480,1,499.
    // 10 → ':' ':'; 480 = 15*32 + 0 → 0|0x20 = 'P', 15 → '?'; 1-10 = -9 → 23 'G' (stops: -1 with 0x10);
    // 499-480 = 19 → 19 has bit 0x10 and x>>5 = 0 ≠ -1, so it continues: 51 'c', then 0 → '0'.
    const mask = new Uint8Array(1000)
    mask.fill(1, 10, 20)
    mask[500] = 1
    const rle = encodeRowMajor(mask, 1, 1000)
    expect(Array.from(rle.counts)).toEqual([10, 10, 480, 1, 499])
    expect(countsToString(rle.counts)).toBe('::P?Gc0')
    expect(toBbox(rle)).toEqual([10, 0, 491, 1])
    expect(area(rle)).toBe(11)
  })

  it('encodes the sign subtleties of 16 and -20', () => {
    // 16: low 5 bits 16 (0x10 set) and x>>5 = 0 ≠ -1 → continue: '`' then '0'.
    // 20 likewise: 'd' then '0'. The last count 0 - 20 = -20: low bits 12, x>>5 = -1, 0x10 clear so
    // continue: '\\'; then 31 with 0x10 set and x = -1 → 'O', stop.
    expect(countsToString([0, 0, 0, 16])).toBe('000`0')
    expect(countsToString([0, 20, 0, 0])).toBe('0d00\\O')
    expect(Array.from(countsFromString('0d00\\O'))).toEqual([0, 20, 0, 0])
  })

  it('column-major input gives the same runs as row-major', () => {
    const { mask, h, w } = grid(['.#..', '##.#', '...#'])
    const col = new Uint8Array(h * w)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) col[x * h + y] = mask[y * w + x]
    expect(encodeColumnMajor(col, h, w)).toEqual(encodeRowMajor(mask, h, w))
  })

  it('rejects malformed strings and sizes instead of reading past them', () => {
    expect(() => countsFromString('0P')).toThrow(/ends inside a count/)
    expect(() => countsFromString('0~')).toThrow(/invalid character/)
    expect(() => fromCoco({ size: [2, 2], counts: [1, 2] })).toThrow(/cover 3 pixels/)
    // Runs a Uint32 conversion would wrap to a total that fits: 1e308 -> 0, 2^32 + 3 -> 3.
    expect(() => fromCoco({ size: [2, 2], counts: [1e308, 4] })).toThrow(
      /RLE run 1e\+308 is not a pixel count/,
    )
    expect(() => fromCoco({ size: [2, 2], counts: [2 ** 32 + 3, 1] })).toThrow(/is not a pixel count/)
    expect(() => fromCoco({ size: [2, 2], counts: [1.5, 2.5] })).toThrow(/is not a pixel count/)
    expect(() => encodeRowMajor(new Uint8Array(5), 2, 2)).toThrow(/expected 2x2/)
  })

  it('toBbox widens y to the full height when a run spans columns (maskApi quirk)', () => {
    // 3x2, foreground col0 row2 + col1 row0: one run crossing the column boundary → y spans 0..2.
    const { mask, h, w } = grid(['.#', '..', '#.'])
    const rle = encodeRowMajor(mask, h, w)
    expect(Array.from(rle.counts)).toEqual([2, 2, 2])
    expect(toBbox(rle)).toEqual([0, 0, 2, 3])
  })
})

describe('rle: intersection and union without decoding', () => {
  it('two overlapping squares: closed form', () => {
    // 100x100; GT x,y in [10,30), prediction x,y in [20,40): I = 10*10, U = 400 + 400 - 100.
    const sq = (x0: number, y0: number, s: number) => {
      const m = new Uint8Array(100 * 100)
      for (let y = y0; y < y0 + s; y++) m.fill(1, y * 100 + x0, y * 100 + x0 + s)
      return encodeRowMajor(m, 100, 100)
    }
    expect(intersectionUnion(sq(20, 20, 20), sq(10, 10, 20))).toEqual({ intersection: 100, union: 700 })
    expect(intersectionUnion(sq(50, 50, 5), sq(10, 10, 20))).toEqual({ intersection: 0, union: 425 })
    expect(intersectionUnion(emptyRle(100, 100), sq(10, 10, 20))).toEqual({ intersection: 0, union: 400 })
    expect(intersectionUnion(emptyRle(100, 100), emptyRle(100, 100))).toEqual({ intersection: 0, union: 0 })
  })

  it('tolerates zero-length runs in uncompressed counts', () => {
    const a = fromCoco({ size: [2, 3], counts: [0, 0, 2, 0, 0, 4] })
    const b = fromCoco({ size: [2, 3], counts: [0, 6] })
    expect(intersectionUnion(a, b)).toEqual({ intersection: 4, union: 6 })
  })

  it('matches dense counting on random blobs', () => {
    let seed = 7
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let t = 0; t < 20; t++) {
      const h = 1 + Math.floor(rnd() * 40)
      const w = 1 + Math.floor(rnd() * 40)
      const a = new Uint8Array(h * w).map(() => (rnd() < 0.4 ? 1 : 0))
      const b = new Uint8Array(h * w).map(() => (rnd() < 0.5 ? 1 : 0))
      let i = 0
      let u = 0
      for (let k = 0; k < a.length; k++) {
        i += a[k] & b[k]
        u += a[k] | b[k]
      }
      expect(intersectionUnion(encodeRowMajor(a, h, w), encodeRowMajor(b, h, w))).toEqual({
        intersection: i,
        union: u,
      })
    }
  })

  it('rejects masks of different sizes', () => {
    expect(() => intersectionUnion(emptyRle(2, 3), emptyRle(3, 2))).toThrow(/2x3 vs 3x2/)
  })
})
