import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EndpointPool } from '../../../../src/main/rollouts/pool'
import { runRollouts, type Pick } from '../../../../src/main/rollouts/runner'
import { getGroup, listRollouts } from '../../../../src/main/rollouts/store'
import { getTemplate } from '../../../../src/main/reason/store'
import type { EndpointSettings } from '../../../../src/main/reason/client'
import { boxFillSegmenter, makeReasonProject } from '../../../fixtures/reasonProject'
import {
  startFakeVlmServer,
  type Behaviour,
  type FakeServer,
  type RecordedRequest,
} from '../reason/fakeVlmServer'

// Every sample is on the wide image (420×210) with GT [100,50)…[200,100) (half-open). Seg-Zero's data prep
// gives, by hand: inclusive box [100,50,199,99] → 840 space (×2, ×4, +0.5, int) [200,200,398,396]; the
// deepest pixel (EDT 25, first in row-major order) is (124,74) → [248,296].
const GT = '[{"bbox_2d": [200, 200, 398, 396], "point_2d": [248, 296]}]'
// Reward 7: both formats, 3 hits, no repeat.
const PERFECT = `<think>Found it.</think><answer>${GT}</answer>`
// Box [200,200,400,400]: IoU 39203/40401 > 0.5 and L1 1.5 < 10, point (300,300) is 52 px away: 2 + 1 + 2 + 1 = 6.
const CLOSE = '<think>Near.</think><answer>[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]</answer>'
// No tags at all: only the non-repeat term: 1.
const NO_TAGS = 'I cannot tell.'
// VisionReasoner maps [200,200,400,400] back with ×0.5, ×0.25: [100,50,200,100] = the GT rect (box fill: IoU 1).

let fx: ReturnType<typeof makeReasonProject>
let honourN = true
let maxChoices = 99
let broken = false
let greedyBroken = false
let a: FakeServer
let b: FakeServer
const texts = [PERFECT, CLOSE, NO_TAGS, CLOSE]

const wantN = (r: RecordedRequest) => ((r.json as { n?: number }).n ?? 1) as number

function respond(r: RecordedRequest): Behaviour {
  if (broken) return { kind: 'status', status: 200, body: 'this is not json' }
  if (greedyBroken && (r.json as { temperature?: number }).temperature === 0)
    return { kind: 'status', status: 400 }
  const n = honourN ? Math.min(wantN(r), maxChoices) : 1
  // Which rollouts are missing is not visible to the server; it answers the last n of the fixed list.
  return {
    kind: 'choices',
    texts: texts.slice(texts.length - n),
    usage: { prompt_tokens: 10, completion_tokens: 5 },
  }
}

const settings = (name: string, baseUrl: string): EndpointSettings => ({
  name,
  baseUrl,
  model: 'vr',
  temperature: 1,
  maxTokens: 256,
  timeoutMs: 5000,
})

beforeAll(async () => {
  fx = makeReasonProject(
    Array.from({ length: 3 }, (_, i) => ({
      image: 'wide' as const,
      gt: [100, 50, 200, 100] as [number, number, number, number],
      query: `q${i}`,
    })),
  )
  a = await startFakeVlmServer((r) => respond(r))
  b = await startFakeVlmServer(() => ({ kind: 'status', status: 503 }))
})
afterAll(async () => {
  await a.close()
  await b.close()
  fx.project.close()
})

function run(name: string, pool: EndpointPool, pick: Pick = 'first', k = 4, concurrency = 2) {
  return runRollouts(fx.project, {
    source: { datasetId: fx.datasetId },
    outRunName: name,
    pool,
    model: 'vr',
    k,
    temperature: 1,
    template: getTemplate(fx.project.db, 'visionreasoner'),
    reward: 'visionreasoner',
    pick,
    segmenter: boxFillSegmenter(),
    concurrency,
  })
}

const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 }

