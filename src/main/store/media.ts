/**
 * Content-addressed image store: media/<sha256>.<ext>. The same image imported twice (several queries
 * per image, or a re-import) is stored once.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { RgbImage } from '../engine/types'
import { writeFileAtomic } from '../files/atomicWrite'
import type { MediaStaging } from './mediaStaging'
import type { Project } from './project'

export interface MediaInfo {
  ext: string
  width: number
  height: number
}

export function mediaPath(project: Project, hash: string): string {
  const row = project.db.prepare('SELECT ext FROM media WHERE hash = ?').get(hash) as
    { ext: string } | undefined
  if (!row) throw new Error(`no media ${hash} in project ${project.dir}`)
  return path.join(project.mediaDir, `${hash}.${row.ext}`)
}

/**
 * Writes the bytes (atomically, once) and records them; returns the content hash. With `staging`, a new
 * image goes to the staging folder until `publishMediaStaging` (see mediaStaging.ts).
 */
export function putMedia(
  project: Project,
  bytes: Buffer | Uint8Array,
  info: MediaInfo,
  staging?: MediaStaging,
): string {
  const hash = crypto.createHash('sha256').update(bytes).digest('hex')
  const file = path.join(project.mediaDir, `${hash}.${info.ext}`)
  // No fsync: one per image would halve import speed, and `reseg project check` finds a lost file.
  if (staging) {
    if (!staging.files.has(file) && !fs.existsSync(file)) {
      const staged = path.join(staging.dir, path.basename(file))
      writeFileAtomic(staged, bytes, { fsync: false })
      staging.files.set(file, staged)
    }
  } else if (!fs.existsSync(file)) writeFileAtomic(file, bytes, { fsync: false })
  project.db
    .prepare('INSERT OR IGNORE INTO media (hash, ext, width, height, bytes) VALUES (?, ?, ?, ?, ?)')
    .run(hash, info.ext, info.width, info.height, bytes.length)
  return hash
}

/** Decodes a stored image to 8-bit RGB (alpha dropped, EXIF orientation not applied: masks index raw pixels). */
export async function loadRgb(project: Project, hash: string): Promise<RgbImage> {
  const { data, info } = await sharp(mediaPath(project, hash))
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({
      resolveWithObject: true,
    })
  if (info.channels !== 3)
    throw new Error(`media ${hash}: expected 3 channels after decoding, got ${info.channels}`)
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  }
}
