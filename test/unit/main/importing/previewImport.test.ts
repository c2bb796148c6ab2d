/**
 * previewImport on a LISA folder (the polygon raster counted by hand: a rectangle with vertices (1,1)–(5,3)
 * fills its outline too, 5 x 3 = 15 pixels), and how reader messages are split into file, row and text.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { previewImport, problemOf } from '../../../../src/main/importing/previewImport'
import { openProject } from '../../../../src/main/store/project'
import { pngOfSize } from '../../../fixtures/duckdbParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-preview-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const RECT = {
  label: 'target',
  points: [
    [1, 1],
    [5, 1],
    [5, 3],
    [1, 3],
  ],
}

describe('previewImport (LISA)', () => {
  it('lists one row per query with the rasterized area, then names the file that does not parse', async () => {
    const dir = path.join(tmp, 'lisa')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'a.png'), await pngOfSize(8, 6))
    fs.writeFileSync(
      path.join(dir, 'a.json'),
      JSON.stringify({ text: ['the box', 'what is square here'], is_sentence: true, shapes: [RECT] }),
    )
    fs.writeFileSync(path.join(dir, 'b.png'), await pngOfSize(8, 6))
    fs.writeFileSync(path.join(dir, 'b.json'), '{"text": [')
    const project = openProject(path.join(tmp, 'p'), { create: true })
    try {
      const p = await previewImport(project, { kind: 'dataset', path: dir, format: 'auto' })
      const a = path.join(dir, 'a.json')
      expect(p).toMatchObject({ kind: 'dataset', format: 'lisa', total: null, suggestedName: 'lisa' })
      expect(p.rows).toEqual([
        {
          where: `${a}: text[0]`,
          imageId: 'a',
          annId: '0',
          query: 'the box',
          width: 8,
          height: 6,
          maskArea: 15,
        },
        {
          where: `${a}: text[1]`,
          imageId: 'a',
          annId: '1',
          query: 'what is square here',
          width: 8,
          height: 6,
          maskArea: 15,
        },
      ])
      expect(p.problems).toHaveLength(1)
      expect(p.problems[0]).toMatchObject({ file: path.join(dir, 'b.json'), row: null })
      expect(p.problems[0].message).toMatch(/^not valid JSON/)
    } finally {
      project.close()
    }
  })
})

describe('problemOf', () => {
  it.each([
    [
      '/d/x.parquet: row 7 (image_id img3): mask is 5x4',
      { file: '/d/x.parquet', row: 7, message: 'mask is 5x4' },
    ],
    ['/d/x.parquet: row 0: bad mask', { file: '/d/x.parquet', row: 0, message: 'bad mask' }],
    [
      '/r/run.jsonl:12: "image_id" is missing',
      { file: '/r/run.jsonl', row: 12, message: '"image_id" is missing' },
    ],
    ['/r/out: no output_*.json files', { file: '/r/out', row: null, message: 'no output_*.json files' }],
    ['the project has no dataset yet', { file: null, row: null, message: 'the project has no dataset yet' }],
  ])('%s', (text, want) => {
    expect(problemOf(new Error(text))).toEqual(want)
  })
})
