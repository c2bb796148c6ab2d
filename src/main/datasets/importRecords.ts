/**
 * Writes dataset records (from any reader) into a project in one SQLite transaction: images into the
 * content-addressed media store, one sample row per (image, query). On any error the transaction is
 * rolled back and media files that no committed row references are deleted, so the project is left
 * exactly as it was.
 */
import sharp, { type Metadata } from 'sharp'
import type { Rle } from '../../shared/domain/rle'
import { createDataset } from '../store/datasets'
import { putMedia } from '../store/media'
import { beginMediaStaging, discardMediaStaging, publishMediaStaging } from '../store/mediaStaging'
import type { Project } from '../store/project'
import { insertSample, sampleKey } from '../store/samples'

/** One sample as every reader produces it. */
export interface DatasetRecord {
  imageId: string
  annId: string
  query: string
  isSentence?: boolean | null
  /** Encoded image; may be a view that the reader reuses after the next record is requested. */
  image: Uint8Array
  gt: Rle
  ignore?: Rle | null
  /** Where the record came from (`file:row` or `file`), for error messages. */
  where: string
}

export interface DatasetMeta {
  name: string
  format: string
  source?: string | null
  split?: string | null
}

export interface ImportSummary {
  datasetId: number
  name: string
  samples: number
  images: number
}

export type ProgressFn = (done: number, total: number | null, message?: string) => void

const EXT: Record<string, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  bmp: 'bmp',
}

/** Decoded size and file extension of an encoded image (header only, no pixel decode). */
export async function imageInfo(
  bytes: Uint8Array,
  where: string,
): Promise<{ width: number; height: number; ext: string; orientation: number }> {
  let meta: Metadata
  try {
    meta = await sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).metadata()
  } catch (err) {
    throw new Error(`${where}: image cannot be decoded (${(err as Error).message})`, { cause: err })
  }
  const ext = EXT[meta.format ?? '']
  if (!ext || !meta.width || !meta.height)
    throw new Error(`${where}: unsupported image format '${meta.format ?? '?'}'`)
  return { width: meta.width, height: meta.height, ext, orientation: meta.orientation ?? 1 }
}

/** Throws (naming the record's file and row) when its masks do not fit its decoded image. */
export function checkRecordSize(
  r: DatasetRecord,
  info: { width: number; height: number; orientation: number },
): void {
  if (r.gt.h !== info.height || r.gt.w !== info.width) {
    // Masks index stored pixels; a JPEG whose EXIF orientation rotates it is shown (and was
    // perhaps annotated) rotated, which is worth saying when the sizes match once swapped.
    const rotated =
      info.orientation >= 5 && r.gt.h === info.width && r.gt.w === info.height
        ? ` (the image carries EXIF orientation ${info.orientation}: the mask was drawn on the rotated view)`
        : ''
    throw new Error(
      `${r.where} (image_id ${r.imageId}): mask is ${r.gt.h}x${r.gt.w} (h x w) but the image decodes to ${info.height}x${info.width}${rotated}`,
    )
  }
  if (r.ignore && (r.ignore.h !== r.gt.h || r.ignore.w !== r.gt.w)) {
    throw new Error(`${r.where} (image_id ${r.imageId}): ignore mask size differs from the mask`)
  }
}

export async function importRecords(
  project: Project,
  meta: DatasetMeta,
  records: AsyncIterable<DatasetRecord>,
  opts: { total?: number | null; onProgress?: ProgressFn; signal?: AbortSignal } = {},
): Promise<ImportSummary> {
  const { db } = project
  const touched = new Set<string>()
  const seenKeys = new Map<string, string>()
  let samples = 0
  db.exec('BEGIN IMMEDIATE')
  // New images wait in a staging folder until the commit, so a killed import leaves no loose media files
  // (mediaStaging.ts says how each moment of a kill is recovered).
  const staging = beginMediaStaging(project.mediaDir)
  let datasetId: number
  try {
    datasetId = createDataset(db, meta)
    for await (const r of records) {
      if (opts.signal?.aborted) throw new Error('import cancelled')
      const key = sampleKey(r.imageId, r.annId)
      const first = seenKeys.get(key)
      if (first !== undefined) {
        throw new Error(
          `${r.where}: duplicate (image_id ${r.imageId}, ann_id ${r.annId}), first seen at ${first}`,
        )
      }
      seenKeys.set(key, r.where)
      const info = await imageInfo(r.image, r.where)
      checkRecordSize(r, info)
      const hash = putMedia(project, r.image, info, staging)
      touched.add(hash)
      insertSample(db, {
        datasetId,
        imageId: r.imageId,
        annId: r.annId,
        mediaHash: hash,
        width: info.width,
        height: info.height,
        query: r.query,
        isSentence: r.isSentence ?? null,
        gt: r.gt,
        ignore: r.ignore ?? null,
      })
      samples++
      opts.onProgress?.(samples, opts.total ?? null)
    }
    if (samples === 0) throw new Error(`${meta.source ?? meta.name}: no samples found`)
    db.exec('COMMIT')
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK')
    discardMediaStaging(staging)
    throw err
  }
  // Committed rows now name the staged images: move them into media/ (a kill before this finishes is
  // completed by the next open).
  publishMediaStaging(staging)
  return { datasetId, name: meta.name, samples, images: touched.size }
}
