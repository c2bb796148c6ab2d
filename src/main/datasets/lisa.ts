/**
 * LISA's original ReasonSeg folder: `<name>.jpg` + `<name>.json` (labelme-style `shapes`, a `text` list of
 * queries, `is_sentence`). Masks follow LISA's `get_mask_from_json` (utils/data_processing.py): shapes
 * labelled `flag` are skipped; each remaining polygon is measured alone (outline + fill), then all are
 * painted largest area first, value 255 for labels containing `ignore` and 1 otherwise, so smaller
 * shapes win where they overlap. Pixels left at 1 are the target; pixels at 255 become the ignore mask
 * (LISA's evaluation excludes them from intersection and union). One sample per (image, query).
 */
import fs from 'node:fs'
import path from 'node:path'
import { encodeRowMajor, type Rle } from '../../shared/domain/rle'
import { imageInfo, type DatasetRecord } from './importRecords'
import { PolygonCanvas } from './polygonRaster'

interface LabelmeShape {
  label: string
  points: [number, number][]
}

export interface LisaAnnotation {
  text: string[]
  isSentence: boolean | null
  shapes: LabelmeShape[]
}

const IMAGE_EXTS = ['.jpg', '.jpeg', '.png']

export function parseLisaJson(raw: Buffer, file: string): LisaAnnotation {
  let json: unknown
  try {
    json = JSON.parse(raw.toString('utf8'))
  } catch {
    try {
      // LISA retries with cp1252; latin1 is the closest Node decoding.
      json = JSON.parse(raw.toString('latin1'))
    } catch (err) {
      throw new Error(`${file}: not valid JSON (${(err as Error).message})`, { cause: err })
    }
  }
  const o = json as { text?: unknown; is_sentence?: unknown; shapes?: unknown }
  if (!Array.isArray(o.shapes)) throw new Error(`${file}: missing 'shapes' list`)
  const text = typeof o.text === 'string' ? [o.text] : o.text
  if (!Array.isArray(text) || text.some((t) => typeof t !== 'string')) {
    throw new Error(`${file}: 'text' must be a list of query strings`)
  }
  const shapes = (o.shapes as unknown[]).map((s, i) => {
    const sh = s as { label?: unknown; points?: unknown }
    if (typeof sh.label !== 'string' || !Array.isArray(sh.points)) {
      throw new Error(`${file}: shapes[${i}] needs a 'label' string and a 'points' list`)
    }
    const points = (sh.points as unknown[]).map((p, j) => {
      if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') {
        throw new Error(`${file}: shapes[${i}].points[${j}] is not an [x, y] pair`)
      }
      // labelme points may stray a little outside the image, never by millions of pixels.
      if (!(Math.abs(p[0]) <= 1e7 && Math.abs(p[1]) <= 1e7)) {
        throw new Error(`${file}: shapes[${i}].points[${j}] = [${p[0]}, ${p[1]}] is far outside any image`)
      }
      return [p[0], p[1]] as [number, number]
    })
    return { label: sh.label, points }
  })
  if (o.is_sentence !== undefined && o.is_sentence !== null && typeof o.is_sentence !== 'boolean') {
    throw new Error(`${file}: 'is_sentence' must be true or false`)
  }
  return {
    text: text as string[],
    isSentence: typeof o.is_sentence === 'boolean' ? o.is_sentence : null,
    shapes,
  }
}

/** The target and ignore masks of one annotation, exactly as LISA's loader builds them. */
export async function lisaMasks(
  ann: LisaAnnotation,
  width: number,
  height: number,
): Promise<{ gt: Rle; ignore: Rle | null }> {
  const canvas = await PolygonCanvas.create(width, height)
  try {
    const valid = ann.shapes.filter((s) => s.label.toLowerCase() !== 'flag')
    const areas = valid.map((s) => {
      canvas.clear()
      canvas.paint(s.points, 1)
      let a = 0
      for (const v of canvas.pixels()) a += v
      return a
    })
    // np.argsort(areas)[::-1]: ascending (stable for the handful of shapes an image has), then reversed.
    const order = valid
      .map((_, i) => i)
      .sort((a, b) => areas[a] - areas[b] || a - b)
      .reverse()
    canvas.clear()
    for (const i of order)
      canvas.paint(valid[i].points, valid[i].label.toLowerCase().includes('ignore') ? 255 : 1)
    const px = canvas.pixels()
    const gt = new Uint8Array(px.length)
    const ig = new Uint8Array(px.length)
    let anyIgnore = false
    for (let i = 0; i < px.length; i++) {
      if (px[i] === 1) gt[i] = 1
      else if (px[i] === 255) {
        ig[i] = 1
        anyIgnore = true
      }
    }
    return {
      gt: encodeRowMajor(gt, height, width),
      ignore: anyIgnore ? encodeRowMajor(ig, height, width) : null,
    }
  } finally {
    canvas.delete()
  }
}

export function isLisaFolder(dir: string): boolean {
  const files = fs.readdirSync(dir)
  const json = files.filter((f) => f.endsWith('.json'))
  return json.some((j) => IMAGE_EXTS.some((e) => files.includes(j.slice(0, -5) + e)))
}

export async function* lisaRecords(dir: string): AsyncGenerator<DatasetRecord> {
  const files = fs.readdirSync(dir).sort()
  const have = new Set(files)
  for (const f of files) {
    if (!f.endsWith('.json')) continue
    const base = f.slice(0, -5)
    const imageName = IMAGE_EXTS.map((e) => base + e).find((n) => have.has(n))
    if (!imageName) continue
    const jsonPath = path.join(dir, f)
    const ann = parseLisaJson(fs.readFileSync(jsonPath), jsonPath)
    const image = fs.readFileSync(path.join(dir, imageName))
    const { width, height } = await imageInfo(image, path.join(dir, imageName))
    const { gt, ignore } = await lisaMasks(ann, width, height)
    for (let i = 0; i < ann.text.length; i++) {
      yield {
        imageId: base,
        annId: String(i),
        query: ann.text[i],
        isSentence: ann.isSentence,
        image,
        gt,
        ignore,
        where: `${jsonPath}: text[${i}]`,
      }
    }
  }
}
