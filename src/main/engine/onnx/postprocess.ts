/**
 * Mask side of the SAM-family pipelines: multimask choice and the upscaling of low-resolution logits to
 * the original image, thresholded into an RLE. Pure (no ONNX Runtime).
 *
 * Upscaling follows the references step by step, each step a PyTorch
 * `F.interpolate(mode='bilinear', align_corners=False)`:
 * - SAM / transformers SAM (longest side + pad): logits -> 1024x1024, crop to the resized (unpadded)
 *   size, -> original size (segment_anything Sam.postprocess_masks, SamImageProcessor.post_process_masks).
 * - SAM 2 (whole image stretched to 1024): logits -> original size directly (SAM2Transforms.postprocess_masks).
 * Bilinear resizing is separable, so each axis' chain (resize, crop, resize) is folded into one sparse
 * matrix of at most a few taps per output pixel and applied once: same values, far fewer operations.
 */
import type { Rle } from '../../../shared/domain/rle'

/** One axis of a linear resampling: output i = sum_k weights[i*taps + k] * input[start[i] + k]. */
export interface AxisOperator {
  outSize: number
  inSize: number
  taps: number
  start: Int32Array
  weights: Float64Array
}

/** PyTorch bilinear (align_corners=False) along one axis, as a sparse operator. */
export function bilinearAxis(inSize: number, outSize: number): AxisOperator {
  if (inSize === 1)
    return {
      outSize,
      inSize,
      taps: 1,
      start: new Int32Array(outSize),
      weights: new Float64Array(outSize).fill(1),
    }
  const start = new Int32Array(outSize)
  const weights = new Float64Array(outSize * 2)
  const scale = inSize / outSize
  for (let i = 0; i < outSize; i++) {
    const src = Math.max((i + 0.5) * scale - 0.5, 0)
    const i0 = Math.floor(src)
    if (i0 >= inSize - 1) {
      // Past the last centre PyTorch clamps to the last input; keep both taps inside the input.
      start[i] = inSize - 2
      weights[i * 2 + 1] = 1
    } else {
      start[i] = i0
      weights[i * 2] = 1 - (src - i0)
      weights[i * 2 + 1] = src - i0
    }
  }
  return { outSize, inSize, taps: 2, start, weights }
}

/** Keeps outputs [0, size) of an operator (SAM's crop of the padding). */
export function cropAxis(op: AxisOperator, size: number): AxisOperator {
  return {
    ...op,
    outSize: size,
    start: op.start.slice(0, size),
    weights: op.weights.slice(0, size * op.taps),
  }
}

/** `second` after `first`: one operator from first's input to second's output. */
export function composeAxis(first: AxisOperator, second: AxisOperator): AxisOperator {
  if (second.inSize !== first.outSize) throw new Error('composeAxis: sizes do not chain')
  const n = second.outSize
  const lo = new Int32Array(n)
  const hi = new Int32Array(n)
  let taps = 1
  for (let i = 0; i < n; i++) {
    let a = Infinity
    let b = -Infinity
    for (let k = 0; k < second.taps; k++) {
      if (second.weights[i * second.taps + k] === 0) continue
      const j = second.start[i] + k
      a = Math.min(a, first.start[j])
      b = Math.max(b, first.start[j] + first.taps - 1)
    }
    if (a === Infinity) a = b = first.start[second.start[i]]
    lo[i] = a
    hi[i] = Math.min(b, first.inSize - 1)
    taps = Math.max(taps, hi[i] - lo[i] + 1)
  }
  // Every tap must index inside the input (zero weights included: 0 * undefined is NaN).
  for (let i = 0; i < n; i++) lo[i] = Math.max(0, Math.min(lo[i], first.inSize - taps))
  const weights = new Float64Array(n * taps)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < second.taps; k++) {
      const w2 = second.weights[i * second.taps + k]
      if (w2 === 0) continue
      const j = second.start[i] + k
      for (let m = 0; m < first.taps; m++) {
        const w1 = first.weights[j * first.taps + m]
        if (w1 === 0) continue
        weights[i * taps + first.start[j] + m - lo[i]] += w2 * w1
      }
    }
  }
  return { outSize: n, inSize: first.inSize, taps, start: lo, weights }
}

/** How model-space logits map back to the original image. */
export interface MaskGeometry {
  /** Original image size. */
  width: number
  height: number
  /** Model input side (1024). */
  modelSize: number
  /** 'longest-side-pad': image occupies [0, validW) x [0, validH) of the model input; 'stretch': all of it. */
  resize: 'longest-side-pad' | 'stretch'
  validWidth: number
  validHeight: number
}

/**
 * Per-axis operators from a logit plane to the original image, following the family's reference.
 * `space` says where the plane lives: 'model' (low-res or model-input resolution, e.g. 256 or 1024),
 * or 'original' (an export that already resized to the original size, like the official `masks`).
 */
export function maskOperators(
  logitWidth: number,
  logitHeight: number,
  g: MaskGeometry,
  space: 'model' | 'original' = 'model',
): { x: AxisOperator; y: AxisOperator } {
  const axis = (inSize: number, valid: number, out: number): AxisOperator => {
    if (space === 'original') {
      if (inSize !== out) throw new Error(`mask is ${inSize} px along an axis of ${out} px`)
      return identityAxis(out)
    }
    if (g.resize === 'stretch') return inSize === out ? identityAxis(out) : bilinearAxis(inSize, out)
    const up = inSize === g.modelSize ? identityAxis(inSize) : bilinearAxis(inSize, g.modelSize)
    return composeAxis(cropAxis(up, valid), bilinearAxis(valid, out))
  }
  return { x: axis(logitWidth, g.validWidth, g.width), y: axis(logitHeight, g.validHeight, g.height) }
}

