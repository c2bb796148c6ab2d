/**
 * importRun through the dispatcher, payloads validated as a host would: a good JSONL becomes a run with its
 * predictions, a bad line fails the job with file:line and leaves the project as it was.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import type { Project } from '../../../../src/main/store/project'
import type { Job } from '../../../../src/shared/contract/events'
import { makeRunProject, tempDir, type GridSample } from '../../../fixtures/runProject'

const SAMPLES: GridSample[] = [
  // 2x3, GT = left column (area 2).
  { imageId: 'img1', annId: '1', rows: ['#..', '#..'] },
  // 2x3, GT = bottom row (area 3).
  { imageId: 'img1', annId: '2', rows: ['...', '###'] },
  { imageId: 'img2', annId: '1', rows: ['##', '..'] },
]

// Column-major COCO counts, written out by hand: runs of 0s and 1s down each column in turn.
const LINE_1 = { image_id: 'img1', ann_id: '1', mask: { size: [2, 3], counts: [0, 2, 4] } } // left column
const LINE_2 = { image_id: 'img1', ann_id: '2', mask: { size: [2, 3], counts: [2, 2, 2] } } // middle column

let project: Project
let dir: string
let ctx: ReturnType<typeof createApiContext>
let dispatch: Dispatch

beforeEach(() => {
  project = makeRunProject(SAMPLES)
  dir = tempDir('reseg-api-runs-')
  ctx = createApiContext(project)
  dispatch = createDispatcher(ctx)
})
afterEach(async () => {
  await ctx.dispose()
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

function write(name: string, lines: string[]): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/** Starts an import and resolves with the job once it has finished. */
async function runImport(input: Record<string, unknown>): Promise<Job> {
  const finished = new Promise<Job>((resolve) =>
    ctx.onEvent((e) => {
      if (e.type === 'job' && e.job.status !== 'running') resolve(e.job)
    }),
  )
  const started = await dispatch('importRun', input)
  expect(started).toMatchObject({ ok: true, value: { jobId: expect.any(String) } })
  const job = await finished
  expect(job.id).toBe(started.ok && (started.value as { jobId: string }).jobId)
  return job
}

async function runs() {
  const info = await dispatch('getProjectInfo', {})
  if (!info.ok) throw new Error(info.error.message)
  return (info.value as { runs: { name: string; predictions: number }[] }).runs
}

describe('importRun', () => {
  it('imports a good JSONL as a job and the run appears with its prediction count', async () => {
    const file = write('good.jsonl', [JSON.stringify(LINE_1), JSON.stringify(LINE_2)])
    const job = await runImport({ path: file, name: 'mine', format: 'jsonl' })
    expect(job.status).toBe('done')
    expect(job.message).toMatch(/^run 'mine' on '[^']+': 2 predictions, 1 samples without one/)
    expect(await runs()).toEqual([expect.objectContaining({ name: 'mine', predictions: 2 })])
    // Prediction 1 is exactly the GT (IoU 1); prediction 2 is the middle column, one pixel of the bottom row.
    const ious = project.db
      .prepare('SELECT p.iou FROM predictions p JOIN samples s ON s.id = p.sample_id ORDER BY s.id')
      .pluck()
      .all()
    expect(ious).toEqual([1, 1 / 4])
  })

  it('fails the job on a bad line with file:line and leaves the project unchanged', async () => {
    const file = write('bad.jsonl', [
      JSON.stringify(LINE_1),
      '{"image_id": "img1", "ann_id": ',
      JSON.stringify(LINE_2),
    ])
    const job = await runImport({ path: file, name: 'broken' })
    expect(job.status).toBe('failed')
    expect(job.message).toContain(`${file}:2: `)
    expect(await runs()).toEqual([])
    expect(project.db.prepare('SELECT COUNT(*) FROM predictions').pluck().get()).toBe(0)
  })

  it('imports the good lines with skipBad and refuses a taken name unless replace is set', async () => {
    const file = write('bad.jsonl', [
      JSON.stringify(LINE_1),
      '{"image_id": "img1", "ann_id": ',
      JSON.stringify(LINE_2),
    ])
    const job = await runImport({ path: file, name: 'r', skipBad: true })
    expect(job.status).toBe('done')
    expect(job.message).toContain(`skipped 1 bad line (first: ${file}:2: `)
    const again = await runImport({ path: write('one.jsonl', [JSON.stringify(LINE_1)]), name: 'r' })
    expect(again).toMatchObject({ status: 'failed', message: expect.stringContaining('already exists') })
    const replaced = await runImport({
      path: write('one.jsonl', [JSON.stringify(LINE_1)]),
      name: 'r',
      replace: true,
    })
    expect(replaced.status).toBe('done')
    expect(await runs()).toEqual([expect.objectContaining({ name: 'r', predictions: 1 })])
  })

  it('removes an imported upload from imports/ (a file, or its whole dropped folder), and keeps one whose import failed', async () => {
    const staging = path.join(project.dir, 'imports')
    fs.mkdirSync(path.join(staging, 'drop', 'sub'), { recursive: true })
    const good = path.join(staging, 'good.jsonl')
    const bad = path.join(staging, 'bad.jsonl')
    const inFolder = path.join(staging, 'drop', 'sub', 'run.jsonl')
    fs.writeFileSync(good, JSON.stringify(LINE_1) + '\n')
    fs.writeFileSync(bad, '{"image_id": \n')
    fs.writeFileSync(inFolder, JSON.stringify(LINE_2) + '\n')
    fs.writeFileSync(path.join(staging, 'drop', 'other.png'), 'x')
    const outside = write('kept.jsonl', [JSON.stringify(LINE_1)])

    const a = await runImport({ path: good, name: 'a' })
    expect(a).toMatchObject({
      status: 'done',
      message: expect.stringMatching(/removed the uploaded copy good\.jsonl from imports\/$/),
    })
    expect(await runImport({ path: bad, name: 'b' })).toMatchObject({ status: 'failed' })
    expect(await runImport({ path: inFolder, name: 'c' })).toMatchObject({ status: 'done' })
    // A file outside the staging folder is the user's own: it stays, and the message does not mention one.
    const d = await runImport({ path: outside, name: 'd' })
    expect(d.message).not.toContain('removed')
    expect(fs.readdirSync(staging)).toEqual(['bad.jsonl'])
    expect(fs.existsSync(outside)).toBe(true)
  })

  it("opens the job's own connection with the project's sqlite binary (the desktop app's Electron build)", async () => {
    const file = write('good.jsonl', [JSON.stringify(LINE_1)])
    const missing = path.join(dir, 'no-such-binding.node')
    const desktop = createApiContext({ ...project, nativeBinding: missing })
    const finished = new Promise<Job>((resolve) =>
      desktop.onEvent((e) => {
        if (e.type === 'job' && e.job.status !== 'running') resolve(e.job)
      }),
    )
    await createDispatcher(desktop)('importRun', { path: file, name: 'mine' })
    expect(await finished).toMatchObject({ status: 'failed', message: expect.stringContaining(missing) })
    await desktop.dispose()
  })

  it('rejects a bad payload before starting a job', async () => {
    const r = await dispatch('importRun', { path: 'x.jsonl', name: 'r', format: 'csv' })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(ctx.jobs.list()).toEqual([])
  })
})
