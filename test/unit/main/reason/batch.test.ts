import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runReasonBatch, type BatchProgress } from '../../../../src/main/reason/batch'
import { getTemplate } from '../../../../src/main/reason/store'
import type { EndpointSettings } from '../../../../src/main/reason/client'
import { createRun, upsertPrediction } from '../../../../src/main/store/runs'
import { boxFillSegmenter, makeReasonProject } from '../../../fixtures/reasonProject'
import { startFakeVlmServer, type FakeServer, type RecordedRequest } from './fakeVlmServer'

// Six samples q0..q5; the server answers each by its query. On the wide image (420×210) the answer box
// [200,200,400,400] maps to [100,50,200,100] (x·0.5, y·0.25), exactly q0's GT → IoU 1 with the box-fill
// segmenter; on the square image (300×300, factor 300/840) it maps to [71,71,143,143].
const ANSWER = '<think>ok</think><answer>[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]</answer>'

let fx: ReturnType<typeof makeReasonProject>
let server: FakeServer
let failing = new Set<string>()
let endpoint: EndpointSettings

const queryOf = (r: RecordedRequest) =>
  /Please find "([^"]+)"/.exec(
    (r.json as { messages: { content: { text?: string }[] }[] }).messages[0].content[1].text ?? '',
  )?.[1]

beforeAll(async () => {
  fx = makeReasonProject(
    Array.from({ length: 6 }, (_, i) => ({
      image: i < 3 ? ('wide' as const) : ('square' as const),
      gt: [100, 50, 200, 100] as [number, number, number, number],
      query: `q${i}`,
    })),
  )
  server = await startFakeVlmServer(async (req) => {
    await new Promise((r) => setTimeout(r, 40))
    return failing.has(queryOf(req) ?? '')
      ? { kind: 'status', status: 503 }
      : { kind: 'completion', text: ANSWER }
  })
  endpoint = {
    name: 'local',
    baseUrl: server.baseUrl,
    model: 'vr-7b',
    temperature: 0,
    maxTokens: 512,
    timeoutMs: 5000,
  }
})
afterAll(async () => {
  await server.close()
  fx.project.close()
})

const stored = (runId: number) =>
  fx.project.db
    .prepare(
      'SELECT sample_id, raw_output, iou, mask_rle IS NULL AS no_mask FROM predictions WHERE run_id = ? ORDER BY sample_id',
    )
    .all(runId) as {
    sample_id: number
    raw_output: string
    iou: number
    no_mask: number
  }[]

describe('runReasonBatch', () => {
  it('asks with bounded concurrency, stores each answer, reports failures, and resumes only what is missing', async () => {
    failing = new Set(['q4'])
    server.requests.length = 0
    const progress: BatchProgress[] = []
    const base = {
      source: { datasetId: fx.datasetId },
      outRunName: 'reasked',
      endpoint,
      template: getTemplate(fx.project.db, 'visionreasoner'),
      apiKey: null,
      segmenter: boxFillSegmenter(),
      concurrency: 3,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    }
    const first = await runReasonBatch(fx.project, { ...base, onProgress: (p) => progress.push(p) })
    expect(first).toMatchObject({
      total: 6,
      done: 6,
      failed: 1,
      skipped: 0,
      parseErrors: 0,
      cancelled: false,
    })
    expect(first.errors).toEqual([
      expect.stringMatching(new RegExp(`^sample ${fx.sampleIds[4]}: .*HTTP 503`)),
    ])
    expect(server.maxConcurrent).toBeLessThanOrEqual(3)
    expect(server.maxConcurrent).toBeGreaterThan(1)
    expect(progress.at(-1)).toMatchObject({ done: 6, total: 6, failed: 1 })
    const rows = stored(first.runId)
    expect(rows.map((r) => r.sample_id)).toEqual(fx.sampleIds.filter((_, i) => i !== 4))
    expect(rows.every((r) => r.raw_output === ANSWER)).toBe(true)
    expect(rows[0].iou).toBe(1)

    failing = new Set()
    server.requests.length = 0
    const second = await runReasonBatch(fx.project, base)
    expect(second).toMatchObject({ runId: first.runId, total: 1, done: 1, failed: 0, skipped: 5 })
    expect(server.requests.map(queryOf)).toEqual(['q4'])
    expect(stored(first.runId)).toHaveLength(6)
  })

  it('stops on cancel, keeps what finished, and a rerun completes the rest', async () => {
    failing = new Set()
    const ctl = new AbortController()
    const base = {
      source: { datasetId: fx.datasetId },
      outRunName: 'cancelled',
      endpoint,
      template: getTemplate(fx.project.db, 'visionreasoner'),
      apiKey: null,
      segmenter: null,
      concurrency: 1,
    }
    const r = await runReasonBatch(fx.project, {
      ...base,
      signal: ctl.signal,
      onProgress: (p) => p.done === 2 && ctl.abort(),
    })
    expect(r.cancelled).toBe(true)
    expect(stored(r.runId)).toHaveLength(2)
    const rest = await runReasonBatch(fx.project, base)
    expect(rest).toMatchObject({ skipped: 2, done: 4, failed: 0 })
    const rows = stored(r.runId)
    expect(rows).toHaveLength(6)
    // without an engine: prompts kept, no mask, scored as an empty prediction
    expect(rows.every((x) => x.no_mask === 1 && x.iou === 0)).toBe(true)
  })

  it('stops at once on a configuration error (e.g. a model the server does not serve)', async () => {
    const bad = await startFakeVlmServer(() => ({
      kind: 'status',
      status: 404,
      body: 'The model `vr-8b` does not exist.',
    }))
    try {
      await expect(
        runReasonBatch(fx.project, {
          source: { datasetId: fx.datasetId },
          outRunName: 'wrong-model',
          endpoint: { ...endpoint, baseUrl: bad.baseUrl, model: 'vr-8b' },
          template: getTemplate(fx.project.db, 'visionreasoner'),
          apiKey: null,
          segmenter: null,
          concurrency: 2,
        }),
      ).rejects.toThrow(/HTTP 404.*does not exist/)
      expect(bad.requests.length).toBeLessThanOrEqual(2)
      expect(
        fx.project.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE name = 'wrong-model'").get(),
      ).toEqual({ n: 0 })
    } finally {
      await bad.close()
    }
  })

  it('takes the samples of a run, records it as parent, honours --limit, and refuses a mismatched resume', async () => {
    const db = fx.project.db
    const from = createRun(db, { datasetId: fx.datasetId, name: 'orig', kind: 'imported' })
    for (const id of [fx.sampleIds[5], fx.sampleIds[1], fx.sampleIds[2]]) {
      upsertPrediction(db, { runId: from, sampleId: id, intersection: 0, union: 1, iou: 0 })
    }
    const opts = {
      source: { runId: from },
      outRunName: 'from-orig',
      endpoint,
      template: getTemplate(db, 'segzero'),
      apiKey: null,
      segmenter: null,
      concurrency: 2,
      limit: 2,
    }
    const r = await runReasonBatch(fx.project, opts)
    expect(stored(r.runId).map((x) => x.sample_id)).toEqual([fx.sampleIds[1], fx.sampleIds[2]])
    expect(db.prepare('SELECT parent_run_id, kind, model FROM runs WHERE id = ?').get(r.runId)).toEqual({
      parent_run_id: from,
      kind: 'reasoned',
      model: 'vr-7b',
    })
    await expect(
      runReasonBatch(fx.project, { ...opts, template: getTemplate(db, 'visionreasoner') }),
    ).rejects.toThrow(/already exists.*choose another --out-run/)
  })
})
