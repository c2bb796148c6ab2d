/** COCO-style import: polygons (pycocotools rasterization), uncompressed and compressed RLE, queries. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { rleFromPolygon } from '../../../../src/main/datasets/cocoPolygon'
import { importDataset } from '../../../../src/main/datasets/importDataset'
import { openProject } from '../../../../src/main/store/project'
import { countsToString, decodeRowMajor, encodeRowMajor } from '../../../../src/shared/domain/rle'
import { pngOfSize } from '../../../fixtures/duckdbParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-coco-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('pycocotools polygon rasterization', () => {
  it('covers the pixels whose centres lie inside an axis-aligned rectangle', () => {
    // [2,7] x [1,4]: pixel centres x + 0.5 in (2, 7) -> columns 2..6, rows 1..3: 15 pixels (= polygon area).
    const r = rleFromPolygon([2, 1, 7, 1, 7, 4, 2, 4], 6, 9)
    const d = decodeRowMajor(r)
    const rows = Array.from({ length: 6 }, (_, y) => Array.from(d.subarray(y * 9, y * 9 + 9)).join(''))
    expect(rows).toEqual(['000000000', '001111100', '001111100', '001111100', '000000000', '000000000'])
    // column-major: 2 empty columns (12) + 1 row, then 5 columns of [3 on, 3 off], ending after column 6.
    expect(Array.from(r.counts)).toEqual([13, 3, 3, 3, 3, 3, 3, 3, 3, 3, 14])
  })
})

describe('COCO import', () => {
  it('imports polygons, RLE lists and RLE strings with caption / sentences / category queries', async () => {
    const dir = path.join(tmp, 'coco')
    fs.mkdirSync(path.join(dir, 'images'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'images', 'a.png'), await pngOfSize(9, 6))
    fs.writeFileSync(path.join(dir, 'images', 'b.png'), await pngOfSize(3, 2))
    // b: hand mask [[1,0,1],[1,1,0]] -> column-major 1,1, 0,1, 1,0 -> runs 0,2,1,2,1
    const bMask = [1, 0, 1, 1, 1, 0]
    const doc = {
      images: [
        { id: 1, file_name: 'a.png', width: 9, height: 6 },
        { id: 2, file_name: 'b.png', width: 3, height: 2 },
      ],
      categories: [{ id: 7, name: 'lamp' }],
      annotations: [
        {
          id: 10,
          image_id: 1,
          category_id: 7,
          segmentation: [[2, 1, 7, 1, 7, 4, 2, 4]],
          caption: 'what gives light?',
        },
        {
          id: 11,
          image_id: 1,
          category_id: 7,
          segmentation: [
            [0, 0, 2, 0, 2, 2, 0, 2],
            [5, 4, 7, 4, 7, 6, 5, 6],
          ],
        },
        {
          id: 20,
          image_id: 2,
          category_id: 7,
          segmentation: { size: [2, 3], counts: [0, 2, 1, 2, 1] },
          sentences: [{ sent: 'left' }, 'right'],
        },
        {
          id: 21,
          image_id: 2,
          segmentation: { size: [2, 3], counts: countsToString([0, 2, 1, 2, 1]) },
          sentence: 'again',
        },
      ],
    }
    fs.writeFileSync(path.join(dir, 'instances.json'), JSON.stringify(doc))
    const project = openProject(path.join(tmp, 'p'), { create: true })
    const r = await importDataset(project, dir)
    expect(r).toMatchObject({ format: 'coco', samples: 5, images: 2 })
    const rows = project.db
      .prepare('SELECT image_id, ann_id, query, gt_area, gt_rle FROM samples ORDER BY id')
      .all() as {
      image_id: string
      ann_id: string
      query: string
      gt_area: number
      gt_rle: string
    }[]
    expect(rows.map((x) => [x.image_id, x.ann_id, x.query, x.gt_area])).toEqual([
      ['1', '10', 'what gives light?', 15],
      // two 2x2 squares, unioned
      ['1', '11', 'lamp', 8],
      ['2', '20:0', 'left', 4],
      ['2', '20:1', 'right', 4],
      ['2', '21', 'again', 4],
    ])
    expect(rows[2].gt_rle).toBe(countsToString(encodeRowMajor(bMask, 2, 3).counts))
    expect(rows[4].gt_rle).toBe(rows[2].gt_rle)
    project.close()
  })

  it('names the annotation when its RLE does not fit the image', async () => {
    const dir = path.join(tmp, 'coco-bad')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'a.png'), await pngOfSize(3, 2))
    const doc = {
      images: [{ id: 1, file_name: 'a.png', width: 3, height: 2 }],
      annotations: [{ id: 5, image_id: 1, segmentation: { size: [2, 3], counts: [0, 2, 1] }, caption: 'x' }],
    }
    fs.writeFileSync(path.join(dir, 'instances.json'), JSON.stringify(doc))
    const project = openProject(path.join(tmp, 'p-bad'), { create: true })
    await expect(importDataset(project, path.join(dir, 'instances.json'))).rejects.toThrow(
      /instances\.json: annotations\[0\]: RLE runs cover 3 pixels but size 2x3 has 6/,
    )
    project.close()
  })
})

describe('COCO instances JSON of the wrong shape', () => {
  it.each([
    [
      { images: [{ id: 1, file_name: 'a.png', width: 'wide', height: 6 }], annotations: [] },
      /images\[0\]\.width: /,
    ],
    [
      { images: [{ id: 1, file_name: 'a.png', width: 1e9, height: 6 }], annotations: [] },
      /images\[0\]\.width: Too big/,
    ],
    [{ images: [], annotations: [null] }, /annotations\[0\]: /],
    [
      { images: [{ id: [[[1]]], file_name: 'a.png', width: 9, height: 6 }], annotations: [] },
      /images\[0\]\.id: /,
    ],
    [{ images: [], annotations: [], categories: 'lamp' }, /categories: /],
  ])('names the file and the field at fault (%#)', async (doc, field) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'shape-'))
    fs.writeFileSync(path.join(dir, 'instances.json'), JSON.stringify(doc))
    const p = openProject(path.join(dir, 'p'), { create: true })
    try {
      const err = (await importDataset(p, dir, { format: 'coco' }).catch((e: unknown) => e)) as Error
      expect(err.message).toContain(
        `${path.join(dir, 'instances.json')}: not a COCO instances JSON as expected: `,
      )
      expect(err.message).toMatch(field)
    } finally {
      p.close()
    }
  })
})
