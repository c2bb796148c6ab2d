/** getRunMetrics through the dispatcher, with the payload validated as a host would. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { importRun } from '../../../../src/main/runs/importRun'
import type { Project } from '../../../../src/main/store/project'
import { makeRunProject, tempDir } from '../../../fixtures/runProject'

let project: Project
let dispatch: Dispatch
let runId: number
let dir: string
beforeAll(async () => {
  project = makeRunProject([
    { imageId: 'a', annId: '1', rows: ['##', '..'] },
    { imageId: 'b', annId: '1', rows: ['..', '..'] },
  ])
  dir = tempDir('reseg-api-metrics-')
  const file = path.join(dir, 'r.jsonl')
  // a: prediction = left column → I = 1, U = 3. b: not predicted, empty GT → U = 0.
  fs.writeFileSync(
    file,
    JSON.stringify({ image_id: 'a', ann_id: '1', mask: { size: [2, 2], counts: [0, 2, 2] } }),
  )
  runId = (await importRun(project, { path: file, name: 'r' })).runId
  dispatch = createDispatcher(createApiContext(project))
})
afterAll(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('getRunMetrics', () => {
  it('returns gIoU, cIoU and per-sample rows (Seg-Zero convention by default)', async () => {
    const r = await dispatch('getRunMetrics', { runId })
    expect(r).toEqual({
      ok: true,
      value: {
        runId,
        run: 'r',
        convention: 'segzero',
        n: 2,
        missing: 1,
        notSegmented: 0,
        gIoU: 1 / 6,
        cIoU: 1 / 3,
        samples: [
          {
            sampleId: 1,
            imageId: 'a',
            annId: '1',
            intersection: 1,
            union: 3,
            iou: 1 / 3,
            missing: false,
            notSegmented: false,
          },
          {
            sampleId: 2,
            imageId: 'b',
            annId: '1',
            intersection: 0,
            union: 0,
            iou: 0,
            missing: true,
            notSegmented: false,
          },
        ],
        gt: {
          gt: 'original',
          excludeFlagged: false,
          corrected: 0,
          notApplicable: 0,
          excluded: 0,
          statement: 'Ground truth: original (as imported).',
        },
      },
    })
  })

  it('LISA convention counts the empty union as 1', async () => {
    const r = await dispatch('getRunMetrics', { runId, convention: 'lisa' })
    expect(r.ok && (r.value as { samples: { iou: number }[] }).samples[1].iou).toBe(1)
  })

  it('rejects bad payloads and unknown runs', async () => {
    expect(await dispatch('getRunMetrics', { runId: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    })
    expect(await dispatch('getRunMetrics', { runId, convention: 'coco' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    })
    expect(await dispatch('getRunMetrics', { runId: 999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })
})
