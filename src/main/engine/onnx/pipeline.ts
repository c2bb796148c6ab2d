/**
 * Per-family glue between an image/prompt in original pixels and the exports' tensors: encoder feeds,
 * decoder feeds (coordinate transform, box corners, labels, padding point) and the decoder outputs back
 * to an RLE + score. Pure (no ONNX Runtime): the session worker only runs graphs.
 *
 * Prompt encoding per flavour (checked against the public code):
 * - sam: SamPredictor order (points, then box corners labelled 2/3); coordinates scaled by
 *   (newW / w, newH / h) with newW, newH from int(x * scale + 0.5); the padding point (0, 0) label -1 is
 *   appended only when there is no box (SamPredictor: `pad = boxes is None`; the official ONNX notebook
 *   does the same; samexporter's runtime appends it always).
 * - sam2: samexporter export_sam2.py appends the padding point inside the graph, so none is sent;
 *   coordinates scaled by (1024 / w, 1024 / h) because the image is stretched, not padded.
 * - hf-sam / hf-sam2: `input_points` [1, 1, n, 2], `input_labels` int64 [1, 1, n] (1 / 0), the box as
 *   `input_boxes` [1, 1, 4]. The graph was traced with boxes, so HF's own `pad = input_boxes is None` is
 *   frozen to false: for point-only prompts the padding point (0, 0) label -1 is appended here, and for
 *   box-only prompts a single point labelled -10 (HF's "ignore this point") fills the required input.
 */
import type { ObjectPrompt, RgbImage } from '../types'
import type { Flavour, ResizeMode, SessionMeta } from './flavours'
import { chooseMask, logitsToRle, maskOperators, type MaskGeometry } from './postprocess'
import { resizeBilinearPil } from '../../../shared/domain/pilResize'
import { longestSideSize, toHwcTensor, toNchwTensor } from './preprocess'
import type { WireFeeds, WireTensor } from './sessionProtocol'
import type { Rle } from '../../../shared/domain/rle'

export interface PreprocessConfig {
  resize: ResizeMode
  /** Model input side (1024 for every known export). */
  size: number
  mean: readonly number[]
  std: readonly number[]
}

/** Where the original image sits in model space. */
export interface ModelGeometry extends MaskGeometry {
  /** Model-space x = original x * scaleX (likewise y). */
  scaleX: number
  scaleY: number
}

export function modelGeometry(width: number, height: number, pre: PreprocessConfig): ModelGeometry {
  if (pre.resize === 'stretch') {
    return {
      width,
      height,
      modelSize: pre.size,
      resize: 'stretch',
      validWidth: pre.size,
      validHeight: pre.size,
      scaleX: pre.size / width,
      scaleY: pre.size / height,
    }
  }
  const r = longestSideSize(height, width, pre.size)
  return {
    width,
    height,
    modelSize: pre.size,
    resize: 'longest-side-pad',
    validWidth: r.width,
    validHeight: r.height,
    scaleX: r.width / width,
    scaleY: r.height / height,
  }
}

const f32 = (data: Float32Array, dims: number[]): WireTensor => ({ type: 'float32', dims, data })

/** The encoder's single input for this image. `inputMeta` decides between NCHW and the HWC-with-preprocessing form. */
export function encoderFeeds(
  image: RgbImage,
  pre: PreprocessConfig,
  encoder: SessionMeta,
): { feeds: WireFeeds; geometry: ModelGeometry } {
  const geometry = modelGeometry(image.width, image.height, pre)
  const resized =
    image.width === geometry.validWidth && image.height === geometry.validHeight
      ? image
      : resizeBilinearPil(image, geometry.validWidth, geometry.validHeight, 3)
  const input = encoder.inputs[0]
  if (input.shape.length === 3) {
    return {
      feeds: { [input.name]: f32(toHwcTensor(resized), [resized.height, resized.width, 3]) },
      geometry,
    }
  }
  const data = toNchwTensor(resized, { size: pre.size, mean: pre.mean, std: pre.std })
  return { feeds: { [input.name]: f32(data, [1, 3, pre.size, pre.size]) }, geometry }
}

export interface DecoderRequest {
  feeds: WireFeeds
  /** The outputs the pipeline reads (the official SAM decoder's full-size `masks` is skipped). */
  fetch: string[]
  /** Points the decoder sees, padding included (SAM's select_masks rule depends on it). */
  pointCount: number
}

/** Whether the export's decoder takes a previous low-resolution mask (SAM and samexporter SAM 2 do). */
export function acceptsMaskInput(flavour: Flavour, decoder: SessionMeta): boolean {
  const names = new Set(decoder.inputs.map((t) => t.name))
  return (flavour === 'sam' || flavour === 'sam2') && names.has('mask_input') && names.has('has_mask_input')
}

/**
 * Prompt tensors for one object; throws for prompts the export cannot express. `maskInput` is the
 * previous step's low-resolution logits of this object (row-major, (size/4)², SAM's `low_res_logits`
 * of the chosen mask): sent as `mask_input` with `has_mask_input = 1`, as SamPredictor and the SAM web
 * demo do for every click after the first.
 */
