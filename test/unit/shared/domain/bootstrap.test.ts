import { describe, expect, it } from 'vitest'
import {
  bootstrapMetrics,
  pairedBootstrapDiff,
  quantileSorted,
} from '../../../../src/shared/domain/bootstrap'
import { seededRng } from '../../../../src/shared/domain/random'

/** Samples with IoU drawn uniformly-ish from a fixed generator independent of the bootstrap's own seed. */
function fixture(n: number, salt = 7) {
  const intersection: number[] = []
  const union: number[] = []
  for (let i = 0; i < n; i++) {
    const u = 100 + ((i * 37 + salt) % 50)
    intersection.push((i * 7919 + salt) % (u + 1))
    union.push(u)
  }
  return { intersection, union }
}

describe('quantileSorted', () => {
  it('matches numpy type-7 quantiles', () => {
    // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.975]) = [1.75, 2.5, 3.925]
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12)
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12)
    expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12)
  })
})

describe('bootstrapMetrics', () => {
  it('is reproducible with a seed and changes with another seed', () => {
    const f = fixture(200)
    const a = bootstrapMetrics(f, { seed: 1 })
    expect(bootstrapMetrics(f, { seed: 1 })).toEqual(a)
    expect(bootstrapMetrics(f, { seed: 2 }).gIoU.lo).not.toBe(a.gIoU.lo)
  })

  it('point estimates are the Seg-Zero gIoU / cIoU and lie inside the interval', () => {
    const f = { intersection: [50, 0, 90, 30, 0], union: [100, 200, 100, 40, 0] }
    const r = bootstrapMetrics(f, { seed: 3 })
    expect(r.gIoU.value).toBeCloseTo((0.5 + 0 + 0.9 + 0.75 + 0) / 5, 12)
    expect(r.cIoU.value).toBeCloseTo(170 / 440, 12)
    for (const m of [r.gIoU, r.cIoU]) {
      expect(m.lo).toBeLessThanOrEqual(m.value)
      expect(m.hi).toBeGreaterThanOrEqual(m.value)
      expect(m.hi).toBeGreaterThan(m.lo)
    }
  })

  it('gIoU interval width matches the normal approximation and shrinks like 1/sqrt(n)', () => {
    const width = (n: number) => {
      const f = fixture(n)
      const r = bootstrapMetrics(f, { seed: 9, iterations: 2000 })
      const ious = f.intersection.map((x, i) => x / f.union[i])
      const mean = ious.reduce((s, x) => s + x, 0) / n
      const sd = Math.sqrt(ious.reduce((s, x) => s + (x - mean) ** 2, 0) / n)
      return { boot: r.gIoU.hi - r.gIoU.lo, normal: 2 * 1.959964 * (sd / Math.sqrt(n)) }
    }
    const small = width(100)
    const big = width(2500)
    expect(small.boot / small.normal).toBeGreaterThan(0.85)
    expect(small.boot / small.normal).toBeLessThan(1.15)
    expect(big.boot / big.normal).toBeGreaterThan(0.85)
    expect(big.boot / big.normal).toBeLessThan(1.15)
    expect(big.boot).toBeLessThan(small.boot / 3)
  })

  it('equals a straightforward reference bootstrap driven by seededRng(seed)', () => {
    const f = fixture(37)
    const B = 300
    const rand = seededRng(77)
    const g: number[] = []
    const c: number[] = []
    for (let b = 0; b < B; b++) {
      let sIou = 0
      let sI = 0
      let sU = 0
      for (let k = 0; k < 37; k++) {
        const j = Math.floor(rand() * 37)
        sIou += f.intersection[j] / f.union[j]
        sI += f.intersection[j]
        sU += f.union[j]
      }
      g.push(sIou / 37)
      c.push(sI / sU)
    }
    // numpy-style (type 7) 2.5% / 97.5% quantiles.
    const q = (xs: number[], p: number) => {
      const s = [...xs].sort((x, y) => x - y)
      const h = (s.length - 1) * p
      return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)])
    }
    const r = bootstrapMetrics(f, { seed: 77, iterations: B })
    expect(r.gIoU.lo).toBeCloseTo(q(g, 0.025), 12)
    expect(r.gIoU.hi).toBeCloseTo(q(g, 0.975), 12)
    expect(r.cIoU.lo).toBeCloseTo(q(c, 0.025), 12)
    expect(r.cIoU.hi).toBeCloseTo(q(c, 0.975), 12)
  })

  it('an empty set gives zeros', () => {
    expect(bootstrapMetrics({ intersection: [], union: [] }).gIoU).toEqual({ value: 0, lo: 0, hi: 0 })
  })
})

describe('pairedBootstrapDiff', () => {
  it('identical runs give exactly zero difference', () => {
    const f = fixture(100)
    const r = pairedBootstrapDiff(f, f, { seed: 4 })
    expect(r.gIoU).toEqual({ value: 0, lo: 0, hi: 0 })
    expect(r.cIoU).toEqual({ value: 0, lo: 0, hi: 0 })
  })

  it('a constant per-sample IoU shift gives a zero-width gIoU interval at the shift', () => {
    // Every union is 100; B has 10 more intersection pixels on every sample: IoU +0.1 each.
    const a = { intersection: Array.from({ length: 60 }, (_, i) => i % 80), union: Array(60).fill(100) }
    const b = { intersection: a.intersection.map((x) => x + 10), union: a.union }
    const r = pairedBootstrapDiff(a, b, { seed: 5 })
    expect(r.gIoU.value).toBeCloseTo(0.1, 12)
    expect(r.gIoU.lo).toBeCloseTo(0.1, 12)
    expect(r.gIoU.hi).toBeCloseTo(0.1, 12)
    // cIoU = ΣI/ΣU with a constant ΣU per resample: also exactly +0.1.
    expect(r.cIoU.lo).toBeCloseTo(0.1, 12)
  })

  it('the paired interval is narrower than the unpaired difference of independent intervals', () => {
    const a = fixture(300, 1)
    const b = {
      intersection: a.intersection.map((x, i) => Math.min(a.union[i], x + (i % 3))),
      union: a.union,
    }
    const paired = pairedBootstrapDiff(a, b, { seed: 6 })
    const ia = bootstrapMetrics(a, { seed: 6 })
    expect(paired.gIoU.hi - paired.gIoU.lo).toBeLessThan((ia.gIoU.hi - ia.gIoU.lo) / 5)
    expect(paired.gIoU.lo).toBeGreaterThan(0)
  })

  it('equals a straightforward paired reference driven by seededRng(seed), seeds above 2^31 included', () => {
    const a = fixture(23, 3)
    const b = fixture(23, 11)
    const B = 200
    for (const seed of [9, 0x9e3779b9]) {
      const rand = seededRng(seed)
      const g: number[] = []
      for (let r = 0; r < B; r++) {
        let d = 0
        for (let k = 0; k < 23; k++) {
          const j = Math.floor(rand() * 23)
          d += b.intersection[j] / b.union[j] - a.intersection[j] / a.union[j]
        }
        g.push(d / 23)
      }
      const s = [...g].sort((x, y) => x - y)
      const h = (s.length - 1) * 0.025
      const lo = s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)])
      expect(pairedBootstrapDiff(a, b, { seed, iterations: B }).gIoU.lo).toBeCloseTo(lo, 12)
    }
  })

  it('rejects unequal lengths', () => {
    expect(() => pairedBootstrapDiff(fixture(3), fixture(4))).toThrow(/equal lengths/)
  })
})
