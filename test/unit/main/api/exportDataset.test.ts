/** exportDataset through the dispatcher: payload validation, quick refusals, the job and its outcome. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import type { Project } from '../../../../src/main/store/project'
import type { Job } from '../../../../src/shared/contract/events'
import { makeExportProject, shapeSamples } from '../../../fixtures/exportProject'
import { tempDir } from '../../../fixtures/runProject'

let project: Project
let tmp: string
let ctx: ReturnType<typeof createApiContext>
let dispatch: Dispatch

beforeAll(async () => {
  project = await makeExportProject(shapeSamples())
  tmp = tempDir('reseg-api-export-')
  ctx = createApiContext(project)
  dispatch = createDispatcher(ctx)
})
afterAll(async () => {
  await ctx.dispose()
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

function nextFinishedJob(): Promise<Job> {
  return new Promise((resolve) => {
    const off = ctx.onEvent((e) => {
      if (e.type === 'job' && e.job.status !== 'running') {
        off()
        resolve(e.job)
      }
    })
  })
}

describe('exportDataset API', () => {
  it('runs the export as a job and reports where it wrote', async () => {
    const out = path.join(tmp, 'hf')
    const finished = nextFinishedJob()
    const r = await dispatch('exportDataset', { dataset: 'rs', format: 'hf-parquet', out })
    expect(r.ok).toBe(true)
    expect(await finished).toMatchObject({
      status: 'done',
      done: 10,
      message: `exported 10 samples (original GT) to ${out}`,
    })
    expect(fs.readdirSync(path.join(out, 'data'))).toEqual(['val-00000-of-00001.parquet'])
  })

  it('refuses a non-empty folder and an unknown dataset before starting a job', async () => {
    const out = path.join(tmp, 'busy')
    fs.mkdirSync(out)
    fs.writeFileSync(path.join(out, 'x'), '')
    const busy = await dispatch('exportDataset', { dataset: 'rs', format: 'coco', out })
    expect(busy).toMatchObject({ ok: false, error: { code: 'conflict' } })
    if (!busy.ok) expect(busy.error.message).toContain('--force')
    const unknown = await dispatch('exportDataset', {
      dataset: 'zz',
      format: 'coco',
      out: path.join(tmp, 'n'),
    })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('validates the payload against the contract', async () => {
    const r = await dispatch('exportDataset', { dataset: 'rs', format: 'csv', out: path.join(tmp, 'c') })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const extra = await dispatch('exportDataset', { dataset: 'rs', format: 'coco', out: 'o', evil: 1 })
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})
