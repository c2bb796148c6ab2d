import { describe, expect, it } from 'vitest'
import {
  breakdown,
  cumulativeCurve,
  imageSizeBucket,
  iouHistogram,
  objectSizeBucket,
  queryKind,
  type SampleResult,
} from '../../../../src/shared/domain/breakdowns'

const base = { predicted: true, isSentence: null, query: '', width: 100, height: 100, tags: [] as string[] }
// Hand-built: IoUs 0.5, 0, 0.9, 0.75 and a missing prediction (I = 0, U = |GT| = 1000).
const samples: SampleResult[] = [
  {
    ...base,
    sampleId: 1,
    intersection: 50,
    union: 100,
    isSentence: true,
    gtArea: 50,
    tags: ['wrong-object'],
  },
  {
    ...base,
    sampleId: 2,
    intersection: 0,
    union: 200,
    isSentence: false,
    gtArea: 600,
    tags: ['wrong-object', 'boundary'],
  },
  { ...base, sampleId: 3, intersection: 90, union: 100, query: 'the red car', gtArea: 300 },
  {
    ...base,
    sampleId: 4,
    intersection: 30,
    union: 40,
    query: 'What is used to cut bread?',
    width: 1000,
    height: 800,
    gtArea: 200_000,
    tags: ['boundary'],
  },
  {
    ...base,
    sampleId: 5,
    intersection: 0,
    union: 1000,
    predicted: false,
    isSentence: true,
    width: 2000,
    height: 1500,
    gtArea: 1000,
  },
]

const row = (rows: ReturnType<typeof breakdown>, key: string) => rows.find((r) => r.key === key)!

describe('grouping rules', () => {
  it('query kind uses the flag first, then the text', () => {
    expect(queryKind(true, 'dog')).toBe('sentence')
    expect(queryKind(false, 'What can the man use to stay dry in the rain?')).toBe('phrase')
    expect(queryKind(null, 'the red car')).toBe('phrase')
    expect(queryKind(null, 'What is used to cut bread?')).toBe('sentence')
    expect(queryKind(null, 'the thing that people sit on when they are tired')).toBe('sentence')
  })
  it('object size and image size thresholds', () => {
    expect(objectSizeBucket(99, 100, 100)).toBe('tiny')
    expect(objectSizeBucket(100, 100, 100)).toBe('small')
    expect(objectSizeBucket(500, 100, 100)).toBe('medium')
    expect(objectSizeBucket(2000, 100, 100)).toBe('large')
    expect(imageSizeBucket(700, 700)).toBe('lt0.5MP')
    expect(imageSizeBucket(1000, 1000)).toBe('1-2MP')
    expect(imageSizeBucket(2000, 1000)).toBe('ge2MP')
  })
})

describe('breakdown', () => {
  it('query kind: hand-computed gIoU / cIoU', () => {
    const rows = breakdown(samples, 'queryKind', { seed: 1 })
    expect(rows.map((r) => r.key)).toEqual(['phrase', 'sentence'])
    expect(row(rows, 'sentence').n).toBe(3)
    expect(row(rows, 'sentence').missing).toBe(1)
    expect(row(rows, 'sentence').gIoU.value).toBeCloseTo(1.25 / 3, 12)
    expect(row(rows, 'sentence').cIoU.value).toBeCloseTo(80 / 1140, 12)
    expect(row(rows, 'phrase').gIoU.value).toBeCloseTo(0.45, 12)
    expect(row(rows, 'phrase').cIoU.value).toBeCloseTo(90 / 300, 12)
  })

  it('tags: a sample counts under each of its tags; untagged samples get their own row', () => {
    const rows = breakdown(samples, 'tag', { seed: 1 })
    expect(row(rows, 'wrong-object').n).toBe(2)
    expect(row(rows, 'wrong-object').gIoU.value).toBeCloseTo(0.25, 12)
    expect(row(rows, 'wrong-object').cIoU.value).toBeCloseTo(50 / 300, 12)
    expect(row(rows, 'boundary').gIoU.value).toBeCloseTo(0.375, 12)
    expect(row(rows, 'boundary').cIoU.value).toBeCloseTo(30 / 240, 12)
    expect(row(rows, '(untagged)').cIoU.value).toBeCloseTo(90 / 1100, 12)
  })

  it('object and image size: fixed bucket order, empty buckets kept', () => {
    const obj = breakdown(samples, 'objectSize', { seed: 1 })
    expect(obj.map((r) => [r.key, r.n])).toEqual([
      ['tiny', 2],
      ['small', 1],
      ['medium', 1],
      ['large', 1],
    ])
    expect(row(obj, 'tiny').cIoU.value).toBeCloseTo(50 / 1100, 12)
    const img = breakdown(samples, 'imageSize', { seed: 1 })
    expect(img.map((r) => [r.key, r.n])).toEqual([
      ['lt0.5MP', 3],
      ['0.5-1MP', 1],
      ['1-2MP', 0],
      ['ge2MP', 1],
    ])
    expect(row(img, 'lt0.5MP').gIoU.value).toBeCloseTo(1.4 / 3, 12)
    expect(row(img, 'lt0.5MP').cIoU.value).toBeCloseTo(140 / 400, 12)
    expect(row(img, '1-2MP').gIoU).toEqual({ value: 0, lo: 0, hi: 0 })
  })

  it('is reproducible for a given seed', () => {
    expect(breakdown(samples, 'tag', { seed: 8 })).toEqual(breakdown(samples, 'tag', { seed: 8 }))
  })
})

describe('histogram and cumulative curve', () => {
  const ious = [0, 0.05, 0.1, 0.95, 1]
  it('bins [lo, hi) with 1.0 in the last bin', () => {
    const h = iouHistogram(ious, 10)
    expect(h.map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2])
  })
  it('share of samples at or above each threshold', () => {
    const c = cumulativeCurve(ious, 10)
    expect(c[0]).toEqual({ t: 0, atLeast: 1 })
    expect(c[1].atLeast).toBeCloseTo(3 / 5, 12)
    expect(c[10].atLeast).toBeCloseTo(1 / 5, 12)
  })
})
