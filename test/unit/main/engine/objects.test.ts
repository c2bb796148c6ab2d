import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOnnxSegmenter, type OnnxSegmenter } from '../../../../src/main/engine/onnx/segmenter'
import {
  ObjectStateCache,
  segmentSampleObjects,
  type SampleSegmentation,
} from '../../../../src/main/engine/objects'
import type { ObjectPrompt, RgbImage, Segmenter } from '../../../../src/main/engine/types'
import { decodeRowMajor, fromCoco, type Rle } from '../../../../src/shared/domain/rle'
import { tinyInstalledModel } from '../../../fixtures/onnxModels'
import { referenceRefineMasks, type RefineCase, type RefineMask } from '../../../fixtures/samRefineReference'

const root = mkdtempSync(join(tmpdir(), 'reseg-objects-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const W = 640
const H = 480
const image: RgbImage = { width: W, height: H, data: new Uint8Array(W * H * 3).fill(120) }

// Object A: a box, then a point outside it (3 decoder points: candidate 0), then a moved box.
const A: ObjectPrompt[] = [
  { box: [101, 83, 263, 201], points: [] },
  { box: [101, 83, 263, 201], points: [{ x: 301, y: 151, label: 1 }] },
  {
    box: [121, 93, 241, 233],
    points: [
      { x: 301, y: 151, label: 1 },
      { x: 151, y: 101, label: 0 },
    ],
  },
]
// Object B elsewhere: a box, then a point above it.
const B: ObjectPrompt[] = [
  { box: [403, 251, 561, 419], points: [] },
  { box: [403, 251, 561, 419], points: [{ x: 421, y: 237, label: 1 }] },
]

/**
 * Asserts a mask equals the reference pixel for pixel, except pixels the reference marks as ties
 * (logit within 1e-3 of zero), of which there may be only a handful.
 */
function expectMask(m: Rle, ref: RefineMask): void {
  const got = decodeRowMajor(m)
  const want = decodeRowMajor(fromCoco({ size: [m.h, m.w], counts: ref.runs }))
  const near = new Set(ref.near)
  expect(near.size).toBeLessThan(600) // < 0.2 % of the image
  const wrong: number[] = []
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i] && !near.has(i)) wrong.push(i)
  expect(wrong).toEqual([])
}

/** Pixels (row-major) where two reference masks differ, ties excluded. */
function differing(a: RefineMask, b: RefineMask): number {
  const x = decodeRowMajor(fromCoco({ size: [H, W], counts: a.runs }))
  const y = decodeRowMajor(fromCoco({ size: [H, W], counts: b.runs }))
  const near = new Set([...a.near, ...b.near])
  let n = 0
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !near.has(i)) n++
  return n
}

