/** The plain folder format: images/, masks/*.png (non-zero = foreground), queries.jsonl. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { importDataset } from '../../../../src/main/datasets/importDataset'
import { openProject } from '../../../../src/main/store/project'
import { countsToString, encodeRowMajor } from '../../../../src/shared/domain/rle'
import { pngOfSize } from '../../../fixtures/duckdbParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-folder-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** A greyscale PNG from 0/255-style values given row by row. */
async function maskPng(rows: number[][], channels: 1 | 3 = 1): Promise<Buffer> {
  const h = rows.length
  const w = rows[0].length
  const raw = Buffer.alloc(w * h * channels)
  rows.flat().forEach((v, i) => {
    // In RGB, only the blue channel is set: any non-zero channel counts as foreground.
    raw[i * channels + channels - 1] = v
  })
  return sharp(raw, { raw: { width: w, height: h, channels } })
    .png()
    .toBuffer()
}

describe('plain folder import', () => {
  it('imports masks where any non-zero value is foreground', async () => {
    const dir = path.join(tmp, 'mine')
    fs.mkdirSync(path.join(dir, 'images'), { recursive: true })
    fs.mkdirSync(path.join(dir, 'masks'))
    fs.writeFileSync(path.join(dir, 'images', 'kitchen.png'), await pngOfSize(4, 3))
    const m1 = [
      [0, 255, 255, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 7],
    ]
    const m2 = [
      [9, 0, 0, 0],
      [9, 0, 0, 0],
      [0, 0, 0, 0],
    ]
    fs.writeFileSync(path.join(dir, 'masks', 'k1.png'), await maskPng(m1))
    fs.writeFileSync(path.join(dir, 'masks', 'k2.png'), await maskPng(m2, 3))
    fs.writeFileSync(
      path.join(dir, 'queries.jsonl'),
      [
        JSON.stringify({ image: 'kitchen.png', mask: 'k1.png', query: 'where do I cut bread?' }),
        '',
        JSON.stringify({
          image: 'images/kitchen.png',
          mask: 'masks/k2.png',
          query: 'the kettle',
          image_id: 'K',
          ann_id: 'x2',
        }),
      ].join('\n'),
    )
    const project = openProject(path.join(tmp, 'p'), { create: true })
    const r = await importDataset(project, dir)
    expect(r).toMatchObject({ format: 'folder', samples: 2, images: 1, name: 'mine' })
    const rows = project.db
      .prepare('SELECT image_id, ann_id, query, gt_area, gt_rle FROM samples ORDER BY id')
      .all() as {
      image_id: string
      ann_id: string
      query: string
      gt_area: number
      gt_rle: string
    }[]
    const rle = (m: number[][]) => countsToString(encodeRowMajor(m.flat(), 3, 4).counts)
    expect(rows).toEqual([
      { image_id: 'kitchen', ann_id: '1', query: 'where do I cut bread?', gt_area: 4, gt_rle: rle(m1) },
      { image_id: 'K', ann_id: 'x2', query: 'the kettle', gt_area: 2, gt_rle: rle(m2) },
    ])
    project.close()
  })

  it('reports file:line for a bad line and keeps nothing', async () => {
    const dir = path.join(tmp, 'bad')
    fs.mkdirSync(path.join(dir, 'images'), { recursive: true })
    fs.mkdirSync(path.join(dir, 'masks'))
    fs.writeFileSync(path.join(dir, 'images', 'a.png'), await pngOfSize(2, 2))
    fs.writeFileSync(
      path.join(dir, 'masks', 'a.png'),
      await maskPng([
        [1, 0],
        [0, 1],
      ]),
    )
    fs.writeFileSync(
      path.join(dir, 'queries.jsonl'),
      `${JSON.stringify({ image: 'a.png', mask: 'a.png', query: 'ok' })}\n${JSON.stringify({ image: 'a.png', mask: 'a.png' })}\n`,
    )
    const project = openProject(path.join(tmp, 'p-bad'), { create: true })
    await expect(importDataset(project, dir)).rejects.toThrow(
      /queries\.jsonl:2: 'query' \(a string\) is required/,
    )
    expect((project.db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n).toBe(0)
    expect(fs.readdirSync(project.mediaDir)).toEqual([])
    project.close()
  })
})