function identityAxis(n: number): AxisOperator {
  const start = new Int32Array(n)
  for (let i = 0; i < n; i++) start[i] = i
  return { outSize: n, inSize: n, taps: 1, start, weights: new Float64Array(n).fill(1) }
}

/**
 * Applies the operators to one logit plane (row-major, `ops.x.inSize` wide, `ops.y.inSize` high,
 * starting at `offset`) and thresholds (> threshold, SAM's mask_threshold 0.0) into an RLE of the
 * original size.
 *
 * Interpolation weights are non-negative and sum to 1, so an output pixel whose taps all lie on the
 * same side of the threshold is on that side too. The y pass therefore records, per logit column, the
 * rows where its interpolated values cross the threshold; the x pass then only computes pixels where
 * its taps disagree (near the mask's left/right edges) and emits every other stretch as a whole run,
 * directly in COCO's column-major run order.
 */
export function logitsToRle(
  logits: Float32Array,
  offset: number,
  ops: { x: AxisOperator; y: AxisOperator },
  threshold = 0,
): Rle {
  const { x: ox, y: oy } = ops
  const W = ox.outSize
  const H = oy.outSize
  const inW = ox.inSize
  const colUsed = new Uint8Array(inW)
  for (let j = 0; j < W; j++) {
    for (let k = 0; k < ox.taps; k++) if (ox.weights[j * ox.taps + k] !== 0) colUsed[ox.start[j] + k] = 1
  }
  // y pass: interpolated column values (transposed, H per logit column) and their crossing rows.
  const tmp = new Float32Array(inW * H)
  const crossings: Int32Array[] = new Array(inW)
  const firstAbove = new Uint8Array(inW)
  const scratch = new Int32Array(H + 1)
  for (let c = 0; c < inW; c++) {
    if (!colUsed[c]) continue
    const o = c * H
    let n = 0
    let prev = false
    for (let i = 0; i < H; i++) {
      const w0 = i * oy.taps
      let p = offset + oy.start[i] * inW + c
      let v = 0
      for (let k = 0; k < oy.taps; k++, p += inW) v += oy.weights[w0 + k] * logits[p]
      tmp[o + i] = v
      const above = v > threshold
      if (i === 0) {
        firstAbove[c] = above ? 1 : 0
        prev = above
      } else if (above !== prev) {
        scratch[n++] = i
        prev = above
      }
    }
    crossings[c] = scratch.slice(0, n)
  }

  const counts: number[] = []
  let current = 0
  let run = 0
  const emit = (value: number, length: number) => {
    if (length === 0) return
    if (value !== current) {
      counts.push(run)
      run = 0
      current = value
    }
    run += length
  }
  const taps: number[] = []
  const weights: number[] = []
  const pos: number[] = []
  const state: number[] = []
  for (let j = 0; j < W; j++) {
    taps.length = weights.length = pos.length = state.length = 0
    for (let k = 0; k < ox.taps; k++) {
      const w = ox.weights[j * ox.taps + k]
      if (w === 0) continue
      const c = ox.start[j] + k
      taps.push(c)
      weights.push(w)
      pos.push(0)
      state.push(firstAbove[c])
    }
    let i = 0
    while (i < H) {
      // The next row where any tap's side of the threshold changes.
      let next = H
      for (let t = 0; t < taps.length; t++) {
        const cr = crossings[taps[t]]
        if (pos[t] < cr.length && cr[pos[t]] < next) next = cr[pos[t]]
      }
      let same = true
      for (let t = 1; t < state.length; t++) if (state[t] !== state[0]) same = false
      if (same) {
        emit(state[0], next - i)
      } else {
        for (let r = i; r < next; r++) {
          let v = 0
          for (let t = 0; t < taps.length; t++) v += weights[t] * tmp[taps[t] * H + r]
          emit(v > threshold ? 1 : 0, 1)
        }
      }
      i = next
      for (let t = 0; t < taps.length; t++) {
        const cr = crossings[taps[t]]
        if (pos[t] < cr.length && cr[pos[t]] === next) {
          pos[t]++
          state[t] ^= 1
        }
      }
    }
  }
  counts.push(run)
  return { h: H, w: W, counts: Uint32Array.from(counts) }
}

/**
 * Which of K candidate masks to keep.
 * - K = 4 (official SAM decoder, all mask tokens): SamOnnxModel.select_masks — token 0 (single-mask
 *   output) when the decoder saw more than 2.5 points, else the best predicted IoU among tokens 1..3.
 * - Otherwise (SAM 2 / transformers multimask outputs, K = 3; single-mask exports, K = 1): best IoU.
 */
export function chooseMask(
  scores: ArrayLike<number>,
  decoderPointCount: number,
  officialFourTokens: boolean,
): number {
  const k = scores.length
  if (officialFourTokens && k === 4) {
    if (decoderPointCount > 2.5) return 0
    return argmax(scores, 1)
  }
  return argmax(scores, 0)
}

function argmax(a: ArrayLike<number>, from: number): number {
  let best = from
  for (let i = from + 1; i < a.length; i++) if (a[i] > a[best]) best = i
  return best
}
