/**
 * Authoring new samples: images added to a dataset (new or existing) by hand, then one or more queries per
 * image, each an ordinary sample with an empty ("no target") GT that the GT edit tools then draw. Every
 * image is fully decoded before anything is stored; media files are staged and published only when the
 * database transaction commits, so a bad batch stores nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { emptyRle } from '../../shared/domain/rle'
import { createDataset, getDataset, getDatasetByName } from '../store/datasets'
import { putMedia } from '../store/media'
import { beginMediaStaging, discardMediaStaging, publishMediaStaging } from '../store/mediaStaging'
import type { Project } from '../store/project'
import { insertSample } from '../store/samples'
import { imageInfo } from './importRecords'

export interface AuthorImageInput {
  /** File name (its base name without extension becomes the image id), for ids and messages. */
  name: string
  bytes: Uint8Array
}

export interface AuthoredImage {
  imageId: string
  width: number
  height: number
  mediaHash: string
}

/** A bad authoring request the user can fix (bad image, empty query, unknown dataset / image). */
export class AuthorError extends Error {
  constructor(
    readonly code: 'bad_request' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message)
    this.name = 'AuthorError'
  }
}

function imageIdOf(name: string): string {
  const base = path.basename(name).replace(/\.[^.]+$/, '')
  // Image ids end up in file names of exports: no control characters, separators or empty names.
  const bad =
    base.length === 0 || base.length > 200 || [...base].some((c) => c.charCodeAt(0) < 32 || c === '\\')
  if (bad) throw new AuthorError('bad_request', `${name}: not a usable image name`)
  return base
}

/** Decodes every pixel (a header alone can hide a truncated file); returns the stored size and format. */
async function validateImage(img: AuthorImageInput): Promise<{ width: number; height: number; ext: string }> {
  if (img.bytes.length === 0) throw new AuthorError('bad_request', `${img.name}: the file is empty`)
  let info: { width: number; height: number; ext: string }
  try {
    info = await imageInfo(img.bytes, img.name)
  } catch (err) {
    throw new AuthorError('bad_request', `${(err as Error).message} — not an image ReSeg can read`)
  }
  try {
    await sharp(Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.byteLength), {
      failOn: 'error',
    })
      .raw()
      .toBuffer()
  } catch (err) {
    throw new AuthorError('bad_request', `${img.name}: image cannot be decoded (${(err as Error).message})`)
  }
  return info
}

/**
 * Adds images to a dataset (created, format 'authored', when no dataset has that name). All images are
 * validated first; then the media and dataset rows are inserted in one transaction.
 */
export async function addImages(
  project: Project,
  opts: { dataset: string; split?: string | null; images: AuthorImageInput[]; source?: string | null },
): Promise<{ datasetId: number; created: boolean; images: AuthoredImage[] }> {
  const { db } = project
  const name = opts.dataset.trim()
  if (!name) throw new AuthorError('bad_request', 'the dataset name is empty')
  if (opts.images.length === 0) throw new AuthorError('bad_request', 'no images to add')
  const existing = getDatasetByName(db, name)
  if (existing && opts.split != null && existing.split != null && existing.split !== opts.split) {
    throw new AuthorError(
      'conflict',
      `dataset '${name}' is split '${existing.split}', not '${opts.split}'; name another dataset for that split`,
    )
  }
  const ids = new Map<string, string>()
  const validated: {
    img: AuthorImageInput
    imageId: string
    info: { width: number; height: number; ext: string }
  }[] = []
  for (const img of opts.images) {
    const imageId = imageIdOf(img.name)
    const clash = ids.get(imageId)
    if (clash)
      throw new AuthorError('conflict', `${img.name} and ${clash} would both get image id '${imageId}'`)
    ids.set(imageId, img.name)
    if (existing && imageKnown(project, existing.id, imageId)) {
      throw new AuthorError('conflict', `${img.name}: dataset '${name}' already has an image '${imageId}'`)
    }
    validated.push({ img, imageId, info: await validateImage(img) })
  }
  // The media rows and the dataset's rows in one transaction; new image files wait in a staging folder
  // until it commits (store/mediaStaging.ts), so a failed batch leaves neither rows nor files.
  const staging = beginMediaStaging(project.mediaDir)
  let result: { datasetId: number; created: boolean; images: AuthoredImage[] }
  try {
    result = db.transaction(() => {
      const datasetId =
        existing?.id ??
        createDataset(db, {
          name,
          format: 'authored',
          source: opts.source ?? null,
          split: opts.split ?? null,
        })
      const ins = db.prepare(
        'INSERT INTO dataset_images (dataset_id, image_id, media_hash, width, height, source) VALUES (?, ?, ?, ?, ?, ?)',
      )
      const images = validated.map((v): AuthoredImage => {
        const hash = putMedia(project, v.img.bytes, v.info, staging)
        ins.run(datasetId, v.imageId, hash, v.info.width, v.info.height, v.img.name)
        return { imageId: v.imageId, width: v.info.width, height: v.info.height, mediaHash: hash }
      })
      return { datasetId, created: !existing, images }
    })()
  } catch (err) {
    discardMediaStaging(staging)
    throw err
  }
  // Committed rows now name the staged images (a kill before the move is completed by the next open).
  publishMediaStaging(staging)
  return result
}

