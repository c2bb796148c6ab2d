/**
 * Image side of the SAM-family pipelines: the longest-side target size and the normalized/padded input
 * tensor. Pure (no ONNX Runtime), so the bench can time it alone.
 *
 * Resize kernel: SAM's ResizeLongestSide.apply_image and the transformers SamImageProcessor both resize
 * the uint8 image with PIL `BILINEAR`; the pipeline uses `resizeBilinearPil` (src/shared/domain/pilResize),
 * which reproduces Pillow's Resample.c arithmetic so the encoder sees the same bytes SAM's reference code would.
 */
import type { RgbImage } from '../types'

/** SAM's get_preprocess_shape: scale the longest side to `longSide`, each side rounded as int(x + 0.5). */
export function longestSideSize(
  height: number,
  width: number,
  longSide: number,
): { height: number; width: number } {
  const scale = longSide / Math.max(height, width)
  return { height: Math.floor(height * scale + 0.5), width: Math.floor(width * scale + 0.5) }
}

export interface NormalizeOptions {
  /** Side of the square tensor; the image sits top-left, the rest is zero (after normalization). */
  size: number
  /** Per-channel mean and std on the 0-255 scale. */
  mean: readonly number[]
  std: readonly number[]
}

/** [1, 3, size, size] float32: (pixel - mean) / std, zero-padded bottom/right (SAM's preprocess order). */
export function toNchwTensor(image: RgbImage, opts: NormalizeOptions): Float32Array {
  const { size, mean, std } = opts
  if (image.width > size || image.height > size) {
    throw new Error(`image ${image.width}x${image.height} does not fit the ${size}x${size} model input`)
  }
  const plane = size * size
  const out = new Float32Array(3 * plane)
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = (y * image.width + x) * 3
      const o = y * size + x
      out[o] = (image.data[p] - mean[0]) / std[0]
      out[plane + o] = (image.data[p + 1] - mean[1]) / std[1]
      out[2 * plane + o] = (image.data[p + 2] - mean[2]) / std[2]
    }
  }
  return out
}

/** [H, W, 3] float32 RGB 0-255: the input of encoders exported with preprocessing inside the graph. */
export function toHwcTensor(image: RgbImage): Float32Array {
  return Float32Array.from(image.data)
}