describe.each([
  { tiny: 'sam-refine' as const, family: 'sam' as const },
  { tiny: 'sam2-refine' as const, family: 'sam2' as const },
])('iterative refinement on the $tiny fixture', ({ tiny, family }) => {
  let seg: OnnxSegmenter
  beforeAll(async () => {
    seg = await createOnnxSegmenter(tinyInstalledModel(join(root, tiny), tiny, { family }), {
      provider: 'cpu',
    })
  })
  afterAll(() => seg.dispose())

  const ref = (steps: ObjectPrompt[], variant: RefineCase['variant']): RefineCase => ({
    family,
    width: W,
    height: H,
    steps,
    variant,
  })

  it('sends the previous step’s chosen logits of the same object as mask_input, unchanged objects from memory', async () => {
    expect(seg.refines).toBe(true)
    const [chainA, chainB, noneA, transposedA, complementA, wrongObjectA, noneB] = referenceRefineMasks([
      ref(A, 'chain'),
      ref(B, 'chain'),
      ref(A, 'none'),
      ref(A, 'transposed'),
      ref(A, 'complement'),
      // A's second step refined with B's first logits instead of A's.
      ref([B[0], A[1]], 'chain'),
      ref(B, 'none'),
    ])
    // The fixture can tell each mistake apart from the right answer.
    for (const wrong of [noneA[1], transposedA[1], complementA[1], wrongObjectA[1]])
      expect(differing(wrong, chainA[1])).toBeGreaterThan(100)
    expect(differing(noneA[2], chainA[2])).toBeGreaterThan(100)
    expect(differing(noneB[1], chainB[1])).toBeGreaterThan(100)

    const cache = new ObjectStateCache()
    const step = (prompts: ObjectPrompt[]) =>
      segmentSampleObjects(cache, seg, {
        sampleKey: '1:1',
        imageKey: 'img',
        image,
        prompts,
        ids: ['a', 'b'],
        refine: true,
      })
    const decoderRuns = () => seg.stats().decoderRuns
    let before = decoderRuns()
    let r: SampleSegmentation = await step([A[0], B[0]])
    expect(r.objects.map((o) => [o.id, o.refined, o.decoded])).toEqual([
      ['a', false, true],
      ['b', false, true],
    ])
    expectMask(r.objects[0].mask, chainA[0])
    expectMask(r.objects[1].mask, chainB[0])
    expect(decoderRuns() - before).toBe(2)

    before = decoderRuns()
    r = await step([A[1], B[0]])
    expect(r.objects.map((o) => [o.refined, o.decoded])).toEqual([
      [true, true],
      [false, false],
    ])
    expectMask(r.objects[0].mask, chainA[1])
    expectMask(r.objects[1].mask, chainB[0])
    expect(decoderRuns() - before).toBe(1)

    r = await step([A[1], B[1]])
    expect(r.objects.map((o) => [o.refined, o.decoded])).toEqual([
      [true, false],
      [true, true],
    ])
    expectMask(r.objects[1].mask, chainB[1])

    r = await step([A[2], B[1]])
    expectMask(r.objects[0].mask, chainA[2])

    // The union is the OR of the objects' masks.
    const u = decodeRowMajor(r.union)
    const a = decodeRowMajor(r.objects[0].mask)
    const b = decodeRowMajor(r.objects[1].mask)
    expect(u.every((v, i) => v === (a[i] | b[i]))).toBe(true)
  })

  it('with refinement off sends no mask input', async () => {
    const [noneA] = referenceRefineMasks([ref(A, 'none')])
    const cache = new ObjectStateCache()
    for (const [i, p] of A.entries()) {
      const r = await segmentSampleObjects(cache, seg, {
        sampleKey: '1:2',
        imageKey: 'img',
        image,
        prompts: [p],
        refine: false,
      })
      expect(r.objects[0].refined).toBe(false)
      expectMask(r.objects[0].mask, noneA[i])
    }
  })

  it('after going back to an earlier prompt (undo), the next click refines the mask shown then', async () => {
    // Steps A0, A1, back to A0 (restored), then A1 again would be remembered; use A2 as the next click:
    // its logits must build on A0's, i.e. the chain [A0, A2].
    const [expected] = referenceRefineMasks([ref([A[0], A[2]], 'chain')])
    const cache = new ObjectStateCache()
    const call = (p: ObjectPrompt) =>
      segmentSampleObjects(cache, seg, {
        sampleKey: '1:3',
        imageKey: 'img',
        image,
        prompts: [p],
        refine: true,
      })
    await call(A[0])
    await call(A[1])
    cache.restore('1:3', seg.info.id, 'img', [A[0]])
    const r = await call(A[2])
    expect(r.objects[0].refined).toBe(true)
    expectMask(r.objects[0].mask, expected[1])
  })
})

describe('ObjectStateCache', () => {
  it('keeps logits within its byte budget, evicting the least recently used sample', async () => {
    const fake: Segmenter = {
      info: { id: 'fake', label: 'fake', family: 'sam', isBaseline: false, provider: 'cpu' },
      refines: true,
      segment: async (_k, img) => ({
        mask: { h: img.height, w: img.width, counts: Uint32Array.of(img.height * img.width) },
        score: 0.5,
        lowRes: new Float32Array(256 * 256),
      }),
      dispose: async () => undefined,
    }
    const img: RgbImage = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) }
    const perDecode = 256 * 256 * 4 + 4
    const cache = new ObjectStateCache(perDecode * 2.5)
    for (let s = 0; s < 5; s++) {
      await segmentSampleObjects(cache, fake, {
        sampleKey: `1:${s}`,
        imageKey: 'i',
        image: img,
        prompts: [{ points: [{ x: 1, y: 1, label: 1 }] }],
        refine: true,
      })
      expect(cache.heldBytes).toBeLessThanOrEqual(perDecode * 2.5)
    }
    expect(cache.heldBytes).toBe(perDecode * 2)
  })
})
