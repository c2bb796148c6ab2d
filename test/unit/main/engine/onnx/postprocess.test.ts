import { describe, expect, it } from 'vitest'
import {
  bilinearAxis,
  chooseMask,
  composeAxis,
  cropAxis,
  logitsToRle,
  maskOperators,
  type AxisOperator,
} from '../../../../../src/main/engine/onnx/postprocess'
import { decodeRowMajor, encodeColumnMajor } from '../../../../../src/shared/domain/rle'

function apply(op: AxisOperator, v: number[]): number[] {
  return Array.from({ length: op.outSize }, (_, i) => {
    let s = 0
    for (let k = 0; k < op.taps; k++) s += op.weights[i * op.taps + k] * (v[op.start[i] + k] ?? 0)
    return s
  })
}

/** Direct transcription of PyTorch's upsample_bilinear2d index math for one axis. */
function torchLinear(v: number[], out: number): number[] {
  const n = v.length
  return Array.from({ length: out }, (_, i) => {
    const src = Math.max(((i + 0.5) * n) / out - 0.5, 0)
    const i0 = Math.floor(src)
    const i1 = i0 + (i0 < n - 1 ? 1 : 0)
    const l1 = src - i0
    return (1 - l1) * v[i0] + l1 * v[i1]
  })
}

describe('bilinearAxis', () => {
  it('upscales 2 -> 4 like F.interpolate(align_corners=False)', () => {
    expect(apply(bilinearAxis(2, 4), [0, 100])).toEqual([0, 25, 75, 100])
  })

  it('downscales 4 -> 2 by sampling at half-pixel centres (no antialias)', () => {
    expect(apply(bilinearAxis(4, 2), [0, 70, 140, 210])).toEqual([35, 175])
  })
})

describe('composeAxis', () => {
  it('equals resize -> crop -> resize applied one after the other', () => {
    const v = Array.from({ length: 16 }, (_, i) => Math.sin(i * 1.3) * 10 + i)
    const up = torchLinear(v, 64)
    const cropped = up.slice(0, 45)
    const expected = torchLinear(cropped, 37)
    const op = composeAxis(cropAxis(bilinearAxis(16, 64), 45), bilinearAxis(45, 37))
    apply(op, v).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 9))
  })
})

describe('logitsToRle', () => {
  it('thresholds strictly above 0 and writes COCO column-major runs', () => {
    // 2x2 logits [[1, -1], [0, 2]] at identity size
    const ops = maskOperators(2, 2, {
      width: 2,
      height: 2,
      modelSize: 2,
      resize: 'stretch',
      validWidth: 2,
      validHeight: 2,
    })
    const rle = logitsToRle(Float32Array.from([1, -1, 0, 2]), 0, ops)
    expect(Array.from(decodeRowMajor(rle))).toEqual([1, 0, 0, 1])
    expect(Array.from(rle.counts)).toEqual([0, 1, 2, 1])
  })
})

describe('logitsToRle on random logits', () => {
  it.each([
    [640, 480, 'longest-side-pad'],
    [300, 1000, 'longest-side-pad'],
    [200, 150, 'longest-side-pad'],
    [517, 333, 'stretch'],
  ] as const)(
    'equals thresholding every pixel of the separable interpolation (%i x %i, %s)',
    (width, height, resize) => {
      const scale = 1024 / Math.max(width, height)
      const g = {
        width,
        height,
        modelSize: 1024,
        resize,
        validWidth: resize === 'stretch' ? 1024 : Math.floor(width * scale + 0.5),
        validHeight: resize === 'stretch' ? 1024 : Math.floor(height * scale + 0.5),
      }
      let seed = width * 31 + height
      const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5
      // Blobs plus noise: long runs and many sign changes.
      const logits = new Float32Array(256 * 256)
      for (let y = 0; y < 256; y++)
        for (let x = 0; x < 256; x++)
          logits[y * 256 + x] = Math.sin(x / 17 + y / 29) + Math.cos(y / 11) * 0.7 + rnd() * 0.8
      const ops = maskOperators(256, 256, g)
      const rows = Array.from({ length: 256 }, (_, r) =>
        apply(ops.x, Array.from(logits.subarray(r * 256, r * 256 + 256))),
      )
      const mask = new Uint8Array(width * height)
      for (let x = 0; x < width; x++) {
        const col = apply(
          ops.y,
          rows.map((row) => row[x]),
        )
        for (let y = 0; y < height; y++) mask[x * height + y] = col[y] > 0 ? 1 : 0
      }
      expect(Array.from(logitsToRle(logits, 0, ops).counts)).toEqual(
        Array.from(encodeColumnMajor(mask, height, width).counts),
      )
    },
  )
})

describe('chooseMask', () => {
  it('official 4-token SAM decoder: best of tokens 1..3 for <= 2 points, token 0 for more', () => {
    const scores = [0.99, 0.3, 0.6, 0.45]
    expect(chooseMask(scores, 2, true)).toBe(2)
    expect(chooseMask(scores, 3, true)).toBe(0)
  })

  it('multimask outputs: highest predicted IoU', () => {
    expect(chooseMask([0.3, 0.7, 0.5], 2, false)).toBe(1)
    expect(chooseMask([0.9, 0.7, 0.5], 5, false)).toBe(0)
  })
})
