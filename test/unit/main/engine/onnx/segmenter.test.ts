import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeRowMajor, type Rle } from '../../../../../src/shared/domain/rle'
import type { Flavour } from '../../../../../src/main/engine/onnx/flavours'
import type { InstalledModel } from '../../../../../src/main/engine/onnx/manifest'
import { createOnnxSegmenter, type OnnxSegmenter } from '../../../../../src/main/engine/onnx/segmenter'
import type { ObjectPrompt, RgbImage } from '../../../../../src/main/engine/types'
import {
  MULTI3_BASE,
  SAM_BASE,
  SCORE_STEP,
  tinyInstalledModel,
  type TinyFlavour,
} from '../../../../fixtures/onnxModels'
import { referenceMasks, type ReferenceCase } from '../../../../fixtures/samReference'

const root = mkdtempSync(join(tmpdir(), 'reseg-onnx-seg-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const tinyModel = (flavour: TinyFlavour, family: Flavour): InstalledModel =>
  tinyInstalledModel(join(root, flavour), flavour, { family, label: `tiny ${flavour}` })

function gray(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(90) }
}

/** Score the tiny decoders return for a label sequence (see test/fixtures/onnxModels.ts). */
function expectedScore(base: number, labels: number[], offset: number, radix: number): number {
  return base + SCORE_STEP * labels.reduce((acc, l, n) => acc + (l + offset) * radix ** n, 0)
}

const shapes: [number, number][] = [
  [640, 480],
  [200, 150],
  [300, 1000],
  [517, 333],
]

const prompts: { name: string; prompt: ObjectPrompt }[] = [
  { name: 'box', prompt: { box: [37, 41, 121, 133], points: [] } },
  { name: 'point', prompt: { points: [{ x: 90, y: 77, label: 1 }] } },
  {
    name: 'box + positive + negative',
    prompt: {
      box: [20, 30, 140, 110],
      points: [
        { x: 60, y: 50, label: 1 },
        { x: 100, y: 90, label: 0 },
      ],
    },
  },
  {
    name: 'two positive points',
    prompt: {
      points: [
        { x: 40, y: 35, label: 1 },
        { x: 150, y: 120, label: 1 },
      ],
    },
  },
]

/** Labels the decoder must receive for a prompt, by flavour (independent of the code under test). */
function sentLabels(family: 'sam' | 'sam2' | 'hf-sam' | 'hf-sam2', p: ObjectPrompt): number[] {
  const labels: number[] = p.points.map((q) => q.label)
  if (family === 'hf-sam' || family === 'hf-sam2') {
    if (!p.box) return [...labels, -1]
    return labels.length ? labels : [-10]
  }
  if (p.box) labels.push(2, 3)
  if (family === 'sam' && !p.box) labels.push(-1)
  return labels
}

function runsOf(rle: Rle): number[] {
  return Array.from(rle.counts)
}

describe.each([
  { flavour: 'sam' as const, family: 'sam' as const },
  { flavour: 'sam2' as const, family: 'sam2' as const },
  { flavour: 'hf-sam' as const, family: 'hf-sam' as const },
  { flavour: 'hf-sam2' as const, family: 'hf-sam2' as const },
])('$flavour pipeline against the NumPy reference', ({ flavour, family }) => {
  let seg: OnnxSegmenter
  beforeAll(async () => {
    seg = await createOnnxSegmenter(tinyModel(flavour, family), { provider: 'cpu' })
  })
  afterAll(() => seg.dispose())

  const cases = shapes.flatMap(([width, height]) => prompts.map((p) => ({ width, height, ...p })))

  it('matches the reference mask pixel for pixel, with the expected multimask choice and labels', async () => {
    const refs = referenceMasks(
      cases.map((c): ReferenceCase => ({
        family,
        width: c.width,
        height: c.height,
        box: c.prompt.box,
        points: c.prompt.points,
      })),
    )
    for (const [i, c] of cases.entries()) {
      const res = await seg.segment(`img-${c.width}x${c.height}`, gray(c.width, c.height), c.prompt)
      const where = `${c.name} on ${c.width}x${c.height}`
      expect(res.mask.h, where).toBe(c.height)
      expect(res.mask.w, where).toBe(c.width)
      expect(runsOf(res.mask), where).toEqual(refs[i])
      const labels = sentLabels(family, c.prompt)
      const [base, offset, radix] =
        family === 'sam'
          ? [labels.length > 2.5 ? SAM_BASE[0] : SAM_BASE[2], 2, 6]
          : family === 'sam2'
            ? [MULTI3_BASE[1], 2, 6]
            : [MULTI3_BASE[1], 11, 13]
      expect(res.score, where).toBeCloseTo(expectedScore(base, labels, offset, radix), 5)
    }
  })

  it('puts the mask edge exactly where the box edge is (a 1 px shift changes the mask)', async () => {
    const [width, height] = [640, 480]
    const box: [number, number, number, number] = [101, 60, 400, 300]
    const res = await seg.segment('edge', gray(width, height), { box, points: [] })
    const mask = decodeRowMajor(res.mask)
    const row = 180
    const cols = [...Array(width).keys()].filter((x) => mask[row * width + x])
    // Pixel centre x + 0.5 strictly inside (101, 400): columns 101..399.
    expect(cols[0]).toBe(101)
    expect(cols[cols.length - 1]).toBe(399)
    expect(cols.length).toBe(299)
    const col = 250
    const rows = [...Array(height).keys()].filter((y) => mask[y * width + col])
    expect([rows[0], rows[rows.length - 1]]).toEqual([60, 299])
    const shifted = await seg.segment('edge', gray(width, height), { box: [102, 60, 400, 300], points: [] })
    expect(decodeRowMajor(shifted.mask)[row * width + 101]).toBe(0)
  })
})

describe('single-mask SAM export', () => {
  it('uses its only mask and score', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam-single', 'sam'), { provider: 'cpu' })
    try {
      const res = await seg.segment('s', gray(320, 240), { box: [10, 20, 100, 200], points: [] })
      expect(res.score).toBeCloseTo(expectedScore(0.8, [2, 3], 2, 6), 5)
      const mask = decodeRowMajor(res.mask)
      expect(mask[100 * 320 + 50]).toBe(1)
      expect(mask[100 * 320 + 150]).toBe(0)
    } finally {
      await seg.dispose()
    }
  })
})

