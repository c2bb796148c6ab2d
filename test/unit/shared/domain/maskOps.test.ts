import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  bitmapToRle,
  combineBitmap,
  combineRle,
  fillHoles,
  fillPolygon,
  MaskOpError,
  paintStroke,
  polygonRegion,
  regionToRle,
  removeSpecks,
  rleToBitmap,
  strokeRegion,
  unionRle,
  validatePolygon,
  type Bitmap,
  type Vec2,
} from '../../../../src/shared/domain/maskOps'
import { area, decodeRowMajor, encodeRowMajor } from '../../../../src/shared/domain/rle'

/** A bitmap from rows of '0'/'1' characters (spaces ignored). */
function grid(...rows: string[]): Bitmap {
  const clean = rows.map((r) => r.replace(/ /g, ''))
  const w = clean[0].length
  return { w, h: clean.length, data: Uint8Array.from(clean.join('').split(''), Number) }
}

function rows(b: Bitmap): string[] {
  const out: string[] = []
  for (let y = 0; y < b.h; y++) out.push(Array.from(b.data.subarray(y * b.w, (y + 1) * b.w)).join(''))
  return out
}

function blank(w: number, h: number): Bitmap {
  return { w, h, data: new Uint8Array(w * h) }
}

function count(a: ArrayLike<number>): number {
  let n = 0
  for (let i = 0; i < a.length; i++) n += a[i] ? 1 : 0
  return n
}

describe('brush strokes: closed-form and hand-built', () => {
  // Lattice points within distance r of a lattice point (Gauss circle problem): N(1..5) = 5, 13, 29, 49, 81.
  it.each([
    [1, 5],
    [2, 13],
    [3, 29],
    [4, 49],
    [5, 81],
  ])('a disc of radius %i centred on a pixel centre covers %i pixels', (r, n) => {
    const region = strokeRegion([[15.5, 15.5]], r, 31, 31)
    expect(region && count(region.data)).toBe(n)
    expect(area(regionToRle(region, 31, 31))).toBe(n)
  })

  it('a large disc covers πr² within the Gauss-circle error bound', () => {
    const r = 300
    const region = strokeRegion([[700, 700]], r, 1400, 1400)
    const n = count(region?.data ?? [])
    expect(Math.abs(n - Math.PI * r * r)).toBeLessThan(2 * Math.SQRT2 * Math.PI * r)
  })

  it('a horizontal segment of radius 1 is a capsule', () => {
    const b = blank(10, 8)
    const rect = paintStroke(
      b,
      [
        [2.5, 4.5],
        [7.5, 4.5],
      ],
      1,
      1,
    )
    expect(rows(b)).toEqual([
      '0000000000',
      '0000000000',
      '0000000000',
      '0011111100',
      '0111111110',
      '0011111100',
      '0000000000',
      '0000000000',
    ])
    expect(rect).toEqual({ x0: 1, y0: 3, w: 8, h: 3 })
  })

  it('clips to the image; a stroke entirely outside paints nothing', () => {
    const corner = strokeRegion([[0, 0]], 2, 10, 10)
    // centres (0.5,0.5), (1.5,0.5), (0.5,1.5) are within 2 of the corner; (1.5,1.5) is 2.12 away
    // (the region is the conservative bounding box, one pixel wider than the disc here)
    expect(corner).toEqual({ x0: 0, y0: 0, w: 3, h: 3, data: Uint8Array.from([1, 1, 0, 1, 0, 0, 0, 0, 0]) })
    expect(strokeRegion([[-5, -5]], 2, 10, 10)).toBeNull()
    const b = blank(10, 10)
    expect(paintStroke(b, [[50, 3]], 4, 1)).toBeNull()
    expect(count(b.data)).toBe(0)
  })

  it('the eraser removes exactly what the brush painted', () => {
    const b = grid('1111', '1111', '1111')
    paintStroke(b, [[1, 1.5]], 0.8, 0)
    expect(rows(b)).toEqual(['1111', '0011', '1111'])
  })

  it('rejects bad radii and non-finite points', () => {
    expect(() => strokeRegion([[1, 1]], 0, 5, 5)).toThrow(/radius must be a positive/)
    expect(() => strokeRegion([], 2, 5, 5)).toThrow(/at least one point/)
    expect(() => strokeRegion([[Number.NaN, 1]], 2, 5, 5)).toThrow(MaskOpError)
  })
})

