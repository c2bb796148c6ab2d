import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { ModelSignatureError, type Flavour } from '../../../../../src/main/engine/onnx/flavours'
import type { InstalledModel } from '../../../../../src/main/engine/onnx/manifest'
import { createOnnxSegmenter, ModelFileMissingError } from '../../../../../src/main/engine/onnx/segmenter'
import { precomputeEmbeddings } from '../../../../../src/main/engine/cache/precompute'
import type { RgbImage } from '../../../../../src/main/engine/types'
import { GraphBuilder, tinyInstalledModel, type TinyFlavour } from '../../../../fixtures/onnxModels'

const root = mkdtempSync(join(tmpdir(), 'reseg-onnx-life-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let n = 0
const tinyModel = (flavour: TinyFlavour, family?: Flavour): InstalledModel =>
  tinyInstalledModel(join(root, `m${n++}`), flavour, { family })

const img = (w = 320, h = 240, v = 80): RgbImage => ({
  width: w,
  height: h,
  data: new Uint8Array(w * h * 3).fill(v),
})
const box = { box: [20, 30, 200, 180] as [number, number, number, number], points: [] }

describe('load errors name the file and the problem', () => {
  it('missing file', async () => {
    const m = tinyModel('sam', 'sam')
    m.decoderPath = join(root, 'nope', 'decoder.onnx')
    await expect(createOnnxSegmenter(m, { provider: 'cpu' })).rejects.toThrow(ModelFileMissingError)
    await expect(createOnnxSegmenter(m, { provider: 'cpu' })).rejects.toThrow(/nope\/decoder\.onnx/)
  })

  it('corrupt model file', async () => {
    const m = tinyModel('sam', 'sam')
    writeFileSync(m.encoderPath, Buffer.from('this is not a protobuf model'))
    await expect(createOnnxSegmenter(m, { provider: 'cpu' })).rejects.toThrow(
      /cannot load encoder .*encoder\.onnx/,
    )
  })

  it('decoder of another flavour', async () => {
    const m = tinyModel('sam2', 'sam')
    const err = await createOnnxSegmenter(m, { provider: 'cpu' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelSignatureError)
    expect(String(err)).toMatch(/decoder\.onnx/)
  })

  it('wrong dtype and rank of one tensor', async () => {
    const m = tinyModel('sam', 'sam')
    const g = new GraphBuilder()
    g.input('image_embeddings', 'float32', [1, 256, 64, 64])
    g.input('point_coords', 'float32', [1, 'n', 2])
    const labels = g.input('point_labels', 'int64', [1, 'n'])
    const mask = g.input('mask_input', 'float32', [1, 1, 256, 256])
    g.input('has_mask_input', 'float32', [1])
    const size = g.input('orig_im_size', 'float32', [2])
    g.op('Identity', [mask], {}, 'masks')
    g.op('Identity', [size], {}, 'iou_predictions')
    g.op('Identity', [labels], {}, 'low_res_masks')
    g.output('masks', 'float32', [1, 1, 256, 256])
    g.output('iou_predictions', 'float32', [2])
    g.output('low_res_masks', 'int64', [1, 'n'])
    writeFileSync(m.decoderPath, g.encode('bad'))
    const err = await createOnnxSegmenter(m, { provider: 'cpu' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelSignatureError)
    const msg = String(err)
    expect(msg).toMatch(/input 'point_labels' is int64, expected float32/)
    expect(msg).toMatch(/output 'iou_predictions' has rank 1 \[2\], expected rank 2/)
    expect(msg).toMatch(/output 'low_res_masks' is int64/)
  })
})

describe('providers', () => {
  it('reports the provider used and explains an unavailable request', async () => {
    const notes: string[] = []
    const seg = await createOnnxSegmenter(tinyModel('sam'), {
      provider: process.platform === 'win32' ? 'coreml' : 'dml',
      onNote: (n) => notes.push(n),
    })
    try {
      expect(seg.info.provider).toBe('cpu')
      expect(notes.join('\n')).toMatch(/(dml|coreml) requested but unavailable: .*; using cpu/)
      expect(seg.providerNotes).toEqual(notes)
    } finally {
      await seg.dispose()
    }
  })
})

describe('cancellation', () => {
  it('rejects an aborted request, keeps the session usable and the embedding computed', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam'), { provider: 'cpu' })
    try {
      const pre = new AbortController()
      pre.abort()
      await expect(seg.segment('a', img(), box, pre.signal)).rejects.toMatchObject({ name: 'AbortError' })
      const c = new AbortController()
      const p = seg.segment('a', img(), box, c.signal)
      c.abort()
      await expect(p).rejects.toMatchObject({ name: 'AbortError' })
      const ok = await seg.segment('a', img(), box)
      expect(ok.mask.w).toBe(320)
      expect(seg.stats().encoderRuns).toBe(1)
    } finally {
      await seg.dispose()
    }
  })

  it('a burst where all but the last request is aborted resolves only the last', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam'), { provider: 'cpu' })
    try {
      await seg.segment('b', img(), box)
      const controllers = Array.from({ length: 30 }, () => new AbortController())
      const results = controllers.map((c, i) =>
        seg.segment('b', img(), { box: [20, 30, 200 - i, 180], points: [] }, c.signal).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
      )
      controllers.slice(0, -1).forEach((c) => c.abort())
      const settled = await Promise.all(results)
      expect(settled.slice(0, -1).every((s) => !s.ok)).toBe(true)
      const last = settled[settled.length - 1]
      expect(last.ok).toBe(true)
      expect(seg.stats().decoderRuns).toBeLessThanOrEqual(31)
    } finally {
      await seg.dispose()
    }
  })

  it('a worker failure rejects requests with a reason instead of hanging', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam'), { provider: 'cpu' })
    await seg.dispose()
    await expect(seg.segment('c', img(), box)).rejects.toThrow(/worker/)
  })
})

describe('embedding cache', () => {
  it('a revisit costs only the decoder; a new session reads the project disk cache', async () => {
    const cacheDir = join(root, 'project', 'cache', 'embeddings')
    const model = tinyModel('sam2')
    const first = await createOnnxSegmenter(model, { provider: 'cpu', cacheDir })
    const a = await first.segment('media-1', img(), box)
    await first.segment('media-1', img(), { box: [10, 10, 100, 100], points: [] })
    expect(first.stats().encoderRuns).toBe(1)
    expect(first.stats().decoderRuns).toBe(2)
    await first.dispose()
    const file = join(cacheDir, model.id, `${createHash('sha256').update('media-1').digest('hex')}.bin`)
    expect(existsSync(file)).toBe(true)

    const second = await createOnnxSegmenter(model, { provider: 'cpu', cacheDir })
    try {
      expect(second.hasEmbedding('media-1')).toBe(true)
      const b = await second.segment('media-1', img(), box)
      expect(second.stats().encoderRuns).toBe(0)
      expect(second.stats().cache.diskHits).toBe(1)
      expect(Array.from(b.mask.counts)).toEqual(Array.from(a.mask.counts))
      expect(b.score).toBe(a.score)
    } finally {
      await second.dispose()
    }

    // Replacing the model files (new mtime) invalidates the old embeddings.
    utimesSync(model.encoderPath, new Date(), new Date(Date.now() + 5000))
    const third = await createOnnxSegmenter(model, { provider: 'cpu', cacheDir })
    try {
      await third.segment('media-1', img(), box)
      expect(third.stats().encoderRuns).toBe(1)
    } finally {
      await third.dispose()
    }
  })

  it('a decoder run whose embedding the worker evicted meanwhile is resent, not failed', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam'), { provider: 'cpu' })
    try {
      const ref = await seg.segment('A', img(), box)
      // Three encodes queued ahead of the next decode push A out of the worker (it keeps 3).
      const background = ['B', 'C', 'D'].map((k) => seg.embed(k, () => img(320, 240, 10)))
      const again = await seg.segment('A', img(), box)
      await Promise.all(background)
      expect(Array.from(again.mask.counts)).toEqual(Array.from(ref.mask.counts))
      expect(seg.stats().encoderRuns).toBe(4)
    } finally {
      await seg.dispose()
    }
  })
})