describe('empty prompts', () => {
  it('return an empty mask without running the decoder', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam', 'sam'), { provider: 'cpu' })
    try {
      const res = await seg.segment('e', gray(50, 40), { points: [] })
      expect(Array.from(res.mask.counts)).toEqual([2000])
      expect(seg.stats().decoderRuns).toBe(0)
      expect(seg.stats().encoderRuns).toBe(0)
    } finally {
      await seg.dispose()
    }
  })
})

describe('encodes nobody waits for any more', () => {
  it('are dropped from the worker queue; the running one finishes and is cached', async () => {
    const seg = await createOnnxSegmenter(
      tinyInstalledModel(join(root, 'slow'), 'sam-slow', { family: 'sam', id: 'tiny-slow', label: 'slow' }),
      { provider: 'cpu' },
    )
    try {
      const img = gray(64, 48)
      // A: the sample shown first; its encode starts at once and is abandoned by the switch to B.
      const a = new AbortController()
      const first = seg.embed('A', () => img, a.signal).catch((e: unknown) => e)
      for (let i = 0; i < 500 && !seg.stats().workerBusy; i++) await new Promise((r) => setTimeout(r, 5))
      expect(seg.stats().workerBusy).toBe(true)
      const controllers: AbortController[] = [a]
      const waits: Promise<unknown>[] = [first]
      for (const key of ['B', 'C', 'D', 'E']) {
        controllers.at(-1)!.abort()
        const c = new AbortController()
        controllers.push(c)
        waits.push(seg.embed(key, () => img, c.signal).catch((e: unknown) => e))
        // Long enough for the encode to be queued in the worker, far shorter than A's encode.
        await new Promise((r) => setTimeout(r, 20))
      }
      const settled = await Promise.all(waits)
      expect(settled.slice(0, 4).every((e) => e instanceof Error || e instanceof DOMException)).toBe(true)
      expect(seg.stats().workerEncoderRuns).toBe(2) // A (already running) and E
      expect(seg.hasEmbedding('E')).toBe(true)
      // A finished in the worker and was kept; B, C, D never ran.
      await new Promise((r) => setTimeout(r, 50))
      expect(['A', 'B', 'C', 'D'].map((k) => seg.hasEmbedding(k))).toEqual([true, false, false, false])
    } finally {
      await seg.dispose()
    }
  })
})