describe('polygon fill: hand-built', () => {
  it('fills a rectangle by pixel centres', () => {
    const b = blank(8, 7)
    fillPolygon(
      b,
      [
        [2, 2],
        [6, 2],
        [6, 5],
        [2, 5],
      ],
      1,
    )
    expect(rows(b)).toEqual([
      '00000000',
      '00000000',
      '00111100',
      '00111100',
      '00111100',
      '00000000',
      '00000000',
    ])
  })

  it('uses the even-odd rule: a doubly wound square leaves its overlap empty', () => {
    // Outer square 0..6 and inner square 2..4 traversed in the same direction, joined by a seam.
    const square: Vec2[] = [
      [0, 0],
      [6, 0],
      [6, 6],
      [0, 6],
      [0, 0],
      [2, 2],
      [4, 2],
      [4, 4],
      [2, 4],
      [2, 2],
    ]
    const r = polygonRegion(square, 6, 6)
    expect(r && rows({ w: r.w, h: r.h, data: r.data })).toEqual([
      '111111',
      '111111',
      '110011',
      '110011',
      '111111',
      '111111',
    ])
  })

  it('rejects polygons with fewer than 3 vertices with a clear message', () => {
    expect(() =>
      validatePolygon([
        [0, 0],
        [3, 3],
      ]),
    ).toThrow('a polygon needs at least 3 vertices, got 2')
    expect(() => polygonRegion([[1, 1]], 4, 4)).toThrow(MaskOpError)
  })

  it('clips a polygon larger than the image', () => {
    const r = polygonRegion(
      [
        [-10, -10],
        [20, -10],
        [20, 20],
        [-10, 20],
      ],
      4,
      3,
    )
    expect(r).toEqual({ x0: 0, y0: 0, w: 4, h: 3, data: new Uint8Array(12).fill(1) })
    expect(
      polygonRegion(
        [
          [10, 10],
          [12, 10],
          [11, 12],
        ],
        4,
        3,
      ),
    ).toBeNull()
  })
})

describe('combining masks: hand-built', () => {
  const a = grid('1100', '1100', '0000')
  const b = grid('0110', '0000', '0011')
  const ra = bitmapToRle(a)
  const rb = bitmapToRle(b)
  it.each([
    ['add', ['1110', '1100', '0011']],
    ['subtract', ['1000', '1100', '0000']],
    ['replace', ['0110', '0000', '0011']],
  ] as const)('%s on RLE and on bitmaps', (mode, expected) => {
    expect(rows(rleToBitmap(combineRle(ra, rb, mode)))).toEqual(expected)
    const base = { ...a, data: a.data.slice() }
    combineBitmap(base, { x0: 0, y0: 0, w: 4, h: 3, data: b.data }, mode)
    expect(rows(base)).toEqual(expected)
  })

  it('unions a list of masks, and an empty list is background', () => {
    const c = bitmapToRle(grid('0000', '0001', '0000'))
    expect(rows(rleToBitmap(unionRle([ra, rb, c], 3, 4)))).toEqual(['1110', '1101', '0011'])
    expect(area(unionRle([], 3, 4))).toBe(0)
  })

  it('places a region into a full-size RLE (byte-identical to encoding the painted bitmap)', () => {
    const region = strokeRegion(
      [
        [3.2, 4.1],
        [9.7, 2.2],
        [6, 11],
      ],
      2.3,
      13,
      15,
    )
    const full = blank(13, 15)
    paintStroke(
      full,
      [
        [3.2, 4.1],
        [9.7, 2.2],
        [6, 11],
      ],
      2.3,
      1,
    )
    const viaRegion = regionToRle(region, 15, 13)
    expect(Array.from(viaRegion.counts)).toEqual(Array.from(encodeRowMajor(full.data, 15, 13).counts))
  })

  it('agrees with pixelwise boolean logic on random masks', () => {
    let s = 7
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0), s >>> 16)
    for (let trial = 0; trial < 20; trial++) {
      const w = 1 + (rand() % 17)
      const h = 1 + (rand() % 13)
      const x = Uint8Array.from({ length: w * h }, () => (rand() % 3 === 0 ? 1 : 0))
      const y = Uint8Array.from({ length: w * h }, () => (rand() % 2 === 0 ? 1 : 0))
      const rx = encodeRowMajor(x, h, w)
      const ry = encodeRowMajor(y, h, w)
      expect(Array.from(decodeRowMajor(combineRle(rx, ry, 'add')))).toEqual(Array.from(x, (v, i) => v | y[i]))
      expect(Array.from(decodeRowMajor(combineRle(rx, ry, 'subtract')))).toEqual(
        Array.from(x, (v, i) => v & (1 - y[i])),
      )
    }
  })

  it('refuses masks of different sizes', () => {
    expect(() => combineRle(ra, bitmapToRle(grid('11', '11')), 'add')).toThrow(/sizes differ/)
  })
})

