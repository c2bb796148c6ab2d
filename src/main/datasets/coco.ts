/**
 * COCO-style datasets: an instances JSON (`images`, `annotations`, `categories`) plus an image folder.
 * Each annotation's `segmentation` may be polygons (rasterized like pycocotools), uncompressed RLE
 * (`counts` list) or compressed RLE (`counts` string). The query is the annotation's `caption`, each of
 * its `sentences` (strings or RefCOCO-style `{sent}` objects), its `sentence`, or else the category name.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { fromCoco, type Rle } from '../../shared/domain/rle'
import { unionRle } from '../../shared/domain/maskOps'
import { rleFromPolygon } from './cocoPolygon'
import type { DatasetRecord } from './importRecords'

const id = z.union([z.number(), z.string()])
/** Image sides: positive integers up to 2^16 (no real image is larger; keeps h x w a safe integer). */
const side = z.number().int().positive().max(65536)

/**
 * The parts of an instances JSON we read, checked before use so that a wrong type is reported with its
 * path instead of surfacing later as a TypeError (or a stack overflow when a deeply nested array is
 * turned into a string). `segmentation` is checked by `cocoMask`.
 */
const CocoDoc = z.looseObject({
  images: z.array(z.looseObject({ id, file_name: z.string().min(1), width: side, height: side })),
  annotations: z.array(
    z.looseObject({
      id,
      image_id: id,
      category_id: z.number().optional(),
      segmentation: z.unknown().optional(),
      caption: z.string().optional(),
      sentence: z.string().optional(),
      sentences: z
        .array(
          z.union([z.string(), z.looseObject({ sent: z.string().optional(), raw: z.string().optional() })]),
        )
        .optional(),
    }),
  ),
  categories: z.array(z.looseObject({ id: z.number(), name: z.string() })).optional(),
})

type CocoAnnotation = z.infer<typeof CocoDoc>['annotations'][number]

/** The first few zod issues as `path: message`, for an error that names the file. */
export function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map(
      (i) =>
        `${
          i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || '(top level)'
        }: ${i.message}`,
    )
    .join('; ')
}

export function isCocoJson(file: string): boolean {
  if (!file.endsWith('.json')) return false
  try {
    const head = fs.readFileSync(file, 'utf8')
    const o = JSON.parse(head) as Record<string, unknown>
    return Array.isArray(o.images) && Array.isArray(o.annotations)
  } catch {
    return false
  }
}

/** The instances JSON in a folder (`annotations/*.json` or `*.json`), or the file itself. */
export function findCocoJson(source: string): string | null {
  if (fs.statSync(source).isFile()) return isCocoJson(source) ? source : null
  for (const dir of [path.join(source, 'annotations'), source]) {
    if (!fs.existsSync(dir)) continue
    const hit = fs
      .readdirSync(dir)
      .sort()
      .map((f) => path.join(dir, f))
      .find((f) => isCocoJson(f))
    if (hit) return hit
  }
  return null
}

function resolveImage(jsonFile: string, fileName: string): string | null {
  const dir = path.dirname(jsonFile)
  for (const c of [
    path.join(dir, fileName),
    path.join(dir, 'images', fileName),
    path.join(dir, '..', 'images', fileName),
  ]) {
    if (fs.existsSync(c)) return c
  }
  return null
}

export function cocoMask(ann: CocoAnnotation, h: number, w: number, where: string): Rle {
  const seg = ann.segmentation as unknown[] | { size?: unknown; counts?: unknown } | null | undefined
  if (Array.isArray(seg)) {
    if (seg.length === 0) throw new Error(`${where}: empty polygon list`)
    return unionRle(
      seg.map((poly) => {
        if (!Array.isArray(poly) || poly.length < 6 || poly.some((v) => typeof v !== 'number')) {
          throw new Error(`${where}: a polygon must be a flat list of at least 3 x,y pairs`)
        }
        return rleFromPolygon(poly, h, w)
      }),
      h,
      w,
    )
  }
  if (seg && typeof seg === 'object' && Array.isArray(seg.size)) {
    const size = seg.size
    if (size.length !== 2 || size[0] !== h || size[1] !== w) {
      const shown =
        size.length === 2 && size.every((v) => typeof v === 'number') ? size.join('x') : 'malformed'
      throw new Error(`${where}: RLE size ${shown} differs from the image entry ${h}x${w}`)
    }
    const counts = seg.counts
    if (
      typeof counts !== 'string' &&
      !(Array.isArray(counts) && counts.every((c) => typeof c === 'number'))
    ) {
      throw new Error(`${where}: RLE 'counts' must be a string or a list of numbers`)
    }
    try {
      return fromCoco({ size: [h, w], counts })
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`, { cause: err })
    }
  }
  throw new Error(`${where}: no 'segmentation' (polygons or RLE)`)
}

function queriesOf(ann: CocoAnnotation, category: string | undefined): string[] {
  if (typeof ann.caption === 'string') return [ann.caption]
  if (Array.isArray(ann.sentences) && ann.sentences.length) {
    return ann.sentences.map((s) => (typeof s === 'string' ? s : (s.sent ?? s.raw ?? '')))
  }
  if (typeof ann.sentence === 'string') return [ann.sentence]
  return category ? [category] : []
}

export async function* cocoRecords(jsonFile: string): AsyncGenerator<DatasetRecord> {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(jsonFile, 'utf8'))
  } catch (err) {
    throw new Error(`${jsonFile}: not valid JSON (${(err as Error).message})`, { cause: err })
  }
  const parsed = CocoDoc.safeParse(raw)
  if (!parsed.success) {
    throw new Error(`${jsonFile}: not a COCO instances JSON as expected: ${describeIssues(parsed.error)}`)
  }
  const doc = parsed.data
  const images = new Map(doc.images.map((im) => [String(im.id), im]))
  const cats = new Map((doc.categories ?? []).map((c) => [c.id, c.name]))
  const byImage = new Map<string, { ann: CocoAnnotation; index: number }[]>()
  doc.annotations.forEach((ann, index) => {
    const key = String(ann.image_id)
    if (!byImage.has(key)) byImage.set(key, [])
    byImage.get(key)?.push({ ann, index })
  })
  for (const [imageKey, anns] of byImage) {
    const where0 = `${jsonFile}: annotations[${anns[0].index}]`
    const im = images.get(imageKey)
    if (!im) throw new Error(`${where0}: image_id ${imageKey} is not in 'images'`)
    const file = resolveImage(jsonFile, im.file_name)
    if (!file)
      throw new Error(`${where0}: image file ${im.file_name} not found next to the JSON or in images/`)
    const bytes = fs.readFileSync(file)
    for (const { ann, index } of anns) {
      const where = `${jsonFile}: annotations[${index}]`
      const gt = cocoMask(ann, im.height, im.width, where)
      const queries = queriesOf(ann, ann.category_id === undefined ? undefined : cats.get(ann.category_id))
      if (queries.length === 0)
        throw new Error(`${where}: no caption, sentences or category name to use as the query`)
      for (let q = 0; q < queries.length; q++) {
        yield {
          imageId: String(im.id),
          annId: queries.length === 1 ? String(ann.id) : `${ann.id}:${q}`,
          query: queries[q],
          image: bytes,
          gt,
          where,
        }
      }
    }
  }
}
