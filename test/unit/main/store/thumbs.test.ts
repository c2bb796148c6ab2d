import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { getThumbnails, THUMB_SIZE } from '../../../../src/main/store/thumbs'
import { recordPromptEdit, undoPromptEdit } from '../../../../src/main/store/edits'
import { mediaPath } from '../../../../src/main/store/media'
import { encodeRowMajor } from '../../../../src/shared/domain/rle'
import { createBrowseProject, type BrowseProject } from '../../../fixtures/browseProject'

let dir: string
let bp: BrowseProject
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-thumbs-'))
  bp = await createBrowseProject(dir, { samples: 8, seed: 2 })
})
afterAll(() => {
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function pixels(hash: string) {
  const { data, info } = await sharp(mediaPath(bp.project, hash)).raw().toBuffer({ resolveWithObject: true })
  return {
    at: (x: number, y: number) =>
      Array.from(
        data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3),
      ),
    info,
  }
}

it('renders the prediction filled and the GT outlined, once per (sample, run)', async () => {
  const s = bp.specs.find((x) => x.a && !x.a.parseError && x.width === 240)!
  const [t] = await getThumbnails(bp.project, bp.runA, [s.id])
  const { at, info } = await pixels(t.hash)
  // 240×180 shrinks to 192×144: a factor of 0.8 both ways.
  expect([info.width, info.height]).toEqual([THUMB_SIZE, 144])
  const f = 0.8
  // Nearest-neighbour: thumbnail column x samples source column floor((x + 0.5) / f), so the GT's first
  // column is the smallest x with (x + 0.5) / f >= x0.
  const gtLeft = Math.ceil(s.gt.x0 * f - 0.5)
  const midY = Math.round(((s.gt.y0 + s.gt.y1) / 2) * f)
  expect(at(gtLeft, midY)).toEqual([255, 214, 10])
  // Far outside both rectangles the plain thumbnail (image shrunk by sharp) is unchanged.
  const plain = await sharp(
    mediaPath(
      bp.project,
      bp.project.db.prepare('SELECT media_hash FROM samples WHERE id = ?').pluck().get(s.id) as string,
    ),
  )
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside' })
    .removeAlpha()
    .raw()
    .toBuffer()
  // A thumbnail pixel whose source pixel lies in the prediction, two pixels clear of the GT outline.
  const r = s.a!.rect
  const src = (v: number) => Math.floor((v + 0.5) / f)
  const inRect = (x: number, y: number, q: typeof r, m: number) =>
    x >= q.x0 + m && x < q.x1 - m && y >= q.y0 + m && y < q.y1 - m
  let probe: { x: number; y: number } | null = null
  for (let y = 0; y < info.height && !probe; y++)
    for (let x = 0; x < info.width && !probe; x++) {
      const sx = src(x)
      const sy = src(y)
      const nearGtEdge = inRect(sx, sy, s.gt, -3) && !inRect(sx, sy, s.gt, 3)
      if (inRect(sx, sy, r, 0) && !nearGtEdge) probe = { x, y }
    }
  expect(probe).not.toBeNull()
  const o = (probe!.y * THUMB_SIZE + probe!.x) * 3
  const want = [0, 1, 2].map((c) => Math.round(plain[o + c] * 0.55 + [255, 62, 165][c] * 0.45))
  at(probe!.x, probe!.y).forEach((v, c) => expect(Math.abs(v - want[c])).toBeLessThanOrEqual(1))
  // And one outside both: the plain thumbnail.
  const ox = s.gt.x0 > 30 && r.x0 > 30 ? 2 : info.width - 3
  expect(inRect(src(ox), src(2), r, -3) || inRect(src(ox), src(2), s.gt, -3)).toBe(false)
  expect(at(ox, 2)).toEqual(
    Array.from(plain.subarray((2 * THUMB_SIZE + ox) * 3, (2 * THUMB_SIZE + ox) * 3 + 3)),
  )
  const media = () => bp.project.db.prepare('SELECT COUNT(*) FROM media').pluck().get()
  const before = media()
  const again = await getThumbnails(bp.project, bp.runA, [s.id, 999999])
  expect(again).toEqual([{ sampleId: s.id, hash: t.hash, edited: false }])
  expect(media()).toBe(before)
  const gtOnly = await getThumbnails(bp.project, null, [s.id])
  expect(gtOnly[0].hash).not.toBe(t.hash)
})

it('does not keep the thumbnail of a sample the run has no prediction for yet', async () => {
  const s = bp.specs[0]
  const db = bp.project.db
  const runC = Number(
    db.prepare("INSERT INTO runs (dataset_id, name, kind) VALUES (?, 'run-c', 'segmented')").run(bp.datasetId)
      .lastInsertRowid,
  )
  // No prediction: the same picture (and so the same content hash) as the GT-only thumbnail.
  const [gtOnly] = await getThumbnails(bp.project, null, [s.id])
  const [before] = await getThumbnails(bp.project, runC, [s.id])
  expect(before.hash).toBe(gtOnly.hash)
  // The job then writes run-b's mask for this sample: the thumbnail must become run-b's picture.
  db.prepare(
    `INSERT INTO predictions (run_id, sample_id, mask_rle, intersection, union_px, iou)
     SELECT ?, sample_id, mask_rle, intersection, union_px, iou FROM predictions WHERE run_id = ? AND sample_id = ?`,
  ).run(runC, bp.runB, s.id)
  const [withB] = await getThumbnails(bp.project, bp.runB, [s.id])
  expect(withB.hash).not.toBe(gtOnly.hash)
  const [after] = await getThumbnails(bp.project, runC, [s.id])
  expect(after.hash).toBe(withB.hash)
})

it('shows the current prompt edit (with the edited flag), follows undo, and is regenerated only when that changes', async () => {
  const s = bp.specs.find((x) => x.a && !x.a.parseError && x.width === 240)!
  const db = bp.project.db
  const [orig] = await getThumbnails(bp.project, bp.runA, [s.id])
  // An edit whose mask is the whole image: every thumbnail pixel is tinted (or GT outline).
  const full = encodeRowMajor(new Uint8Array(s.width * s.height).fill(1), s.height, s.width)
  const editId = recordPromptEdit(db, {
    runId: bp.runA,
    sampleId: s.id,
    prompts: [{ box: [0, 0, s.width, s.height], points: [] }],
    mask: full,
    intersection: 0,
    union: 0,
    iou: 0,
  })
  const [edited] = await getThumbnails(bp.project, bp.runA, [s.id])
  expect(edited.edited).toBe(true)
  expect(edited.hash).not.toBe(orig.hash)
  const row = db
    .prepare('SELECT source_key FROM thumbnails WHERE sample_id = ? AND run_id = ?')
    .pluck()
    .get(s.id, bp.runA)
  expect(row).toBe(`edit:${editId}`)
  const { at } = await pixels(edited.hash)
  // The corner is outside the GT and the run's prediction: tinted now, so not the plain image.
  const [plainCorner] = [(await pixels(orig.hash)).at(1, 1)]
  expect(at(1, 1)).not.toEqual(plainCorner)
  // Same state again: cached.
  expect((await getThumbnails(bp.project, bp.runA, [s.id]))[0].hash).toBe(edited.hash)
  // Undo back to the model's own prediction: the original thumbnail again.
  undoPromptEdit(db, bp.runA, s.id)
  expect(await getThumbnails(bp.project, bp.runA, [s.id])).toEqual([
    { sampleId: s.id, hash: orig.hash, edited: false },
  ])
})