export function decoderFeeds(
  flavour: Flavour,
  prompt: ObjectPrompt,
  g: ModelGeometry,
  decoder: SessionMeta,
  maskInput?: Float32Array,
): DecoderRequest {
  const coords: number[] = []
  const labels: number[] = []
  for (const p of prompt.points) {
    coords.push(p.x * g.scaleX, p.y * g.scaleY)
    labels.push(p.label)
  }
  const box = prompt.box
  const names = new Set(decoder.inputs.map((t) => t.name))
  const lowRes = g.modelSize / 4
  if (flavour === 'sam' || flavour === 'sam2') {
    if (box) {
      coords.push(box[0] * g.scaleX, box[1] * g.scaleY, box[2] * g.scaleX, box[3] * g.scaleY)
      labels.push(2, 3)
    }
    if (flavour === 'sam' && !box) {
      coords.push(0, 0)
      labels.push(-1)
    }
    const n = labels.length
    if (maskInput && maskInput.length !== lowRes * lowRes) {
      throw new Error(`mask_input has ${maskInput.length} values, expected ${lowRes}x${lowRes}`)
    }
    const feeds: WireFeeds = {
      point_coords: f32(Float32Array.from(coords), [1, n, 2]),
      point_labels: f32(Float32Array.from(labels), [1, n]),
      // A copy: the feed's buffer is transferred to the worker, the caller keeps its logits.
      mask_input: f32(maskInput ? maskInput.slice() : new Float32Array(lowRes * lowRes), [
        1,
        1,
        lowRes,
        lowRes,
      ]),
      has_mask_input: f32(Float32Array.from([maskInput ? 1 : 0]), [1]),
    }
    if (names.has('orig_im_size')) feeds.orig_im_size = f32(Float32Array.from([g.height, g.width]), [2])
    const outs = new Set(decoder.outputs.map((t) => t.name))
    return {
      feeds,
      fetch: [outs.has('low_res_masks') ? 'low_res_masks' : 'masks', 'iou_predictions'],
      pointCount: n,
    }
  }
  if (box && !names.has('input_boxes')) {
    throw new Error(
      'this prompt_encoder_mask_decoder export has no input_boxes input, so it cannot take a box prompt',
    )
  }
  if (!box) {
    coords.push(0, 0)
    labels.push(-1)
  } else if (labels.length === 0) {
    coords.push(0, 0)
    labels.push(-10)
  }
  const n = labels.length
  const feeds: WireFeeds = {
    input_points: f32(Float32Array.from(coords), [1, 1, n, 2]),
    input_labels: { type: 'int64', dims: [1, 1, n], data: BigInt64Array.from(labels.map((l) => BigInt(l))) },
  }
  if (names.has('input_boxes')) {
    feeds.input_boxes = box
      ? f32(
          Float32Array.from([box[0] * g.scaleX, box[1] * g.scaleY, box[2] * g.scaleX, box[3] * g.scaleY]),
          [1, 1, 4],
        )
      : f32(new Float32Array(0), [1, 0, 4])
  }
  return { feeds, fetch: ['pred_masks', 'iou_scores'], pointCount: n }
}

export interface DecodedMask {
  mask: Rle
  score: number
  /** Index of the chosen candidate among the decoder's masks. */
  index: number
  /**
   * The chosen candidate's low-resolution logits in model space ((size/4)², row-major), the next
   * step's `mask_input`; absent when the export returns only masks at the original size.
   */
  lowRes?: Float32Array
}

/** Multimask choice, upscaling and threshold: decoder outputs -> RLE at the original size + score. */
export function masksFromOutputs(
  flavour: Flavour,
  outputs: WireFeeds,
  pointCount: number,
  g: ModelGeometry,
): DecodedMask {
  const pick = (name: string): WireTensor | undefined => outputs[name]
  let masks: WireTensor | undefined
  let scores: WireTensor | undefined
  let space: 'model' | 'original' = 'model'
  if (flavour === 'sam' || flavour === 'sam2') {
    scores = pick('iou_predictions')
    masks = pick('low_res_masks')
    if (!masks) {
      masks = pick('masks')
      // The official SAM decoder's `masks` are at orig_im_size; samexporter's SAM 2 `masks` are low-res
      // model space, unless an export resized them to orig_im_size itself.
      const d = masks?.dims ?? []
      if (flavour === 'sam' || (d[d.length - 2] === g.height && d[d.length - 1] === g.width))
        space = 'original'
    }
  } else {
    scores = pick('iou_scores')
    masks = pick('pred_masks')
  }
  if (!masks || masks.type !== 'float32' || !scores || scores.type !== 'float32') {
    throw new Error(`decoder outputs are missing masks or scores (got ${Object.keys(outputs).join(', ')})`)
  }
  const dims = masks.dims
  const h = dims[dims.length - 2]
  const w = dims[dims.length - 1]
  const k = scores.data.length
  if (masks.data.length !== k * h * w)
    throw new Error(`decoder returned ${k} scores for masks of shape [${dims.join(', ')}]`)
  const index = chooseMask(scores.data, pointCount, flavour === 'sam')
  const ops = maskOperators(w, h, g, space)
  const lowResSide = g.modelSize / 4
  const lowRes =
    space === 'model' && h === lowResSide && w === lowResSide
      ? masks.data.slice(index * h * w, (index + 1) * h * w)
      : undefined
  return { mask: logitsToRle(masks.data, index * h * w, ops), score: scores.data[index], index, lowRes }
}
