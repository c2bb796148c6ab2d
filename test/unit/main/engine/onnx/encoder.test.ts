import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Flavour } from '../../../../../src/main/engine/onnx/flavours'
import type { InstalledModel } from '../../../../../src/main/engine/onnx/manifest'
import { createOnnxSegmenter } from '../../../../../src/main/engine/onnx/segmenter'
import type { RgbImage } from '../../../../../src/main/engine/types'
import { tinyInstalledModel, type TinyFlavour } from '../../../../fixtures/onnxModels'

const root = mkdtempSync(join(tmpdir(), 'reseg-onnx-enc-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const tinyModel = (flavour: TinyFlavour, family: Flavour): InstalledModel =>
  tinyInstalledModel(join(root, flavour), flavour, { family })

function noise(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3)
  let s = seed >>> 0
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    data[i] = s >>> 24
  }
  return { width, height, data }
}

/**
 * NumPy: normalize with the reference constants (0-1 ImageNet for SAM 2 / HF, 0-255 SAM constants for
 * SAM), zero-pad to 1024, average 16x16 (or `k`) blocks, channel c % 3 -> output channel c.
 */
function numpyPooled(image: RgbImage, family: Flavour, k: number, channels: number): Float32Array {
  const script = String.raw`
import sys, json, base64
import numpy as np
a = json.load(sys.stdin)
img = np.frombuffer(base64.b64decode(a['data']), dtype=np.uint8).reshape(a['h'], a['w'], 3).astype(np.float64)
if a['family'] == 'sam':
    x = (img - np.array([123.675, 116.28, 103.53])) / np.array([58.395, 57.12, 57.375])
else:
    x = (img / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
pad = np.zeros((1024, 1024, 3)); pad[:a['h'], :a['w']] = x
k = a['k']; n = 1024 // k
pooled = pad.reshape(n, k, n, k, 3).mean(axis=(1, 3))
out = np.stack([pooled[:, :, c % 3] for c in range(a['channels'])]).astype(np.float32)
sys.stdout.buffer.write(out.tobytes())
`
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify({
      h: image.height,
      w: image.width,
      data: Buffer.from(image.data).toString('base64'),
      family,
      k,
      channels,
    }),
    maxBuffer: 1 << 26,
  })
  if (r.status !== 0) throw new Error(`python3/numpy required: ${r.stderr}`)
  const buf = r.stdout as Buffer
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

describe('encoder inputs', () => {
  it('SAM rank-4 encoder gets the normalized, zero-padded image (1024x768 needs no resize)', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam', 'sam'), { provider: 'cpu' })
    try {
      const img = noise(1024, 768, 1)
      const e = await seg.embed('n', () => img)
      expect(e.tensors.image_embeddings.dims).toEqual([1, 256, 64, 64])
      expect(maxAbsDiff(e.tensors.image_embeddings.data, numpyPooled(img, 'sam', 16, 256))).toBeLessThan(1e-4)
    } finally {
      await seg.dispose()
    }
  })

  it('SAM rank-3 (preprocess-in-graph) encoder gets raw RGB at the resized size and yields the same embedding', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam-preprocess', 'sam'), { provider: 'cpu' })
    try {
      const img = noise(1024, 768, 1)
      const e = await seg.embed('n', () => img)
      expect(maxAbsDiff(e.tensors.image_embeddings.data, numpyPooled(img, 'sam', 16, 256))).toBeLessThan(1e-4)
    } finally {
      await seg.dispose()
    }
  })

  it('SAM resizes the longest side to 1024 and pads below: a flat 512x300 image fills rows 0..599', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam', 'sam'), { provider: 'cpu' })
    try {
      const img: RgbImage = { width: 512, height: 300, data: new Uint8Array(512 * 300 * 3).fill(200) }
      const e = (await seg.embed('flat', () => img)).tensors.image_embeddings.data
      const v = (200 - 123.675) / 58.395 // channel 0
      // 600 image rows = 37 full 16-row blocks + 8 rows of block 37; blocks 38.. are padding.
      expect(e[36 * 64 + 10]).toBeCloseTo(v, 4)
      expect(e[37 * 64 + 10]).toBeCloseTo(v / 2, 4)
      expect(e[38 * 64 + 10]).toBeCloseTo(0, 6)
      expect(e[10 * 64 + 63]).toBeCloseTo(v, 4)
    } finally {
      await seg.dispose()
    }
  })

  it('SAM 2 encoder gets the ImageNet-normalized image at all three feature levels', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam2', 'sam2'), { provider: 'cpu' })
    try {
      const img = noise(1024, 1024, 7)
      const e = await seg.embed('n2', () => img)
      expect(Object.keys(e.tensors).sort()).toEqual(['high_res_feats_0', 'high_res_feats_1', 'image_embed'])
      expect(maxAbsDiff(e.tensors.high_res_feats_0.data, numpyPooled(img, 'sam2', 4, 32))).toBeLessThan(1e-4)
      expect(maxAbsDiff(e.tensors.high_res_feats_1.data, numpyPooled(img, 'sam2', 8, 64))).toBeLessThan(1e-4)
      expect(maxAbsDiff(e.tensors.image_embed.data, numpyPooled(img, 'sam2', 16, 256))).toBeLessThan(1e-4)
    } finally {
      await seg.dispose()
    }
  })

  it('SAM 2 stretches to 1024x1024 without padding: a flat 512x300 image fills every block', async () => {
    const seg = await createOnnxSegmenter(tinyModel('sam2', 'sam2'), { provider: 'cpu' })
    try {
      const img: RgbImage = { width: 512, height: 300, data: new Uint8Array(512 * 300 * 3).fill(200) }
      const e = (await seg.embed('flat2', () => img)).tensors.image_embed.data
      const v = (200 / 255 - 0.485) / 0.229
      expect(e[63 * 64 + 63]).toBeCloseTo(v, 4)
      expect(e[0]).toBeCloseTo(v, 4)
    } finally {
      await seg.dispose()
    }
  })

  it('transformers.js vision encoder gets pixel_values normalized with ImageNet statistics and padded', async () => {
    const seg = await createOnnxSegmenter(tinyModel('hf-sam', 'hf-sam'), { provider: 'cpu' })
    try {
      const img = noise(1024, 700, 3)
      const e = await seg.embed('n3', () => img)
      expect(Object.keys(e.tensors).sort()).toEqual(['image_embeddings', 'image_positional_embeddings'])
      expect(maxAbsDiff(e.tensors.image_embeddings.data, numpyPooled(img, 'hf-sam', 16, 256))).toBeLessThan(
        1e-4,
      )
    } finally {
      await seg.dispose()
    }
  })
})
