/**
 * The SAM-family ONNX export flavours this engine runs: their tensor signatures (names, dtypes, ranks),
 * their preprocessing defaults, detection from tensor names, and signature checks with errors that
 * name the missing or odd tensor.
 *
 * - 'sam': segment-anything's scripts/export_onnx_model.py decoder (SamOnnxModel) with a samexporter
 *   encoder (rank-4 normalized/padded input, or rank-3 HxWx3 RGB with preprocessing in the graph).
 * - 'sam2': samexporter export_sam2.py encoder/decoder (the decoder appends the padding point itself).
 * - 'hf-sam': transformers.js / optimum SAM (vision_encoder + prompt_encoder_mask_decoder).
 * - 'hf-sam2': onnx-community SAM 2.1 exports of the same two-file layout.
 */
export type Flavour = 'sam' | 'sam2' | 'hf-sam' | 'hf-sam2'

export type ResizeMode = 'longest-side-pad' | 'stretch'

export interface TensorSpec {
  name: string
  type: 'float32' | 'int64' | 'bool' | 'uint8'
  /** Accepted ranks. */
  ranks: number[]
  optional?: boolean
}

export interface SessionSpec {
  inputs: TensorSpec[]
  outputs: TensorSpec[]
}

/** What ONNX Runtime reports for a graph input or output. */
export interface TensorMeta {
  name: string
  type: string
  shape: (number | string)[]
}

export interface SessionMeta {
  inputs: TensorMeta[]
  outputs: TensorMeta[]
}

const f32 = (name: string, ranks: number[], optional = false): TensorSpec => ({
  name,
  type: 'float32',
  ranks,
  optional,
})

export const FLAVOURS: Record<
  Flavour,
  {
    label: string
    encoder: SessionSpec
    decoder: SessionSpec
    resize: ResizeMode
    /** Normalization on the 0-255 scale. */
    mean: [number, number, number]
    std: [number, number, number]
  }
> = {
  sam: {
    label: 'SAM (official decoder export + samexporter encoder)',
    // The encoder's input/output names vary between exporters; its single input's rank picks the form.
    encoder: { inputs: [], outputs: [] },
    decoder: {
      inputs: [
        f32('image_embeddings', [4]),
        f32('point_coords', [3]),
        f32('point_labels', [2]),
        f32('mask_input', [4]),
        f32('has_mask_input', [1]),
        f32('orig_im_size', [1]),
      ],
      outputs: [f32('masks', [4]), f32('iou_predictions', [2]), f32('low_res_masks', [4], true)],
    },
    resize: 'longest-side-pad',
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
  },
  sam2: {
    label: 'SAM 2 / 2.1 (samexporter export_sam2.py)',
    encoder: {
      inputs: [f32('image', [4])],
      outputs: [f32('high_res_feats_0', [4]), f32('high_res_feats_1', [4]), f32('image_embed', [4])],
    },
    decoder: {
      inputs: [
        f32('image_embed', [4]),
        f32('high_res_feats_0', [4]),
        f32('high_res_feats_1', [4]),
        f32('point_coords', [3]),
        f32('point_labels', [2]),
        f32('mask_input', [4]),
        f32('has_mask_input', [1]),
        f32('orig_im_size', [1], true),
      ],
      outputs: [f32('masks', [4]), f32('iou_predictions', [2]), f32('low_res_masks', [4], true)],
    },
    resize: 'stretch',
    mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
    std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
  },
  'hf-sam': {
    label: 'SAM (transformers.js vision_encoder + prompt_encoder_mask_decoder)',
    encoder: {
      inputs: [f32('pixel_values', [4])],
      outputs: [f32('image_embeddings', [4]), f32('image_positional_embeddings', [4])],
    },
    decoder: {
      inputs: [
        f32('image_embeddings', [4]),
        f32('image_positional_embeddings', [4]),
        f32('input_points', [4]),
        { name: 'input_labels', type: 'int64', ranks: [3] },
        f32('input_boxes', [3], true),
      ],
      outputs: [f32('iou_scores', [3]), f32('pred_masks', [5])],
    },
    resize: 'longest-side-pad',
    mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
    std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
  },
  'hf-sam2': {
    label: 'SAM 2.1 (onnx-community vision_encoder + prompt_encoder_mask_decoder)',
    encoder: {
      inputs: [f32('pixel_values', [4])],
      outputs: [
        f32('image_embeddings.0', [4]),
        f32('image_embeddings.1', [4]),
        f32('image_embeddings.2', [4]),
      ],
    },
    decoder: {
      inputs: [
        f32('input_points', [4]),
        { name: 'input_labels', type: 'int64', ranks: [3] },
        f32('input_boxes', [3], true),
        f32('image_embeddings.0', [4]),
        f32('image_embeddings.1', [4]),
        f32('image_embeddings.2', [4]),
      ],
      outputs: [f32('iou_scores', [3]), f32('pred_masks', [5])],
    },
    resize: 'stretch',
    mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
    std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
  },
}

