import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { saveEndpoint } from '../../../../src/main/reason/store'
import type { Job } from '../../../../src/shared/contract/events'
import type { RolloutAnalysisDto, RolloutGroupDto } from '../../../../src/shared/contract/rollouts'
import { makeReasonProject } from '../../../fixtures/reasonProject'
import { startFakeVlmServer, type FakeServer, type RecordedRequest } from '../reason/fakeVlmServer'

// Hand-derived GT of the fixture rect (see test/unit/main/rollouts/runner.test.ts): reward 7 for PERFECT,
// 6 for CLOSE, 1 for NO_TAGS; the same three answers for every sample.
const PERFECT =
  '<think>Found it.</think><answer>[{"bbox_2d": [200, 200, 398, 396], "point_2d": [248, 296]}]</answer>'
const CLOSE = '<think>Near.</think><answer>[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]</answer>'
const NO_TAGS = 'I cannot tell.'

let fx: ReturnType<typeof makeReasonProject>
let ctx: ReturnType<typeof createApiContext>
let dispatch: Dispatch
let server: FakeServer
const jobs: Job[] = []

async function call<T = unknown>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(method, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

async function waitJob(id: string): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const j = jobs.filter((x) => x.id === id).at(-1)
    if (j && j.status !== 'running') return j
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('job did not finish')
}

beforeAll(async () => {
  fx = makeReasonProject([
    { image: 'wide', gt: [100, 50, 200, 100], query: 'q0' },
    { image: 'wide', gt: [100, 50, 200, 100], query: 'q1' },
  ])
  server = await startFakeVlmServer((r: RecordedRequest) => {
    const n = (r.json as { n?: number }).n ?? 1
    return { kind: 'choices', texts: [PERFECT, CLOSE, NO_TAGS].slice(0, n) }
  })
  saveEndpoint(fx.project.db, {
    name: 'live',
    baseUrl: server.baseUrl,
    model: 'vr',
    temperature: 0,
    maxTokens: 64,
    timeoutMs: 5000,
  })
  ctx = createApiContext(fx.project)
  ctx.onEvent((e) => e.type === 'job' && jobs.push(e.job))
  dispatch = createDispatcher(ctx)
})
afterAll(async () => {
  await ctx.dispose()
  await server.close()
  fx.project.close()
})

describe('rollouts API', () => {
  it('starts a rollout job, then serves the group, the analysis and the list filters', async () => {
    const { jobId } = await call<{ jobId: string }>('startRollouts', {
      datasetId: fx.datasetId,
      endpoints: ['live'],
      k: 3,
      outRun: 'ro',
      pick: 'best-reward',
    })
    const job = await waitJob(jobId)
    expect(job.status).toBe('done')
    expect(job.message).toMatch(/2 groups complete/)
    const runId = (fx.project.db.prepare("SELECT id FROM runs WHERE name = 'ro'").get() as { id: number }).id

    const g = await call<RolloutGroupDto>('getRolloutGroup', { runId, sampleId: fx.sampleIds[0] })
    expect(g).toMatchObject({
      k: 3,
      reward: 'visionreasoner',
      rewardMax: 7,
      gtSource: 'derived',
      complete: true,
    })
    expect(g.rollouts.map((r) => r.reward)).toEqual([7, 6, 1])
    expect(g.rollouts[0].reasoning).toBe('Found it.')
    expect(g.rollouts[1].objects).toEqual([
      { box: [100, 50, 200, 100], points: [{ x: 150, y: 75, label: 1 }] },
    ])
    expect(g.rollouts[2].mask?.size).toEqual([210, 420])

    const a = await call<RolloutAnalysisDto>('analyzeRollouts', { runId })
    expect(a).toMatchObject({ groups: 2, k: 3, zeroVarianceGroups: 0 })
    expect(a.html).toContain('<svg')
    expect(a.html).toContain('derived GT prompts')

    expect(await call('rolloutFilterSamples', { runId, filter: 'format-failure' })).toEqual({
      sampleIds: fx.sampleIds,
    })
    expect(await call('rolloutFilterSamples', { runId, filter: 'zero-variance' })).toEqual({ sampleIds: [] })
    expect(
      await call('getRolloutGroup', { runId: fx.sampleIds.length + 100, sampleId: 1 }).catch(
        (e: { code: string }) => e.code,
      ),
    ).toBe('not_found')
  }, 60_000)

  it('rejects a payload with both sources or no endpoint', async () => {
    const both = await dispatch('startRollouts', {
      datasetId: 1,
      fromRunId: 1,
      endpoints: ['live'],
      outRun: 'x',
    })
    expect(both).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const none = await dispatch('startRollouts', { datasetId: 1, endpoints: [], outRun: 'x' })
    expect(none).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})
