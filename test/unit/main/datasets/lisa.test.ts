/**
 * LISA folder import. Expected rasters are derived by hand from what `cv2.polylines(thickness 1)` +
 * `cv2.fillPoly` draw for integer vertices (Bresenham edges, inclusive), as LISA's get_mask_from_json does.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { importDataset } from '../../../../src/main/datasets/importDataset'
import { lisaMasks, parseLisaJson } from '../../../../src/main/datasets/lisa'
import { openProject } from '../../../../src/main/store/project'
import { area, countsFromString, decodeRowMajor, type Rle } from '../../../../src/shared/domain/rle'
import { pngOfSize } from '../../../fixtures/duckdbParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-lisa-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const W = 8
const H = 6
const picture = (rle: Rle): string[] => {
  const d = decodeRowMajor(rle)
  return Array.from({ length: rle.h }, (_, y) =>
    Array.from(d.subarray(y * rle.w, (y + 1) * rle.w), (v) => (v ? '#' : '.')).join(''),
  )
}
const ann = (shapes: { label: string; points: number[][] }[], text = ['q']) =>
  parseLisaJson(Buffer.from(JSON.stringify({ text, is_sentence: true, shapes })), 'x.json')

describe('LISA polygons', () => {
  it('fills a rectangle including its outline; float vertices are truncated like np.int32', async () => {
    const exact = await lisaMasks(
      ann([
        {
          label: 'target',
          points: [
            [1, 1],
            [5, 1],
            [5, 3],
            [1, 3],
          ],
        },
      ]),
      W,
      H,
    )
    const floats = await lisaMasks(
      ann([
        {
          label: 'target',
          points: [
            [1.9, 1.2],
            [5.7, 1.9],
            [5.2, 3.99],
            [1.1, 3.5],
          ],
        },
      ]),
      W,
      H,
    )
    const expected = ['........', '.#####..', '.#####..', '.#####..', '........', '........']
    expect(picture(exact.gt)).toEqual(expected)
    expect(picture(floats.gt)).toEqual(expected)
    expect(area(exact.gt)).toBe(15)
    expect(exact.ignore).toBeNull()
  })

  it('draws a triangle edge the way Bresenham does', async () => {
    // Edge (6,1)-(1,4): x-major, y = 1 + (6 - x) * 3/5 rounded -> (5,2) (4,2) (3,3) (2,3) (1,4).
    const { gt } = await lisaMasks(
      ann([
        {
          label: 't',
          points: [
            [1, 1],
            [6, 1],
            [1, 4],
          ],
        },
      ]),
      W,
      H,
    )
    expect(picture(gt)).toEqual(['........', '.######.', '.#####..', '.###....', '.#......', '........'])
  })

  it('skips "flag" shapes, paints largest first, and keeps ignore regions apart', async () => {
    const a = ann([
      {
        label: 'flag',
        points: [
          [0, 0],
          [7, 0],
          [7, 5],
          [0, 5],
        ],
      },
      // target 5x3 = 15 px, ignore 4x4 = 16 px: the ignore region is painted first, the target over it.
      {
        label: 'target',
        points: [
          [1, 1],
          [5, 1],
          [5, 3],
          [1, 3],
        ],
      },
      {
        label: 'Ignore_reflection',
        points: [
          [4, 2],
          [7, 2],
          [7, 5],
          [4, 5],
        ],
      },
    ])
    const { gt, ignore } = await lisaMasks(a, W, H)
    expect(picture(gt)).toEqual(['........', '.#####..', '.#####..', '.#####..', '........', '........'])
    expect(picture(ignore as Rle)).toEqual([
      '........',
      '........',
      '......##',
      '......##',
      '....####',
      '....####',
    ])
  })

  it('lets a smaller ignore region win over a larger target', async () => {
    const { gt, ignore } = await lisaMasks(
      ann([
        {
          label: 'target',
          points: [
            [0, 0],
            [7, 0],
            [7, 5],
            [0, 5],
          ],
        },
        {
          label: 'ignore',
          points: [
            [2, 2],
            [3, 2],
            [3, 3],
            [2, 3],
          ],
        },
      ]),
      W,
      H,
    )
    expect(area(gt)).toBe(48 - 4)
    expect(area(ignore as Rle)).toBe(4)
  })
})

describe('LISA folder import', () => {
  it('imports one sample per (image, query) with is_sentence and the ignore mask', async () => {
    const dir = path.join(tmp, 'val')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'cat_1.png'), await pngOfSize(W, H))
    fs.writeFileSync(
      path.join(dir, 'cat_1.json'),
      JSON.stringify({
        text: ['what keeps the room warm?', 'the heater'],
        is_sentence: true,
        shapes: [
          {
            label: 'target',
            points: [
              [1, 1],
              [5, 1],
              [5, 3],
              [1, 3],
            ],
            shape_type: 'polygon',
          },
          {
            label: 'ignore',
            points: [
              [6, 4],
              [7, 4],
              [7, 5],
              [6, 5],
            ],
            shape_type: 'polygon',
          },
        ],
      }),
    )
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an annotation')
    const project = openProject(path.join(tmp, 'p'), { create: true })
    const r = await importDataset(project, dir)
    expect(r).toMatchObject({ format: 'lisa', samples: 2, images: 1, name: 'val' })
    const rows = project.db
      .prepare(
        'SELECT image_id, ann_id, query, is_sentence, gt_area, gt_rle, ignore_rle FROM samples ORDER BY ann_id',
      )
      .all() as {
      image_id: string
      ann_id: string
      query: string
      is_sentence: number
      gt_area: number
      gt_rle: string
      ignore_rle: string
    }[]
    expect(rows.map((x) => [x.image_id, x.ann_id, x.query, x.is_sentence, x.gt_area])).toEqual([
      ['cat_1', '0', 'what keeps the room warm?', 1, 15],
      ['cat_1', '1', 'the heater', 1, 15],
    ])
    expect(area({ h: H, w: W, counts: countsFromString(rows[0].ignore_rle) })).toBe(4)
    project.close()
  })

  it('refuses a non-boolean is_sentence and points millions of pixels away', () => {
    const bad = (o: object) => () => parseLisaJson(Buffer.from(JSON.stringify(o)), 'x.json')
    expect(bad({ text: ['q'], is_sentence: {}, shapes: [] })).toThrow(
      /x\.json: 'is_sentence' must be true or false/,
    )
    expect(
      bad({
        text: ['q'],
        shapes: [
          {
            label: 't',
            points: [
              [1, 1],
              [1e308, 2],
              [3, 3],
            ],
          },
        ],
      }),
    ).toThrow(/x\.json: shapes\[0\]\.points\[1\] = \[1e\+308, 2\] is far outside any image/)
  })

  it('names the file for a malformed annotation', async () => {
    const dir = path.join(tmp, 'bad')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'a.png'), await pngOfSize(4, 4))
    fs.writeFileSync(
      path.join(dir, 'a.json'),
      JSON.stringify({ text: ['q'], shapes: [{ label: 'x', points: [[1]] }] }),
    )
    const project = openProject(path.join(tmp, 'p-bad'), { create: true })
    await expect(importDataset(project, dir, { format: 'lisa' })).rejects.toThrow(
      /a\.json: shapes\[0\]\.points\[0\] is not an \[x, y\] pair/,
    )
    project.close()
  })
})