/** The decoder's flavour from its input names, or undefined when it is none of the known exports. */
export function detectDecoderFlavour(meta: SessionMeta): Flavour | undefined {
  const names = new Set(meta.inputs.map((t) => t.name))
  if (names.has('input_points') && names.has('image_positional_embeddings')) return 'hf-sam'
  if (names.has('input_points') && names.has('image_embeddings.0')) return 'hf-sam2'
  if (names.has('image_embed') && names.has('high_res_feats_0')) return 'sam2'
  if (names.has('image_embeddings') && names.has('point_coords') && names.has('orig_im_size')) return 'sam'
  return undefined
}

/** The encoder's flavour from its tensor names; a lone float input of rank 3 or 4 is a SAM encoder. */
export function detectEncoderFlavour(meta: SessionMeta): Flavour | undefined {
  const outs = new Set(meta.outputs.map((t) => t.name))
  if (outs.has('high_res_feats_0') && outs.has('image_embed')) return 'sam2'
  if (outs.has('image_positional_embeddings')) return 'hf-sam'
  if (outs.has('image_embeddings.0')) return 'hf-sam2'
  if (meta.inputs.length === 1 && [3, 4].includes(meta.inputs[0].shape.length) && meta.outputs.length >= 1)
    return 'sam'
  return undefined
}

/** Problems of one session against a spec, each naming the tensor. Empty when it matches. */
export function signatureProblems(meta: SessionMeta, spec: SessionSpec): string[] {
  const problems: string[] = []
  for (const [kind, wanted, have] of [
    ['input', spec.inputs, meta.inputs],
    ['output', spec.outputs, meta.outputs],
  ] as const) {
    for (const t of wanted) {
      const found = have.find((h) => h.name === t.name)
      if (!found) {
        if (!t.optional) {
          problems.push(
            `missing ${kind} '${t.name}' (${t.type}, rank ${t.ranks.join('/')}); it has ${kind}s ${
              have.map((h) => `'${h.name}'`).join(', ') || 'none'
            }`,
          )
        }
        continue
      }
      if (found.type !== t.type) problems.push(`${kind} '${t.name}' is ${found.type}, expected ${t.type}`)
      if (found.shape.length > 0 && !t.ranks.includes(found.shape.length)) {
        problems.push(
          `${kind} '${t.name}' has rank ${found.shape.length} [${found.shape.join(', ')}], expected rank ${t.ranks.join(' or ')}`,
        )
      }
    }
  }
  return problems
}

/** SAM encoders come in two forms; this checks the one-input/first-output shape instead of names. */
export function samEncoderProblems(meta: SessionMeta): string[] {
  const problems: string[] = []
  if (meta.inputs.length !== 1) {
    problems.push(
      `expected exactly one input (the image), found ${meta.inputs.length}: ${meta.inputs.map((t) => `'${t.name}'`).join(', ')}`,
    )
    return problems
  }
  const input = meta.inputs[0]
  if (input.type !== 'float32') problems.push(`input '${input.name}' is ${input.type}, expected float32`)
  const rank = input.shape.length
  if (rank === 3 && input.shape[2] !== 3)
    problems.push(`input '${input.name}' [${input.shape.join(', ')}] should be [H, W, 3]`)
  else if (rank === 4 && input.shape[1] !== 3)
    problems.push(`input '${input.name}' [${input.shape.join(', ')}] should be [1, 3, 1024, 1024]`)
  else if (rank !== 3 && rank !== 4)
    problems.push(`input '${input.name}' has rank ${rank}, expected 3 ([H, W, 3]) or 4 ([1, 3, 1024, 1024])`)
  const out = meta.outputs[0]
  if (!out) problems.push('the encoder has no output')
  else if (out.shape.length !== 4)
    problems.push(`output '${out.name}' has rank ${out.shape.length}, expected 4 ([1, 256, 64, 64])`)
  return problems
}

export class ModelSignatureError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`)
    this.name = 'ModelSignatureError'
  }
}

/** Throws ModelSignatureError naming every mismatching tensor of the encoder or decoder. */
export function assertSignature(
  flavour: Flavour,
  encoder: { file: string; meta: SessionMeta },
  decoder: { file: string; meta: SessionMeta },
): void {
  const spec = FLAVOURS[flavour]
  const encProblems =
    flavour === 'sam' ? samEncoderProblems(encoder.meta) : signatureProblems(encoder.meta, spec.encoder)
  if (encProblems.length) throw new ModelSignatureError(`${encoder.file} (${flavour} encoder)`, encProblems)
  const decProblems = signatureProblems(decoder.meta, spec.decoder)
  if (decProblems.length) throw new ModelSignatureError(`${decoder.file} (${flavour} decoder)`, decProblems)
}

/**
 * Which decoder input receives each encoder output. SAM encoders name their embedding differently
 * across exporters; samexporter's runtime takes the first output, and so does this.
 */
export function embeddingNames(flavour: Flavour, encoder: SessionMeta): Record<string, string> {
  if (flavour === 'sam') return { [encoder.outputs[0].name]: 'image_embeddings' }
  const map: Record<string, string> = {}
  for (const t of FLAVOURS[flavour].encoder.outputs) map[t.name] = t.name
  return map
}
