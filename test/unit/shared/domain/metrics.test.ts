/**
 * Metric conventions against closed-form values: Seg-Zero/VisionReasoner's calculate_iou_with_bbox.py
 * (IoU 0 when U = 0, plain mean and ratio) and LISA's validate() (I/(U+1e-5), +1 when U = 0,
 * ΣIoU/(n+1e-5), ΣI/(ΣU+1e-10)); ignore pixels counted by hand or by a dense loop written here.
 */
import { describe, expect, it } from 'vitest'
import { aggregate, maskCounts, sampleIou } from '../../../../src/shared/domain/metrics'
import { emptyRle, encodeRowMajor } from '../../../../src/shared/domain/rle'
import { gridMask } from '../../../fixtures/runProject'

const rle = (rows: string[], mark = '#') => {
  const g = gridMask(rows, mark)
  return encodeRowMajor(g.mask, g.h, g.w)
}

describe('sampleIou', () => {
  it('Seg-Zero: I/U, and 0 when the union is empty', () => {
    expect(sampleIou(100, 700)).toBe(1 / 7)
    expect(sampleIou(0, 0)).toBe(0)
    expect(sampleIou(0, 0, 'segzero')).toBe(0)
  })
  it('LISA: I/(U + 1e-5), and 1 when the union is empty', () => {
    expect(sampleIou(100, 700, 'lisa')).toBe(100 / 700.00001)
    expect(sampleIou(0, 0, 'lisa')).toBe(1)
    expect(sampleIou(50, 50, 'lisa')).toBeLessThan(1)
  })
})

describe('aggregate', () => {
  const samples = [
    { intersection: 100, union: 700 },
    { intersection: 0, union: 0 },
    { intersection: 50, union: 50 },
  ]
  it('Seg-Zero: gIoU = mean IoU, cIoU = ΣI/ΣU', () => {
    const a = aggregate(samples)
    expect(a.n).toBe(3)
    expect(a.gIoU).toBeCloseTo((1 / 7 + 0 + 1) / 3, 15)
    expect(a.cIoU).toBe(150 / 750)
  })
  it('LISA: the empty-union sample counts 1, with its epsilons', () => {
    const a = aggregate(samples, 'lisa')
    expect(a.gIoU).toBeCloseTo((100 / 700.00001 + 1 + 50 / 50.00001) / 3.00001, 15)
    expect(a.cIoU).toBeCloseTo(150 / (750 + 1e-10), 15)
  })
  it('no samples and an all-empty union give zeros, not NaN', () => {
    expect(aggregate([])).toEqual({ n: 0, gIoU: 0, cIoU: 0 })
    expect(aggregate([{ intersection: 0, union: 0 }])).toEqual({ n: 1, gIoU: 0, cIoU: 0 })
  })
})

describe('maskCounts', () => {
  it('two overlapping squares', () => {
    const sq = (x0: number, y0: number) =>
      rle(
        Array.from({ length: 8 }, (_, y) =>
          Array.from({ length: 8 }, (_, x) =>
            x >= x0 && x < x0 + 4 && y >= y0 && y < y0 + 4 ? '#' : '.',
          ).join(''),
        ),
      )
    // 4x4 squares offset by (2, 2): overlap 2x2 = 4, union 16 + 16 - 4 = 28.
    expect(maskCounts(sq(2, 2), sq(0, 0))).toEqual({ intersection: 4, union: 28 })
  })

  it('a missing prediction is an empty mask: I = 0, U = |GT|', () => {
    const gt = rle(['##.', '##.', '...'])
    expect(maskCounts(null, gt)).toEqual({ intersection: 0, union: 4 })
    expect(maskCounts(emptyRle(3, 3), gt)).toEqual({ intersection: 0, union: 4 })
  })

  it('ignore pixels count in neither I nor U', () => {
    const rows = ['##.', '##?', '..?']
    const gt = rle(rows)
    const ignore = rle(rows, '?')
    const pred = rle(['.##', '.##', '.##'])
    // P∩G = (1,0),(1,1) → 2; P∪G = 8 pixels, of which (2,1),(2,2) are ignored → 6.
    expect(maskCounts(pred, gt, ignore)).toEqual({ intersection: 2, union: 6 })
    expect(maskCounts(null, gt, ignore)).toEqual({ intersection: 0, union: 4 })
    // An ignore region over GT pixels removes them from I and U too.
    const over = rle(['#..', '...', '...'])
    expect(maskCounts(rle(['##.', '...', '...']), gt, over)).toEqual({ intersection: 1, union: 3 })
  })

  it('matches a dense count with ignore on random masks', () => {
    let seed = 11
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let t = 0; t < 25; t++) {
      const h = 1 + Math.floor(rnd() * 30)
      const w = 1 + Math.floor(rnd() * 30)
      const p = new Uint8Array(h * w).map(() => (rnd() < 0.5 ? 1 : 0))
      const g = new Uint8Array(h * w).map(() => (rnd() < 0.4 ? 1 : 0))
      const x = new Uint8Array(h * w).map(() => (rnd() < 0.2 ? 1 : 0))
      let i = 0
      let u = 0
      for (let k = 0; k < p.length; k++) {
        if (x[k]) continue
        i += p[k] & g[k]
        u += p[k] | g[k]
      }
      const enc = (m: Uint8Array) => encodeRowMajor(m, h, w)
      expect(maskCounts(enc(p), enc(g), enc(x))).toEqual({ intersection: i, union: u })
    }
  })

  it('names both sizes when they differ', () => {
    expect(() => maskCounts(emptyRle(2, 3), emptyRle(3, 2))).toThrow(/2x3 but the ground truth is 3x2/)
  })
})
