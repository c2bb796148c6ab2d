/**
 * The plain folder format for people's own data: `images/`, `masks/*.png` (non-zero = foreground) and
 * `queries.jsonl`, one JSON object per line: `{"image", "mask", "query", "image_id"?, "ann_id"?}` with
 * paths relative to the folder (or to images/ and masks/). image_id defaults to the image file name
 * without extension, ann_id to the line number.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { encodeRowMajor, type Rle } from '../../shared/domain/rle'
import type { DatasetRecord } from './importRecords'

export const QUERIES_FILE = 'queries.jsonl'

export function isPlainFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, QUERIES_FILE))
}

function resolveIn(dir: string, sub: string, rel: string): string | null {
  for (const c of [path.join(dir, rel), path.join(dir, sub, rel)]) if (fs.existsSync(c)) return c
  return null
}

/** Any non-zero colour channel is foreground (alpha ignored). */
export async function maskFromPng(file: string): Promise<Rle> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true })
  const colour = info.channels === 2 || info.channels === 4 ? info.channels - 1 : info.channels
  const n = info.width * info.height
  const m = new Uint8Array(n)
  for (let i = 0, p = 0; i < n; i++, p += info.channels) {
    for (let c = 0; c < colour; c++) if (data[p + c] !== 0) m[i] = 1
  }
  return encodeRowMajor(m, info.height, info.width)
}

export async function* plainFolderRecords(dir: string): AsyncGenerator<DatasetRecord> {
  const qfile = path.join(dir, QUERIES_FILE)
  const lines = fs.readFileSync(qfile, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim()
    if (!text) continue
    const where = `${qfile}:${i + 1}`
    let o: { image?: unknown; mask?: unknown; query?: unknown; image_id?: unknown; ann_id?: unknown }
    try {
      o = JSON.parse(text)
    } catch (err) {
      throw new Error(`${where}: not valid JSON (${(err as Error).message})`, { cause: err })
    }
    if (typeof o.image !== 'string') throw new Error(`${where}: 'image' (a path) is required`)
    if (typeof o.mask !== 'string') throw new Error(`${where}: 'mask' (a PNG path) is required`)
    if (typeof o.query !== 'string') throw new Error(`${where}: 'query' (a string) is required`)
    const imageFile = resolveIn(dir, 'images', o.image)
    if (!imageFile) throw new Error(`${where}: image ${o.image} not found`)
    const maskFile = resolveIn(dir, 'masks', o.mask)
    if (!maskFile) throw new Error(`${where}: mask ${o.mask} not found`)
    let gt: Rle
    try {
      gt = await maskFromPng(maskFile)
    } catch (err) {
      throw new Error(`${where}: mask ${o.mask} cannot be read (${(err as Error).message})`, { cause: err })
    }
    yield {
      imageId: o.image_id === undefined ? path.basename(o.image, path.extname(o.image)) : String(o.image_id),
      annId: o.ann_id === undefined ? String(i + 1) : String(o.ann_id),
      query: o.query,
      image: fs.readFileSync(imageFile),
      gt,
      where,
    }
  }
}