function imageKnown(project: Project, datasetId: number, imageId: string): boolean {
  return (
    project.db
      .prepare(
        'SELECT 1 FROM dataset_images WHERE dataset_id = ? AND image_id = ? UNION SELECT 1 FROM samples WHERE dataset_id = ? AND image_id = ?',
      )
      .get(datasetId, imageId, datasetId, imageId) !== undefined
  )
}

/** Every image of a dataset (authored ones and those of its samples) with its number of samples. */
export function listDatasetImages(
  project: Project,
  datasetId: number,
): { imageId: string; width: number; height: number; mediaHash: string; samples: number }[] {
  const { db } = project
  if (!getDataset(db, datasetId)) {
    throw new AuthorError('not_found', `no dataset with id ${datasetId} in this project`)
  }
  return db
    .prepare(
      `SELECT image_id AS imageId, MAX(width) AS width, MAX(height) AS height, MAX(media_hash) AS mediaHash,
              SUM(is_sample) AS samples FROM (
         SELECT image_id, width, height, media_hash, 0 AS is_sample FROM dataset_images WHERE dataset_id = @d
         UNION ALL SELECT image_id, width, height, media_hash, 1 FROM samples WHERE dataset_id = @d)
       GROUP BY image_id ORDER BY image_id`,
    )
    .all({ d: datasetId }) as {
    imageId: string
    width: number
    height: number
    mediaHash: string
    samples: number
  }[]
}

/**
 * Adds a query to an image of a dataset as a new sample with an empty GT ("no target" until drawn).
 * `annId` defaults to the next free integer for that image.
 */
export function addSampleQuery(
  project: Project,
  opts: {
    datasetId: number
    imageId: string
    query: string
    isSentence?: boolean | null
    annId?: string
    author: string
  },
): { sampleId: number; annId: string } {
  const { db } = project
  const query = opts.query.trim()
  if (!query) throw new AuthorError('bad_request', `image '${opts.imageId}': the query is empty`)
  return db.transaction(() => {
    if (!getDataset(db, opts.datasetId)) {
      throw new AuthorError('not_found', `no dataset with id ${opts.datasetId} in this project`)
    }
    const img = (db
      .prepare('SELECT media_hash, width, height FROM dataset_images WHERE dataset_id = ? AND image_id = ?')
      .get(opts.datasetId, opts.imageId) ??
      db
        .prepare(
          'SELECT media_hash, width, height FROM samples WHERE dataset_id = ? AND image_id = ? LIMIT 1',
        )
        .get(opts.datasetId, opts.imageId)) as
      { media_hash: string; width: number; height: number } | undefined
    if (!img) {
      throw new AuthorError(
        'not_found',
        `dataset ${opts.datasetId} has no image '${opts.imageId}'; add the image first`,
      )
    }
    const taken = new Set(
      db
        .prepare('SELECT ann_id FROM samples WHERE dataset_id = ? AND image_id = ?')
        .pluck()
        .all(opts.datasetId, opts.imageId) as string[],
    )
    let annId = opts.annId?.trim()
    if (annId !== undefined && annId !== '' && taken.has(annId)) {
      throw new AuthorError('conflict', `image '${opts.imageId}' already has a sample with ann_id '${annId}'`)
    }
    if (!annId) {
      let n = 0
      while (taken.has(String(n))) n++
      annId = String(n)
    }
    const sampleId = insertSample(db, {
      datasetId: opts.datasetId,
      imageId: opts.imageId,
      annId,
      mediaHash: img.media_hash,
      width: img.width,
      height: img.height,
      query,
      isSentence: opts.isSentence ?? null,
      gt: emptyRle(img.height, img.width),
    })
    db.prepare('INSERT INTO authored_samples (sample_id, author) VALUES (?, ?)').run(sampleId, opts.author)
    return { sampleId, annId }
  })()
}

/** Deletes a sample authored in the app (imported samples cannot be deleted this way). */
export function deleteAuthoredSample(project: Project, sampleId: number): void {
  const { db } = project
  db.transaction(() => {
    if (!db.prepare('SELECT 1 FROM authored_samples WHERE sample_id = ?').get(sampleId)) {
      const exists = db.prepare('SELECT 1 FROM samples WHERE id = ?').get(sampleId)
      throw new AuthorError(
        exists ? 'conflict' : 'not_found',
        exists
          ? `sample ${sampleId} was imported, not authored; it cannot be deleted here`
          : `no sample with id ${sampleId}`,
      )
    }
    db.prepare('DELETE FROM samples WHERE id = ?').run(sampleId)
  })()
}

/** Images of a folder (or one file) on the backend machine, for `reseg author add-images`. */
export function readImageFiles(target: string): AuthorImageInput[] {
  let stat: fs.Stats
  try {
    stat = fs.statSync(target)
  } catch {
    throw new AuthorError('not_found', `${target}: no such file or folder`)
  }
  const files = stat.isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => !f.startsWith('.'))
        .sort()
        .map((f) => path.join(target, f))
        .filter((f) => fs.statSync(f).isFile())
    : [target]
  if (files.length === 0) throw new AuthorError('bad_request', `${target}: the folder holds no files`)
  return files.map((f) => ({ name: f, bytes: fs.readFileSync(f) }))
}