describe('fill holes and remove specks: hand-built', () => {
  it('fills enclosed background, including one closed only diagonally, but not a notch open to the border', () => {
    const b = grid(
      '0000000', //
      '0111000',
      '0101100',
      '0110100',
      '0011100',
      '0100010',
      '0101010',
    )
    expect(rows(fillHoles(b))).toEqual([
      '0000000',
      '0111000',
      '0111100',
      '0111100',
      '0011100',
      '0100010',
      '0101010',
    ])
  })

  it('removes 8-connected components smaller than N pixels', () => {
    const b = grid(
      '1100001', //
      '1000010',
      '0000000',
      '0111000',
      '0010000',
    )
    // the diagonal pair on the right is one 8-connected component of 2 pixels
    expect(rows(removeSpecks(b, 2))).toEqual(['1100001', '1000010', '0000000', '0111000', '0010000'])
    expect(rows(removeSpecks(b, 3))).toEqual(['1100000', '1000000', '0000000', '0111000', '0010000'])
    expect(rows(removeSpecks(b, 4))).toEqual(['0000000', '0000000', '0000000', '0111000', '0010000'])
    expect(count(removeSpecks(b, 5).data)).toBe(0)
    expect(() => removeSpecks(b, -1)).toThrow(MaskOpError)
  })
})