describe('precomputeEmbeddings', () => {
  it('encodes uncached images, skips cached ones without loading them, reports progress', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam'), { provider: 'cpu' })
    try {
      await seg.embed('p1', () => img())
      let loads = 0
      const images = ['p0', 'p1', 'p2', 'p3'].map((key) => ({ key, load: async () => (loads++, img()) }))
      const progress: number[] = []
      const s = await precomputeEmbeddings(seg, images, { onProgress: (p) => progress.push(p.done) })
      expect(s).toEqual({ done: 4, computed: 3, cached: 1, failed: 0, cancelled: false })
      expect(loads).toBe(3)
      expect(progress).toEqual([1, 2, 3, 4])
      expect(seg.stats().encoderRuns).toBe(4)
    } finally {
      await seg.dispose()
    }
  })

  it('stops on abort and counts a failing image without stopping', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam'), { provider: 'cpu' })
    try {
      const c = new AbortController()
      async function* gen() {
        yield { key: 'q0', load: async () => img() }
        yield {
          key: 'bad',
          load: async (): Promise<RgbImage> => {
            throw new Error('unreadable media')
          },
        }
        yield { key: 'q1', load: async () => img() }
        c.abort()
        yield { key: 'q2', load: async () => img() }
      }
      const errors: string[] = []
      const s = await precomputeEmbeddings(seg, gen(), {
        signal: c.signal,
        onProgress: (p) => p.error && errors.push(p.error),
      })
      expect(s).toEqual({ done: 3, computed: 2, cached: 0, failed: 1, cancelled: true })
      expect(errors).toEqual(['unreadable media'])
    } finally {
      await seg.dispose()
    }
  })
})
