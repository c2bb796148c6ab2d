/** Dataset import into a project: stored RLE and areas, image dedupe, HF layout, errors leave no trace. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { importDataset } from '../../../../src/main/datasets/importDataset'
import { openProject, type Project } from '../../../../src/main/store/project'
import { countsToString, encodeRowMajor } from '../../../../src/shared/domain/rle'
import { pngOfSize, writeWithDuckdb, type HandRow } from '../../../fixtures/duckdbParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-import-ds-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const grid = (rows: string[]): number[][] => rows.map((r) => [...r].map((c) => (c === '#' ? 1 : 0)))

let projects = 0
function freshProject(): Project {
  return openProject(path.join(tmp, `p${projects++}`), { create: true })
}

function snapshot(p: Project) {
  const count = (t: string) => (p.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n
  return {
    datasets: count('datasets'),
    samples: count('samples'),
    media: count('media'),
    files: fs.readdirSync(p.mediaDir).sort(),
  }
}

const HOLE = grid(['#####', '#...#', '#.#.#', '#...#', '#####'])
const TWO = grid(['##....', '##..##', '....##'])

describe('ReasonSeg parquet import', () => {
  it('stores pycocotools RLE and areas of the hand masks, and each shared image once', async () => {
    const shared = await pngOfSize(5, 5, 40)
    const rows: HandRow[] = [
      { imageId: 'a', annId: '1', text: 'the frame', mask: HOLE, image: shared },
      { imageId: 'a', annId: '2', text: 'the same frame again', mask: HOLE, image: shared },
      { imageId: 'b', annId: '1', text: 'two blocks', mask: TWO },
    ]
    const file = path.join(tmp, 'test-00000-of-00001.parquet')
    await writeWithDuckdb(file, rows)
    const p = freshProject()
    const r = await importDataset(p, file)
    expect(r).toMatchObject({
      format: 'hf-parquet',
      split: 'test',
      samples: 3,
      images: 2,
      name: 'test-00000-of-00001',
    })
    const stored = p.db
      .prepare(
        'SELECT image_id, ann_id, width, height, gt_rle, gt_area, media_hash FROM samples ORDER BY image_id, ann_id',
      )
      .all() as {
      image_id: string
      ann_id: string
      width: number
      height: number
      gt_rle: string
      gt_area: number
      media_hash: string
    }[]
    const expectRle = (m: number[][]) =>
      countsToString(encodeRowMajor(m.flat(), m.length, m[0].length).counts)
    expect(stored.map((s) => [s.image_id, s.ann_id, s.width, s.height, s.gt_rle, s.gt_area])).toEqual([
      ['a', '1', 5, 5, expectRle(HOLE), 17],
      ['a', '2', 5, 5, expectRle(HOLE), 17],
      ['b', '1', 6, 3, expectRle(TWO), 8],
    ])
    expect(stored[0].media_hash).toBe(stored[1].media_hash)
    expect(snapshot(p).media).toBe(2)
    expect(snapshot(p).files).toHaveLength(2)
    p.close()
  })

  it('reads a folder in Hugging Face layout, one split at a time', async () => {
    const dir = path.join(tmp, 'hf-layout')
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true })
    await writeWithDuckdb(path.join(dir, 'data', 'test-00000-of-00002.parquet'), [
      { imageId: 't0', annId: '0', text: 'q', mask: TWO },
    ])
    await writeWithDuckdb(path.join(dir, 'data', 'test-00001-of-00002.parquet'), [
      { imageId: 't1', annId: '0', text: 'q', mask: HOLE },
    ])
    await writeWithDuckdb(path.join(dir, 'data', 'val-00000-of-00001.parquet'), [
      { imageId: 'v0', annId: '0', text: 'q', mask: TWO },
    ])
    const p = freshProject()
    await expect(importDataset(p, dir)).rejects.toThrow(
      /several splits \(test, val\); choose one with --split/,
    )
    const r = await importDataset(p, dir, { split: 'test', name: 'ReasonSeg-test' })
    expect(r).toMatchObject({ samples: 2, split: 'test', name: 'ReasonSeg-test' })
    const ids = p.db.prepare('SELECT image_id FROM samples ORDER BY id').all() as { image_id: string }[]
    expect(ids.map((x) => x.image_id)).toEqual(['t0', 't1'])
    await expect(importDataset(p, dir, { split: 'test', name: 'ReasonSeg-test' })).rejects.toThrow(
      /already exists/,
    )
    p.close()
  })

  it('rejects a mask whose size differs from the decoded image, naming file, row, image_id and shapes; nothing is kept', async () => {
    const file = path.join(tmp, 'decoded-mismatch.parquet')
    await writeWithDuckdb(file, [
      { imageId: 'fine', annId: '0', text: 'q', mask: TWO },
      // mask and img_height/img_width agree (3x6), but the JPEG/PNG itself is 4x6
      { imageId: 'img_77', annId: '0', text: 'q', mask: TWO, image: await pngOfSize(6, 4) },
    ])
    const p = freshProject()
    const before = snapshot(p)
    await expect(importDataset(p, file)).rejects.toThrow(
      /decoded-mismatch\.parquet: row \d \(image_id img_77\): mask is 3x6 \(h x w\) but the image decodes to 4x6/,
    )
    expect(snapshot(p)).toEqual(before)
    p.close()
  })

  it('rejects a truncated file with a clear message and leaves the project unchanged', async () => {
    const file = path.join(tmp, 'full.parquet')
    await writeWithDuckdb(file, [{ imageId: 'x', annId: '0', text: 'q', mask: HOLE }])
    const cut = path.join(tmp, 'truncated.parquet')
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, 300))
    const p = freshProject()
    await importDataset(p, file, { name: 'kept' })
    const before = snapshot(p)
    await expect(importDataset(p, cut)).rejects.toThrow(/truncated\.parquet: .*truncated or corrupt/)
    expect(snapshot(p)).toEqual(before)
    p.close()
  })
})