function hasNumpy(): boolean {
  if (!existsSync('/usr/bin/python3')) return false
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy, scipy.ndimage'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * An independent NumPy rasterisation over the whole pixel grid: for brushes the distance of every pixel
 * centre to every segment, for polygons the PNPOLY crossing test, for holes/specks scipy.ndimage.
 */
const NUMPY_REFERENCE = `
import json, sys
import numpy as np
from scipy import ndimage
cases = json.load(sys.stdin)
out = []
for c in cases:
    w, h = c['w'], c['h']
    px, py = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    m = np.zeros((h, w), dtype=bool)
    if c['kind'] == 'brush':
        pts, r2 = c['points'], c['r'] * c['r']
        segs = list(zip(pts[:-1], pts[1:])) if len(pts) > 1 else [(pts[0], pts[0])]
        for (ax, ay), (bx, by) in segs:
            dx, dy = bx - ax, by - ay
            l2 = dx * dx + dy * dy
            if l2 == 0:
                d2 = (px - ax) * (px - ax) + (py - ay) * (py - ay)
            else:
                t = np.clip(((px - ax) * dx + (py - ay) * dy) / l2, 0, 1)
                ex = px - (ax + t * dx)
                ey = py - (ay + t * dy)
                d2 = ex * ex + ey * ey
            m |= d2 <= r2
    elif c['kind'] == 'polygon':
        pts = c['points']
        n = len(pts)
        for i in range(n):
            x0, y0 = pts[i - 1]
            x1, y1 = pts[i]
            if y0 == y1:
                continue
            cross = (y0 <= py) != (y1 <= py)
            xint = x0 + ((py - y0) * (x1 - x0)) / (y1 - y0)
            m ^= cross & (px < xint)
    elif c['kind'] == 'holes':
        m = ndimage.binary_fill_holes(np.array(c['mask'], dtype=bool).reshape(h, w))
    elif c['kind'] == 'specks':
        src = np.array(c['mask'], dtype=bool).reshape(h, w)
        lab, n = ndimage.label(src, structure=np.ones((3, 3)))
        sizes = np.bincount(lab.ravel())
        keep = sizes >= c['min']
        keep[0] = False
        m = keep[lab]
    out.append(''.join('1' if v else '0' for v in m.ravel()))
json.dump(out, sys.stdout)
`

describe.skipIf(!hasNumpy())('pixel for pixel against NumPy / SciPy', () => {
  let s = 12345
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32)
  const W = 61
  const H = 47
  const pt = (): [number, number] => [
    // mostly inside, sometimes outside the image; half-pixel and integer values hit the boundary cases
    Math.round((rnd() * 1.3 - 0.15) * W * 4) / 4,
    Math.round((rnd() * 1.3 - 0.15) * H * 4) / 4,
  ]
  type Case =
    | { kind: 'brush'; w: number; h: number; points: [number, number][]; r: number }
    | { kind: 'polygon'; w: number; h: number; points: [number, number][] }
    | { kind: 'holes' | 'specks'; w: number; h: number; mask: number[]; min?: number }
  const cases: Case[] = []
  for (let i = 0; i < 30; i++) {
    const n = 1 + Math.floor(rnd() * 5)
    cases.push({ kind: 'brush', w: W, h: H, points: Array.from({ length: n }, pt), r: 0.5 + rnd() * 9 })
  }
  cases.push({ kind: 'brush', w: W, h: H, points: [[10, 10]], r: 5 }) // disc centred on a pixel corner
  for (let i = 0; i < 30; i++) {
    const n = 3 + Math.floor(rnd() * 7)
    cases.push({ kind: 'polygon', w: W, h: H, points: Array.from({ length: n }, pt) })
  }
  cases.push({
    kind: 'polygon',
    w: W,
    h: H,
    // a pentagram: self-intersecting, the even-odd rule leaves the centre empty
    points: [0, 2, 4, 1, 3].map((k): [number, number] => [
      30 + 20 * Math.sin((2 * Math.PI * k) / 5),
      23 - 20 * Math.cos((2 * Math.PI * k) / 5),
    ]),
  })
  for (let i = 0; i < 10; i++) {
    const density = 0.3 + rnd() * 0.4
    const mask = Array.from({ length: W * H }, () => (rnd() < density ? 1 : 0))
    cases.push({ kind: 'holes', w: W, h: H, mask })
    cases.push({ kind: 'specks', w: W, h: H, mask, min: 1 + Math.floor(rnd() * 12) })
  }

  const expected = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', NUMPY_REFERENCE], { input: JSON.stringify(cases) }).toString(),
  ) as string[]

  it('the reference itself is not trivial (every kind paints and leaves pixels)', () => {
    for (const e of expected) expect(e).toMatch(/0/)
    expect(expected.filter((e) => e.includes('1')).length).toBeGreaterThan(cases.length - 5)
  })

  it.each(cases.map((c, i) => [i, c.kind, c] as const))('case %i (%s)', (i, _kind, c) => {
    let got: Uint8Array
    if (c.kind === 'brush') {
      got = decodeRowMajor(regionToRle(strokeRegion(c.points, c.r, c.w, c.h), c.h, c.w))
      const painted = blank(c.w, c.h)
      paintStroke(painted, c.points, c.r, 1)
      expect(Array.from(painted.data).join('')).toBe(expected[i])
    } else if (c.kind === 'polygon') {
      got = decodeRowMajor(regionToRle(polygonRegion(c.points, c.w, c.h), c.h, c.w))
      const filled = blank(c.w, c.h)
      fillPolygon(filled, c.points, 1)
      expect(Array.from(filled.data).join('')).toBe(expected[i])
    } else {
      const src = { w: c.w, h: c.h, data: Uint8Array.from(c.mask) }
      got = (c.kind === 'holes' ? fillHoles(src) : removeSpecks(src, c.min ?? 0)).data
    }
    expect(Array.from(got).join('')).toBe(expected[i])
  })
})
