import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { contract, methodNames } from '../../../../src/shared/contract'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, handlers } from '../../../../src/main/api/index'
import { openProject } from '../../../../src/main/store/project'

describe('api dispatcher', () => {
  it('has exactly one handler per contract method', () => {
    expect(Object.keys(handlers).sort()).toEqual([...methodNames])
    for (const name of methodNames) {
      expect(contract[name].description.length).toBeGreaterThan(10)
    }
  })

  it('a payload of the wrong type is refused with the method and the field named', async () => {
    const project = openProject(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-api-bad-')), 'p'), {
      create: true,
    })
    const ctx = createApiContext(project)
    try {
      const r = await createDispatcher(ctx)('cancelJob', { jobId: [1, 2] })
      expect(r).toEqual({
        ok: false,
        error: {
          code: 'bad_request',
          message: 'invalid request to cancelJob: jobId: Invalid input: expected string, received array',
        },
      })
    } finally {
      await ctx.dispose()
      project.close()
      fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
    }
  })

  it('runs background jobs with progress events and cancellation', async () => {
    const project = openProject(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-api-')), { create: true })
    const ctx = createApiContext(project)
    const events: string[] = []
    ctx.onEvent((e) => e.type === 'job' && events.push(`${e.job.status}:${e.job.done}`))
    const dispatch = createDispatcher(ctx)
    const id = ctx.jobs.start('wait for cancel', (job) => {
      job.progress(1, 10)
      return new Promise((_resolve, reject) =>
        job.signal.addEventListener('abort', () => reject(new Error('stopped'))),
      )
    })
    const listed = await dispatch('listJobs', {})
    expect(listed).toMatchObject({ ok: true, value: [{ id, status: 'running', total: 10 }] })
    expect(await dispatch('cancelJob', { jobId: id })).toEqual({ ok: true, value: { cancelled: true } })
    await new Promise((r) => setTimeout(r, 10))
    expect(events[0]).toBe('running:0')
    expect(events[events.length - 1]).toBe('cancelled:1')
    expect(await dispatch('cancelJob', { jobId: id })).toEqual({ ok: true, value: { cancelled: false } })
    project.close()
  })
})