describe('runRollouts', () => {
  it('uses n where honoured, scores every term against derived GT, and stores the GRPO advantages', async () => {
    honourN = true
    maxChoices = 99
    a.requests.length = 0
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const s = await run('r-n', pool, 'best-reward')
    expect(s).toMatchObject({ total: 3, completeGroups: 3, rolloutErrors: 0, derivedGt: 3 })
    expect(a.requests.length).toBe(3)
    expect(a.requests.map(wantN)).toEqual([4, 4, 4])
    const sid = fx.sampleIds[0]
    const group = getGroup(fx.project.db, s.runId, sid)
    expect(group).toMatchObject({ gt_source: 'derived', gt_solution: GT, complete: 1 })
    const rows = listRollouts(fx.project.db, s.runId, sid)
    expect(rows.map((r) => r.reward)).toEqual([7, 6, 1, 6])
    expect(JSON.parse(rows[1].terms_json ?? '{}')).toEqual({
      thinkingFormat: 1,
      segmentationFormat: 2,
      accuracy: 2,
      nonRepeat: 1,
    })
    // mean 5, unbiased std sqrt((4+1+16+1)/3) = sqrt(22/3); advantage (r - 5)/(std + 1e-6).
    const std = Math.sqrt(22 / 3)
    expect(group?.reward_mean).toBe(5)
    expect(group?.reward_std).toBeCloseTo(std, 12)
    rows.forEach((r) => expect(r.advantage).toBeCloseTo(((r.reward as number) - 5) / (std + 1e-6), 12))
    // Box fill of the mapped answer box = the GT rect: IoU 1 for CLOSE; NO_TAGS is an empty mask.
    expect(rows.map((r) => r.iou)).toEqual([expect.any(Number), 1, 0, 1])
    // n > 1: the server reports usage for all choices together, so no per-rollout token count.
    expect(rows[0].completion_tokens).toBeNull()
    // best-reward pick: rollout 0 (reward 7) becomes the sample's prediction.
    const pred = fx.project.db
      .prepare('SELECT raw_output FROM predictions WHERE run_id = ? AND sample_id = ?')
      .get(s.runId, sid) as { raw_output: string }
    expect(pred.raw_output).toBe(PERFECT)
  })

  it('falls back to one request per rollout when the server ignores n, and tops up short replies', async () => {
    honourN = false
    a.requests.length = 0
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const s = await run('r-single', pool)
    expect(s.completeGroups).toBe(3)
    // The first requests (one per worker, sent before any answer) ask n=4 and learn; the rest ask for one.
    expect(a.requests.length).toBe(12)
    expect(a.requests.filter((r) => wantN(r) > 1).length).toBe(2)
    const rows = listRollouts(fx.project.db, s.runId, fx.sampleIds[1])
    expect(rows.every((r) => r.raw_text === CLOSE && r.completion_tokens === 5)).toBe(true)

    honourN = true
    maxChoices = 3
    a.requests.length = 0
    const pool2 = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const s2 = await run('r-short', pool2)
    expect(s2.completeGroups).toBe(3)
    // 3 choices, then a top-up asking n=1.
    expect(a.requests.map(wantN).sort()).toEqual([1, 1, 1, 4, 4, 4])
  })

  it('records a per-rollout error for garbage replies and completes the groups on resume, asking nothing twice', async () => {
    honourN = true
    maxChoices = 99
    broken = true
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const s = await run('r-resume', pool)
    expect(s).toMatchObject({ completeGroups: 0, rolloutErrors: 12 })
    const rows = listRollouts(fx.project.db, s.runId, fx.sampleIds[0])
    expect(rows).toHaveLength(4)
    expect(rows[0].error).toMatch(/not JSON/)
    broken = false
    a.requests.length = 0
    const again = await run('r-resume', pool)
    expect(again).toMatchObject({ completeGroups: 3, rolloutErrors: 0, skipped: 0 })
    expect(a.requests.length).toBe(3)
    a.requests.length = 0
    const third = await run('r-resume', pool)
    expect(third).toMatchObject({ total: 0, skipped: 3 })
    expect(a.requests.length).toBe(0)
  })

  it('skips a dying endpoint and finishes with the others', async () => {
    honourN = true
    b.requests.length = 0
    a.requests.length = 0
    const pool = new EndpointPool(
      [
        { settings: settings('dead', b.baseUrl), apiKey: null },
        { settings: settings('a', a.baseUrl), apiKey: null },
      ],
      { retry, cooldownMs: 60_000 },
    )
    const s = await run('r-pool', pool)
    expect(s).toMatchObject({ completeGroups: 3, rolloutErrors: 0 })
    // Benched after its first failure (2 attempts), never asked again.
    expect(b.requests.length).toBe(2)
    expect(pool.stats().find((x) => x.name === 'dead')?.failures).toBe(1)
  })

  it('recovers from a truncated reply and finishes when an endpoint dies mid-run', async () => {
    let served = 0
    const dying = await startFakeVlmServer((r) => {
      served++
      // The first reply is cut half-way (retried by the client); after 2 replies the server drops everything.
      if (served === 1) return { kind: 'truncated', text: PERFECT }
      if (served > 2) return { kind: 'drop' }
      return respond(r)
    })
    try {
      honourN = true
      // Two choices per reply: each group needs two requests, so the dying server is asked after it died.
      maxChoices = 2
      a.requests.length = 0
      const pool = new EndpointPool(
        [
          { settings: settings('dying', dying.baseUrl), apiKey: null },
          { settings: settings('a', a.baseUrl), apiKey: null },
        ],
        { retry, cooldownMs: 60_000 },
      )
      // One worker: ties go to the first endpoint, so 'dying' is asked until it fails, deterministically.
      const s = await run('r-dying', pool, 'first', 4, 1)
      expect(s).toMatchObject({ completeGroups: 3, rolloutErrors: 0 })
      const stats = pool.stats()
      expect(stats.find((x) => x.name === 'dying')?.failures).toBe(1)
      for (const id of fx.sampleIds)
        expect(listRollouts(fx.project.db, s.runId, id).map((r) => r.reward)).toEqual([1, 6, 1, 6])
    } finally {
      await dying.close()
    }
  })

  it('asks a separate greedy answer at temperature 0 for --pick greedy', async () => {
    honourN = true
    maxChoices = 99
    a.requests.length = 0
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const s = await run('r-greedy', pool, 'greedy')
    expect(s.completeGroups).toBe(3)
    const temps = a.requests.map((r) => [(r.json as { temperature: number }).temperature, wantN(r)])
    expect(temps.filter(([t]) => t === 0)).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ])
    expect(temps.filter(([t]) => t === 1)).toHaveLength(3)
    // The greedy reply is the last text of the list (n = 1): CLOSE, whose mapped box is the GT rect (IoU 1).
    const pred = fx.project.db
      .prepare('SELECT raw_output, iou FROM predictions WHERE run_id = ? AND sample_id = ?')
      .get(s.runId, fx.sampleIds[0])
    expect(pred).toEqual({ raw_output: CLOSE, iou: 1 })
  })

  it('stops on cancel keeping what is finished, and the next run completes the rest', async () => {
    honourN = true
    maxChoices = 99
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const abort = new AbortController()
    const base = {
      source: { datasetId: fx.datasetId },
      outRunName: 'r-cancel',
      pool,
      model: 'vr',
      k: 4,
      temperature: 1,
      template: getTemplate(fx.project.db, 'visionreasoner'),
      reward: 'visionreasoner' as const,
      pick: 'first' as const,
      segmenter: boxFillSegmenter(),
      concurrency: 1,
    }
    const first = await runRollouts(fx.project, {
      ...base,
      signal: abort.signal,
      onProgress: (p) => p.done >= 1 && abort.abort(),
    })
    expect(first).toMatchObject({ cancelled: true, completeGroups: 1 })
    a.requests.length = 0
    const rest = await runRollouts(fx.project, base)
    expect(rest).toMatchObject({ cancelled: false, skipped: 1, completeGroups: 2 })
    expect(a.requests.length).toBe(2)
  })

  it('writes a greedy prediction that failed last time on resume, without asking the group again', async () => {
    honourN = true
    maxChoices = 99
    greedyBroken = true
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    const first = await run('r-greedy-fail', pool, 'greedy')
    expect(first.errors).toHaveLength(3)
    const preds = () =>
      fx.project.db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE run_id = ?').get(first.runId) as {
        n: number
      }
    expect(preds().n).toBe(0)
    greedyBroken = false
    a.requests.length = 0
    await run('r-greedy-fail', pool, 'greedy')
    expect(preds().n).toBe(3)
    // Only the three greedy answers were asked.
    expect(a.requests.map((r) => (r.json as { temperature: number }).temperature)).toEqual([0, 0, 0])
  })

  it('refuses to resume a run made with other settings', async () => {
    const pool = new EndpointPool([{ settings: settings('a', a.baseUrl), apiKey: null }], { retry })
    await expect(run('r-n', pool, 'first', 8)).rejects.toThrow(/k=8/)
  })
})
