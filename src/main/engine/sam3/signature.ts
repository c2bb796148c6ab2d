/**
 * SAM 3 as samexporter exports it (samexporter/export_sam3.py, opset 18): three ONNX files and their
 * exact tensor names, dtypes and ranks.
 * - sam3_image_encoder.onnx: `image` uint8 [3, 1008, 1008] RGB (normalisation to [-1, 1] is inside the
 *   graph) -> vision_pos_enc_0/1/2 and backbone_fpn_0/1/2 (float, rank 4).
 * - sam3_language_encoder.onnx: `tokens` int64 [1, 32] (CLIP BPE ids, SOT … EOT, zero-padded) ->
 *   text_attention_mask bool [1, 32], text_memory float [32, 1, 256], text_embeds float [32, 1, 1024].
 * - sam3_decoder.onnx: original_height / original_width (int64 scalars), the six image tensors,
 *   language_mask / language_features / language_embeds (the language outputs, in that order),
 *   box_coords float [1, 1, 4] (cx, cy, w, h normalised), box_labels int64 [1, 1], box_masks bool [1, 1]
 *   (true = no box) -> boxes float [N, 4], scores float [N], masks bool [N, 1, H, W] at the original size.
 * `--simplify` may drop vision_pos_enc_0/1 from the decoder, so those two decoder inputs are optional.
 */
import type { SessionMeta, SessionSpec, TensorSpec } from '../onnx/flavours'
import { ModelSignatureError, signatureProblems } from '../onnx/flavours'

const t = (name: string, type: TensorSpec['type'], ranks: number[], optional = false): TensorSpec => ({
  name,
  type,
  ranks,
  optional,
})

export const SAM3_IMAGE_OUTPUTS = [
  'vision_pos_enc_0',
  'vision_pos_enc_1',
  'vision_pos_enc_2',
  'backbone_fpn_0',
  'backbone_fpn_1',
  'backbone_fpn_2',
] as const

export const SAM3_INPUT_SIZE = 1008
export const SAM3_CONTEXT_LENGTH = 32

export const SAM3_SPEC: { image: SessionSpec; language: SessionSpec; decoder: SessionSpec } = {
  image: {
    inputs: [t('image', 'uint8', [3])],
    outputs: SAM3_IMAGE_OUTPUTS.map((n) => t(n, 'float32', [4])),
  },
  language: {
    inputs: [t('tokens', 'int64', [2])],
    outputs: [
      t('text_attention_mask', 'bool', [2]),
      t('text_memory', 'float32', [3]),
      t('text_embeds', 'float32', [3]),
    ],
  },
  decoder: {
    inputs: [
      t('original_height', 'int64', [0]),
      t('original_width', 'int64', [0]),
      ...SAM3_IMAGE_OUTPUTS.map((n) =>
        t(n, 'float32', [4], n === 'vision_pos_enc_0' || n === 'vision_pos_enc_1'),
      ),
      t('language_mask', 'bool', [2]),
      t('language_features', 'float32', [3]),
      t('language_embeds', 'float32', [3]),
      t('box_coords', 'float32', [3]),
      t('box_labels', 'int64', [2]),
      t('box_masks', 'bool', [2]),
    ],
    outputs: [t('boxes', 'float32', [2]), t('scores', 'float32', [1]), t('masks', 'bool', [4])],
  },
}

/** Which decoder input each language-encoder output feeds. */
export const SAM3_LANGUAGE_TO_DECODER: Record<string, string> = {
  text_attention_mask: 'language_mask',
  text_memory: 'language_features',
  text_embeds: 'language_embeds',
}

/** A SAM 3 decoder, told apart from the SAM / SAM 2 exports by its language and FPN inputs. */
export function isSam3Decoder(meta: SessionMeta): boolean {
  const names = new Set(meta.inputs.map((x) => x.name))
  return names.has('language_features') && names.has('backbone_fpn_2') && names.has('box_masks')
}

/** Throws ModelSignatureError naming every mismatching tensor of the three files. */
export function assertSam3Signature(files: {
  image: { file: string; meta: SessionMeta }
  language: { file: string; meta: SessionMeta }
  decoder: { file: string; meta: SessionMeta }
}): void {
  for (const part of ['image', 'language', 'decoder'] as const) {
    const problems = signatureProblems(files[part].meta, SAM3_SPEC[part])
    if (problems.length)
      throw new ModelSignatureError(
        `${files[part].file} (sam3 ${part} encoder)`.replace('decoder encoder', 'decoder'),
        problems,
      )
  }
}
