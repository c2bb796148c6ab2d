/** The `samples` table: one row per (image, query) with its ground-truth mask. */
import type { Rle } from '../../shared/domain/rle'
import { area, toCoco } from '../../shared/domain/rle'
import type { Db } from './project'

export interface NewSample {
  datasetId: number
  imageId: string
  annId: string
  mediaHash: string
  width: number
  height: number
  query: string
  isSentence?: boolean | null
  gt: Rle
  ignore?: Rle | null
}

export interface SampleRow {
  id: number
  dataset_id: number
  image_id: string
  ann_id: string
  media_hash: string
  width: number
  height: number
  query: string
  is_sentence: number | null
  gt_rle: string
  gt_area: number
  ignore_rle: string | null
}

export function insertSample(db: Db, s: NewSample): number {
  if (s.gt.h !== s.height || s.gt.w !== s.width) {
    throw new Error(
      `sample ${s.imageId}/${s.annId}: mask is ${s.gt.h}x${s.gt.w} but the image is ${s.height}x${s.width} (h x w)`,
    )
  }
  const r = db
    .prepare(
      `INSERT INTO samples (dataset_id, image_id, ann_id, media_hash, width, height, query, is_sentence, gt_rle, gt_area, ignore_rle)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      s.datasetId,
      s.imageId,
      s.annId,
      s.mediaHash,
      s.width,
      s.height,
      s.query,
      s.isSentence == null ? null : s.isSentence ? 1 : 0,
      toCoco(s.gt).counts,
      area(s.gt),
      s.ignore ? toCoco(s.ignore).counts : null,
    )
  return Number(r.lastInsertRowid)
}

export function sampleKey(imageId: string, annId: string): string {
  return `${imageId}\u0000${annId}`
}

export function getSample(db: Db, id: number): SampleRow | undefined {
  return db.prepare('SELECT * FROM samples WHERE id = ?').get(id) as SampleRow | undefined
}
