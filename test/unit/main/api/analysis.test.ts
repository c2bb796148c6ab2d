/** The analysis methods through the dispatcher, payloads validated as a host would. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { createEngine, type Engine } from '../../../../src/main/engine/registry'
import type { Segmenter } from '../../../../src/main/engine/types'
import type { Job } from '../../../../src/shared/contract/events'
import {
  createAnalysisProject,
  rectCounts,
  rectMask,
  type AnalysisProject,
} from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string
let dispatch: Dispatch
let ctx: ReturnType<typeof createApiContext>
let engine: Engine

const boxFill: Segmenter = {
  info: { id: 'stub', label: 'box fill (test stub)', family: 'sam', isBaseline: false, provider: 'cpu' },
  async segment(_k, image, prompt) {
    const b = prompt.box!
    return { mask: rectMask([b[0], b[1], b[2], b[3]], image.width, image.height), score: 1 }
  },
  async dispose() {},
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-api-analysis-'))
  fx = await createAnalysisProject(path.join(dir, 'p'))
  ctx = createApiContext(fx.project)
  // The host's engine replaced by one whose only non-baseline model (so the default) fills the box.
  engine = createEngine({
    sources: [{ name: 'stub', list: () => [boxFill.info], create: async () => boxFill }],
  })
  Object.assign(ctx, { engine })
  dispatch = createDispatcher(ctx)
})
afterAll(async () => {
  await engine.dispose()
  await ctx.dispose()
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function value<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(method, input)
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`)
  return r.value as T
}

async function waitJob(jobId: string): Promise<Job> {
  for (let i = 0; i < 200; i++) {
    const job = (await value<Job[]>('listJobs', {})).find((j) => j.id === jobId)!
    if (job.status !== 'running') return job
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error('job did not finish')
}

describe('analysis API', () => {
  it('analyzeRun returns the closed-form headline numbers', async () => {
    const a = await value<{ n: number; gIoU: { value: number } }>('analyzeRun', { runId: fx.runA, seed: 4 })
    const ious = fx.samples.map((s) => rectCounts(s.a?.rect ?? null, s.gt).iou)
    expect(a.n).toBe(6)
    expect(a.gIoU.value).toBeCloseTo(ious.reduce((s, x) => s + x, 0) / 6, 12)
  })

  it('analysisSampleIds and input validation', async () => {
    const r = await value<{ sampleIds: number[] }>('analysisSampleIds', {
      runId: fx.runA,
      dimension: 'queryKind',
      key: 'sentence',
    })
    expect(r.sampleIds).toEqual([fx.sampleIds[1], fx.sampleIds[3]])
    const bad = await dispatch('analysisSampleIds', { runId: fx.runA, dimension: 'colour', key: 'x' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.code).toBe('bad_request')
    const missing = await dispatch('analyzeRun', { runId: 999 })
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('compareRuns', async () => {
    const c = await value<{ points: unknown[]; gIoUDiff: { value: number } }>('compareRuns', {
      runA: fx.runA,
      runB: fx.runB,
    })
    expect(c.points).toHaveLength(6)
  })

  it('stage attribution as a job with the host engine, relabel, tags', async () => {
    const { jobId, outRun } = await value<{ jobId: string; outRun: string }>('startStageAttribution', {
      runId: fx.runA,
    })
    expect(outRun).toBe('runA-oracle-gt-box')
    const job = await waitJob(jobId)
    expect([job.status, job.message]).toEqual(['done', expect.stringContaining('oracle')])
    const att = await value<{
      unattributed: number
      samples: { sampleId: number; label: string; oracleIou: number }[]
    }>('getStageAttribution', { runId: fx.runA })
    // Rectangle GTs: the box-fill oracle is perfect, so every failure is a localization failure. The sample
    // run A has no prediction for is not segmented by the batch oracle: unattributed.
    expect(att.unattributed).toBe(1)
    expect(att.samples.map((s) => s.sampleId)).toEqual(fx.sampleIds.filter((_, i) => i !== 2))
    expect(att.samples.map((s) => s.oracleIou)).toEqual([1, 1, 1, 1, 1])
    expect(att.samples.map((s) => s.label)).toEqual([
      'success',
      'localization',
      'localization',
      'success',
      'success',
    ])
    const relabel = await value<{ samples: { label: string }[] }>('attributeStages', {
      runId: fx.runA,
      successIou: 0.95,
    })
    expect(relabel.samples.map((s) => s.label)).toEqual([
      'success',
      'localization',
      'localization',
      'localization',
      'localization',
    ])
    const tags = await value<{ tags: { tag: string; count: number }[] }>('stageLabelsToTags', {
      runId: fx.runA,
    })
    expect(tags.tags).toEqual([
      { tag: 'stage: localization failure', count: 4 },
      { tag: 'stage: segmentation failure', count: 0 },
    ])
  })

  it('exportReport runs as a job and writes the file', async () => {
    const out = path.join(dir, 'r.csv')
    const { jobId } = await value<{ jobId: string }>('exportReport', {
      runId: fx.runA,
      compareRunId: fx.runB,
      format: 'csv',
      out,
    })
    const job = await waitJob(jobId)
    expect(job.status).toBe('done')
    expect(fs.readFileSync(out, 'utf8').trim().split('\r\n')).toHaveLength(7)
    const failed = await waitJob(
      (
        await value<{ jobId: string }>('exportReport', {
          runId: fx.runA,
          format: 'csv',
          out: '/nonexistent/dir/x.csv',
        })
      ).jobId,
    )
    expect(failed.status).toBe('failed')
    expect(failed.message).toMatch(/does not exist/)
  })
})
