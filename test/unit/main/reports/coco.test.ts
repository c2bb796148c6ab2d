/**
 * COCO results export: segmentation strings, bbox and area as pycocotools gives them (derived by hand
 * from maskApi.c in the comments), and canonical strings even when a producer stored zero-length runs.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportCoco } from '../../../../src/main/reports/coco'
import { importRun } from '../../../../src/main/runs/importRun'
import type { Project } from '../../../../src/main/store/project'
import { createRun, upsertPrediction } from '../../../../src/main/store/runs'
import { makeRunProject, tempDir } from '../../../fixtures/runProject'

let project: Project
let dir: string
beforeEach(() => {
  dir = tempDir('reseg-coco-')
  project = makeRunProject([
    { imageId: 'img1', annId: '1', rows: ['.....', '.#...', '.##..', '.....'] },
    { imageId: 'img1', annId: '2', rows: ['#####', '#####', '.....', '.....'] },
    { imageId: 'img2', annId: '1', rows: ['###', '#.#', '###'] },
  ])
})
afterEach(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('exportCoco', () => {
  it('writes pycocotools strings, toBbox and area; skips predictions without a mask', async () => {
    const jsonl = path.join(dir, 'run.jsonl')
    fs.writeFileSync(
      jsonl,
      [
        { image_id: 'img1', ann_id: '1', mask: { size: [4, 5], counts: [5, 2, 3, 1, 9] } },
        { image_id: 'img1', ann_id: '2', bbox: [0, 0, 5, 2] },
        { image_id: 'img2', ann_id: '1', mask: { size: [3, 3], counts: [0, 4, 1, 4] } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    )
    await importRun(project, { path: jsonl, name: 'r' })
    const out = path.join(dir, 'coco.json')
    expect(exportCoco(project, 'r', out)).toEqual({ written: 2, withoutMask: 1 })
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual([
      // runs 5,2,3,1,9 → "523O6"; foreground x 1..2, y 1..2.
      {
        image_id: 'img1',
        ann_id: '1',
        segmentation: { size: [4, 5], counts: '523O6' },
        bbox: [1, 1, 2, 2],
        area: 3,
      },
      // 3x3 border ring: runs 0,4,1,4 → "0410", last delta 4-4 = 0.
      {
        image_id: 'img2',
        ann_id: '1',
        segmentation: { size: [3, 3], counts: '0410' },
        bbox: [0, 0, 3, 3],
        area: 8,
      },
    ])
  })

  it('canonicalises masks another producer stored with empty runs', () => {
    const runId = createRun(project.db, { datasetId: 1, name: 'raw', kind: 'segmented' })
    const sampleId = (project.db.prepare("SELECT id FROM samples WHERE ann_id = '2'").get() as { id: number })
      .id
    // Zeros 0, ones 0, zeros 2, ones 0, zeros 3, ones 2, zeros 13: legal uncompressed RLE, not canonical.
    upsertPrediction(project.db, {
      runId,
      sampleId,
      mask: { h: 4, w: 5, counts: Uint32Array.of(0, 0, 2, 0, 3, 2, 13) },
      intersection: 0,
      union: 0,
      iou: 0,
    })
    const out = path.join(dir, 'coco.json')
    exportCoco(project, 'raw', out)
    // Merged runs: zeros 0+2 (+0 ones) +3 = 5, ones 2, zeros 13 → 5,2,13: '5','2', 13 → '='.
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))[0]).toMatchObject({
      segmentation: { size: [4, 5], counts: '52=' },
      bbox: [1, 1, 1, 2],
      area: 2,
    })
  })

  it('names an unknown run', () => {
    expect(() => exportCoco(project, 'nope', path.join(dir, 'x.json'))).toThrow(/no run named 'nope'/)
  })
})
