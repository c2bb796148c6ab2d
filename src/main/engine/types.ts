/**
 * The segmentation engine's interface, shared by the ONNX SAM-family models and the classical GrabCut
 * baseline. Coordinates are original-image pixels; each implementation does its own model-space mapping.
 */
import type { ObjectPrompt } from '../../shared/domain/prompts'
import type { Rle } from '../../shared/domain/rle'

export type { ObjectPrompt, PromptPoint } from '../../shared/domain/prompts'

/** 8-bit RGB pixels, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number
  height: number
  data: Uint8Array
}

export interface SegmentResult {
  mask: Rle
  /** The model's own quality estimate (SAM's predicted IoU); baselines report 0. */
  score: number
  /**
   * The chosen mask's low-resolution logits (model space, row-major, 256x256 for 1024 px models): fed
   * back as the next step's `maskInput`. Only models whose decoder takes a mask input return them.
   */
  lowRes?: Float32Array
}

export interface SegmentOptions {
  /** The previous step's `lowRes` of the same object (SAM's iterative refinement); ignored by the baseline. */
  maskInput?: Float32Array
}

export interface ModelInfo {
  id: string
  /** Shown wherever the model's masks appear; a baseline says so in its label. */
  label: string
  family: 'sam' | 'sam2' | 'hf-sam' | 'hf-sam2' | 'sam3' | 'grabcut'
  isBaseline: boolean
  /** Execution provider actually in use, e.g. 'cpu', 'cuda', or 'wasm' for the baseline. */
  provider: string
}

export interface Segmenter {
  readonly info: ModelInfo
  /**
   * Segments one object. `imageKey` identifies the image (media hash) so embeddings can be cached;
   * `signal` aborts work that is no longer wanted (latest-wins editing).
   */
  segment(
    imageKey: string,
    image: RgbImage,
    prompt: ObjectPrompt,
    signal?: AbortSignal,
    options?: SegmentOptions,
  ): Promise<SegmentResult>
  /** Whether `maskInput` is used (a decoder with `mask_input`); false for the baseline. */
  readonly refines?: boolean
  dispose(): Promise<void>
}
