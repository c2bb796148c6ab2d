/**
 * Predicted masks as run files carry them: a COCO RLE object (compressed string or uncompressed list)
 * or a PNG beside the JSONL. Both come out as canonical runs — the exact runs pycocotools.mask.encode
 * would give for the same pixels — so what we store and export is byte-identical to pycocotools.
 */
import fs from 'node:fs'
import { decode as decodePng } from 'fast-png'
import { encodeRowMajor, fromCoco, type Rle } from '../../shared/domain/rle'

/** Validates and decodes `{"size":[h,w],"counts":…}`; throws a message without location (the caller adds it). */
export function parseCocoMask(value: unknown): Rle {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('"mask" must be an object {"size": [h, w], "counts": …}')
  }
  const { size, counts } = value as { size?: unknown; counts?: unknown }
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error('"mask.size" must be [height, width] (two non-negative integers)')
  }
  if (typeof counts === 'string') return canonicalRuns(fromCoco({ size, counts }))
  if (Array.isArray(counts)) {
    if (!counts.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new Error('"mask.counts" as a list must hold non-negative integers (uncompressed RLE)')
    }
    return canonicalRuns(fromCoco({ size, counts }))
  }
  throw new Error('"mask.counts" must be a COCO RLE string or a list of run lengths')
}

/** A PNG mask; any non-zero colour channel is foreground (alpha is not looked at). */
export function readMaskPng(file: string): Rle {
  const png = decodePng(fs.readFileSync(file))
  const { width: w, height: h, channels, data } = png
  const colour = channels === 2 || channels === 4 ? channels - 1 : channels
  const mask = new Uint8Array(w * h)
  for (let i = 0, p = 0; i < mask.length; i++, p += channels) {
    for (let c = 0; c < colour; c++) {
      if (data[p + c] !== 0) {
        mask[i] = 1
        break
      }
    }
  }
  return encodeRowMajor(mask, h, w)
}

/** Merges zero-length runs (legal in uncompressed RLE) so only the leading zero run may be empty. */
export function canonicalRuns(rle: Rle): Rle {
  const c = rle.counts
  const out: number[] = [0]
  for (let i = 0; i < c.length; i++) {
    const n = c[i]
    if (n === 0) continue
    if ((out.length - 1) % 2 === i % 2) out[out.length - 1] += n
    else out.push(n)
  }
  return { h: rle.h, w: rle.w, counts: Uint32Array.from(out) }
}
