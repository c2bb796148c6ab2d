/** The datasets methods through the dispatcher, payloads validated as a host would. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { openProject, type Project } from '../../../../src/main/store/project'
import type { Job } from '../../../../src/shared/contract/events'
import { writeWithDuckdb } from '../../../fixtures/duckdbParquet'

let dir: string
let project: Project
let ctx: ReturnType<typeof createApiContext>
let dispatch: Dispatch

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-api-datasets-'))
  project = openProject(path.join(dir, 'p'), { create: true })
  ctx = createApiContext(project)
  dispatch = createDispatcher(ctx)
})
afterAll(async () => {
  await ctx.dispose()
  project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('datasets API', () => {
  it('imports as a background job, then lists the dataset with its counts', async () => {
    const file = path.join(dir, 'test-00000-of-00001.parquet')
    const shared = { imageId: 'same', text: 'q' }
    await writeWithDuckdb(file, [
      { ...shared, annId: '1', mask: [[1, 0]] },
      { ...shared, annId: '2', mask: [[0, 1]] },
    ])
    const finished = new Promise<Job>((resolve) => {
      ctx.onEvent((e) => {
        if (e.type === 'job' && e.job.status !== 'running') resolve(e.job)
      })
    })
    const started = await dispatch('importDataset', { source: file, name: 'rs' })
    expect(started.ok).toBe(true)
    const job = await finished
    expect(job).toMatchObject({ status: 'done', message: "dataset 'rs': 2 samples, 1 images" })
    const list = await dispatch('listDatasets', {})
    expect(list.ok && list.value).toEqual([
      expect.objectContaining({
        name: 'rs',
        format: 'hf-parquet',
        split: 'test',
        samples: 2,
        images: 1,
        source: file,
      }),
    ])
  })

  it('imports a dataset folder dropped into imports/, then removes that upload (the images are in the project)', async () => {
    const folder = path.join(project.dir, 'imports', 'rs-drop')
    fs.mkdirSync(path.join(folder, 'data'), { recursive: true })
    await writeWithDuckdb(path.join(folder, 'data', 'test-00000-of-00001.parquet'), [
      { imageId: 'up', text: 'q', annId: '1', mask: [[1, 1]] },
    ])
    const finished = new Promise<Job>((resolve) => {
      ctx.onEvent((e) => {
        if (e.type === 'job' && e.job.status !== 'running') resolve(e.job)
      })
    })
    expect((await dispatch('importDataset', { source: folder, name: 'dropped' })).ok).toBe(true)
    expect(await finished).toMatchObject({
      status: 'done',
      message: "dataset 'dropped': 1 samples, 1 images; removed the uploaded copy rs-drop from imports/",
    })
    expect(fs.readdirSync(path.join(project.dir, 'imports'))).toEqual([])
    const img = await dispatch('listDatasets', {})
    expect(img.ok && img.value).toContainEqual(expect.objectContaining({ name: 'dropped', samples: 1 }))
  })

  it("opens the job's own connection with the project's sqlite binary (the desktop app's Electron build)", async () => {
    const missing = path.join(dir, 'no-such-binding.node')
    const desktop = createApiContext({ ...project, nativeBinding: missing })
    const finished = new Promise<Job>((resolve) =>
      desktop.onEvent((e) => {
        if (e.type === 'job' && e.job.status !== 'running') resolve(e.job)
      }),
    )
    await createDispatcher(desktop)('importDataset', { source: path.join(dir, 'none.parquet'), name: 'x' })
    expect(await finished).toMatchObject({ status: 'failed', message: expect.stringContaining(missing) })
    await desktop.dispose()
  })

  it('rejects an unknown format before starting a job', async () => {
    const r = await dispatch('importDataset', { source: 'x', format: 'csv' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('bad_request')
  })
})
