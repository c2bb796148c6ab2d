/**
 * Report thumbnails: the sample's image scaled down, the prediction filled in red and the GT outlined in
 * green, encoded as a JPEG data URI so the HTML report stays one self-contained file. Masks are sampled at
 * thumbnail resolution (nearest pixel), so memory per thumbnail is the decoded masks plus the small image.
 */
import sharp from 'sharp'
import { decodeRowMajor, fromCoco } from '../../shared/domain/rle'
import { mediaPath } from '../store/media'
import type { Project } from '../store/project'
import { sampleMask } from '../store/thumbs'

export const THUMB_MAX_SIDE = 240
const PRED = [230, 40, 40]
const GT = [40, 220, 90]

export async function renderThumbnail(
  project: Project,
  sample: { media_hash: string; width: number; height: number; gt_rle: string },
  predRle: string | null,
  maxSide = THUMB_MAX_SIDE,
): Promise<string> {
  const scale = Math.min(1, maxSide / Math.max(sample.width, sample.height))
  const tw = Math.max(1, Math.round(sample.width * scale))
  const th = Math.max(1, Math.round(sample.height * scale))
  const { data } = await sharp(mediaPath(project, sample.media_hash))
    .removeAlpha()
    .toColourspace('srgb')
    .resize(tw, th, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const size: [number, number] = [sample.height, sample.width]
  const gt = sampleMask(
    decodeRowMajor(fromCoco({ size, counts: sample.gt_rle })),
    sample.width,
    sample.height,
    tw,
    th,
  )
  const pred = predRle
    ? sampleMask(decodeRowMajor(fromCoco({ size, counts: predRle })), sample.width, sample.height, tw, th)
    : null
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const i = y * tw + x
      const o = i * 3
      if (pred?.[i]) for (let c = 0; c < 3; c++) data[o + c] = Math.round(data[o + c] * 0.5 + PRED[c] * 0.5)
      if (gt[i] && isEdge(gt, x, y, tw, th)) for (let c = 0; c < 3; c++) data[o + c] = GT[c]
    }
  }
  const jpeg = await sharp(data, { raw: { width: tw, height: th, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer()
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`
}

/** Foreground pixel within 2 px of the background or the border: a 2-px outline that shows at thumbnail size. */
function isEdge(m: Uint8Array, x: number, y: number, w: number, h: number): boolean {
  for (const d of [1, 2]) {
    if (x - d < 0 || y - d < 0 || x + d >= w || y + d >= h) return true
    if (!m[y * w + x - d] || !m[y * w + x + d] || !m[(y - d) * w + x] || !m[(y + d) * w + x]) return true
  }
  return false
}
