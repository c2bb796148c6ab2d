/**
 * Grid thumbnails: the image shrunk to fit THUMB_SIZE with the run's predicted mask filled and the GT
 * outlined, generated once per (sample, run, shown edit) with sharp and kept as content-addressed media
 * (so hosts serve them like any image); a sample whose current state is a prompt edit shows the edit. Masks are sampled nearest-neighbour at thumbnail resolution.
 */
import sharp from 'sharp'
import { decodeRowMajor, fromCoco } from '../../shared/domain/rle'
import { getEditState } from './edits'
import { mediaPath, putMedia } from './media'
import type { Project } from './project'

export const THUMB_SIZE = 192
const PRED: [number, number, number] = [255, 62, 165]
const GT: [number, number, number] = [255, 214, 10]
const ALPHA = 0.45

interface Source {
  id: number
  media_hash: string
  width: number
  height: number
  gt_rle: string
  mask_rle: string | null
  has_pred: number
}

/** Nearest-neighbour samples of a row-major mask at (tw, th). */
export function sampleMask(mask: Uint8Array, w: number, h: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th)
  for (let y = 0; y < th; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / th))
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / tw))
      out[y * tw + x] = mask[sy * w + sx]
    }
  }
  return out
}

async function renderThumb(project: Project, s: Source): Promise<string> {
  const { data, info } = await sharp(mediaPath(project, s.media_hash))
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const tw = info.width
  const th = info.height
  const ch = info.channels
  const gt = sampleMask(
    decodeRowMajor(fromCoco({ size: [s.height, s.width], counts: s.gt_rle })),
    s.width,
    s.height,
    tw,
    th,
  )
  const pred = s.mask_rle
    ? sampleMask(
        decodeRowMajor(fromCoco({ size: [s.height, s.width], counts: s.mask_rle })),
        s.width,
        s.height,
        tw,
        th,
      )
    : null
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const i = y * tw + x
      const o = i * ch
      if (pred && pred[i])
        for (let c = 0; c < 3; c++) data[o + c] = Math.round(data[o + c] * (1 - ALPHA) + PRED[c] * ALPHA)
      const edge =
        gt[i] &&
        (x === 0 ||
          y === 0 ||
          x === tw - 1 ||
          y === th - 1 ||
          !gt[i - 1] ||
          !gt[i + 1] ||
          !gt[i - tw] ||
          !gt[i + tw])
      if (edge) for (let c = 0; c < 3; c++) data[o + c] = GT[c]
    }
  }
  const png = await sharp(data, { raw: { width: tw, height: th, channels: ch as 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer()
  return putMedia(project, png, { ext: 'png', width: tw, height: th })
}

/**
 * What each sample's thumbnail shows for a run: the prompt edit now current (undo/redo aware) when there
 * is one — key 'edit:<id>' and its mask — else the run's own prediction (key '').
 */
function overlaySources(
  project: Project,
  runId: number | null,
  sampleIds: number[],
): Map<number, { key: string; mask?: string | null }> {
  // One query for the samples that have edits; the edit stack is read only for those.
  const edited =
    runId == null
      ? new Set<number>()
      : new Set(
          project.db
            .prepare(
              'SELECT DISTINCT sample_id FROM prompt_edits WHERE run_id = ? AND sample_id IN (SELECT value FROM json_each(?))',
            )
            .pluck()
            .all(runId, JSON.stringify(sampleIds)) as number[],
        )
  return new Map(
    sampleIds.map((id) => {
      const cur = runId != null && edited.has(id) ? getEditState(project.db, runId, id).current : null
      return [id, cur ? { key: `edit:${cur.id}`, mask: cur.mask?.counts ?? null } : { key: '' }]
    }),
  )
}

export async function getThumbnails(
  project: Project,
  runId: number | null,
  sampleIds: number[],
): Promise<{ sampleId: number; hash: string; edited: boolean }[]> {
  const db = project.db
  const wanted = overlaySources(project, runId, sampleIds)
  const have = new Map(
    (
      db
        .prepare(
          `SELECT sample_id, media_hash, source_key FROM thumbnails
           WHERE IFNULL(run_id, 0) = ? AND sample_id IN (SELECT value FROM json_each(?))`,
        )
        .all(runId ?? 0, JSON.stringify(sampleIds)) as {
        sample_id: number
        media_hash: string
        source_key: string
      }[]
    )
      // A thumbnail made before the latest edit (or before an undo) is stale.
      .filter((r) => wanted.get(r.sample_id)?.key === r.source_key)
      .map((r) => [r.sample_id, r.media_hash]),
  )
  const missing = sampleIds.filter((id) => !have.has(id))
  if (missing.length > 0) {
    const sources = db
      .prepare(
        `SELECT s.id, s.media_hash, s.width, s.height, s.gt_rle, p.mask_rle, p.sample_id IS NOT NULL AS has_pred
         FROM samples s
         LEFT JOIN predictions p ON p.run_id = ? AND p.sample_id = s.id
         WHERE s.id IN (SELECT value FROM json_each(?))`,
      )
      .all(runId ?? -1, JSON.stringify(missing)) as Source[]
    const insert = db.prepare(
      'INSERT OR REPLACE INTO thumbnails (sample_id, run_id, media_hash, source_key) VALUES (?, ?, ?, ?)',
    )
    for (const s of sources) {
      const src = wanted.get(s.id) ?? { key: '' }
      const hash = await renderThumb(project, src.key ? { ...s, mask_rle: src.mask ?? null } : s)
      // A run still being filled (a resumable segment or reason job) gains this sample's prediction later.
      if (runId == null || s.has_pred || src.key) insert.run(s.id, runId, hash, src.key)
      have.set(s.id, hash)
    }
  }
  return sampleIds
    .filter((id) => have.has(id))
    .map((id) => ({ sampleId: id, hash: have.get(id) as string, edited: (wanted.get(id)?.key ?? '') !== '' }))
}
