/**
 * Rollout bench (`npx tsx bench/rollouts.bench.ts`):
 * 1. Scoring 10,000 generated rollouts with the VisionReasoner reward (target < 1 s), and the first release's;
 *    baseline: the independent NumPy/SciPy implementation of the tests on the same answers (python3 wall
 *    time, process start included).
 * 2. Segmentation cost of a rollout run: encoder runs of the tiny ONNX SAM model for S samples × K = 8
 *    rollouts (target: S encoder runs, not S × K), with the decoder-run count beside it.
 * 3. Endpoint pool throughput with two fake servers of different speeds (4 slots each, 50 ms and 150 ms per
 *    answer): each alone, then both in one pool (target ≥ 90 % of the sum of their solo rates).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOnnxSegmenter } from '../src/main/engine/onnx/segmenter'
import { getTemplate } from '../src/main/reason/store'
import { EndpointPool } from '../src/main/rollouts/pool'
import { runRollouts } from '../src/main/rollouts/runner'
import { segZeroV1Score } from '../src/shared/domain/rewards/segZeroV1'
import { visionReasonerScore } from '../src/shared/domain/rewards/visionReasoner'
import { answerCorpus, gtSolution } from '../test/fixtures/rolloutAnswers'
import { tinyInstalledModel } from '../test/fixtures/onnxModels'
import { makeReasonProject } from '../test/fixtures/reasonProject'
import { hasScipy, pythonRewards } from '../test/unit/shared/domain/rewards/pythonReference'
import { startFakeVlmServer, type Behaviour } from '../test/unit/main/reason/fakeVlmServer'

const root = mkdtempSync(join(tmpdir(), 'reseg-rollouts-bench-'))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function scoring(): void {
  const corpus = answerCorpus(4242, 10_000).map((c) => ({ p: c.predict, g: gtSolution(c.gt) }))
  const v1gt = '<box>(100,100),(300,300)</box><points>(150,150),(250,250)</points>'
  // First pass in a fresh process (module JIT cold), then the steady state after a warm-up on other answers.
  const warm = answerCorpus(999, 10_000).map((c) => ({ p: c.predict, g: gtSolution(c.gt) }))
  const tc = performance.now()
  let sum = 0
  for (const c of warm) sum += visionReasonerScore(c.p, c.g).total
  const cold = performance.now() - tc
  const t0 = performance.now()
  for (const c of corpus) sum += visionReasonerScore(c.p, c.g).total
  const vr = performance.now() - t0
  const t1 = performance.now()
  for (const c of corpus) sum += segZeroV1Score(c.p, v1gt).total
  const v1 = performance.now() - t1
  console.log('1. scoring 10,000 generated rollouts (malformed, multi-object, >120 objects, repeats …):')
  console.log(
    `   VisionReasoner reward: ${vr.toFixed(0)} ms warm (target < 1000 ms; first pass in a fresh process, JIT cold: ${cold.toFixed(0)} ms); first-release reward: ${v1.toFixed(0)} ms (checksum ${sum.toFixed(2)})`,
  )
  if (hasScipy()) {
    const t = performance.now()
    pythonRewards(corpus.map((c) => ({ kind: 'vr' as const, p: c.p, g: c.g })))
    console.log(
      `   baseline: NumPy/SciPy reference implementation, same answers: ${(performance.now() - t).toFixed(0)} ms (python3 wall time)`,
    )
  }
}

async function encoderRuns(): Promise<void> {
  const S = 6
  const K = 8
  const fx = makeReasonProject(
    Array.from({ length: S }, (_, i) => ({
      image: i % 2 ? ('wide' as const) : ('square' as const),
      gt: [20, 20, 120, 90] as [number, number, number, number],
      query: `q${i}`,
    })),
  )
  const model = tinyInstalledModel(join(root, 'sam'), 'sam', { id: 'bench-sam', label: 'bench' })
  // Room for one embedding only (a tiny model's is ~1 MB): samples alternate between the two images, so the
  // cache cannot carry an embedding from one sample to the next and the count shows the per-sample cost.
  const seg = await createOnnxSegmenter(model, { provider: 'cpu', memoryBudgetBytes: 6_000_000 })
  const texts = Array.from(
    { length: K },
    (_, i) =>
      `<think>t</think><answer>[{"bbox_2d": [${100 + i * 10},100,500,500], "point_2d": [300,300]}]</answer>`,
  )
  const server = await startFakeVlmServer((): Behaviour => ({ kind: 'choices', texts }))
  const pool = new EndpointPool([
    {
      settings: {
        name: 's',
        baseUrl: server.baseUrl,
        model: 'm',
        temperature: 1,
        maxTokens: 64,
        timeoutMs: 10_000,
      },
      apiKey: null,
    },
  ])
  const t = performance.now()
  const r = await runRollouts(fx.project, {
    source: { datasetId: fx.datasetId },
    outRunName: 'bench',
    pool,
    model: 'm',
    k: K,
    temperature: 1,
    template: getTemplate(fx.project.db, 'visionreasoner'),
    reward: 'visionreasoner',
    pick: 'first',
    segmenter: seg,
    concurrency: 1,
  })
  const st = seg.stats()
  console.log(
    `2. rollout run of ${S} samples × K=${K} with the tiny ONNX SAM model (${(performance.now() - t).toFixed(0)} ms, ${r.completeGroups} groups):`,
  )
  console.log(
    `   encoder runs ${st.encoderRuns} (target = samples = ${S}; samples × K would be ${S * K}); decoder runs ${st.decoderRuns}`,
  )
  await seg.dispose()
  await server.close()
  fx.project.close()
}

/** A fake vLLM replica: `slots` answers at a time, each taking `ms`; extra requests queue. */
async function replica(slots: number, ms: number) {
  let busy = 0
  const queue: (() => void)[] = []
  const acquire = () => new Promise<void>((res) => (busy < slots ? (busy++, res()) : queue.push(res)))
  const release = () => {
    const next = queue.shift()
    if (next) next()
    else busy--
  }
  return startFakeVlmServer(async (): Promise<Behaviour> => {
    await acquire()
    await sleep(ms)
    release()
    return { kind: 'completion', text: '<think>x</think><answer>[]</answer>' }
  })
}

async function throughput(): Promise<void> {
  const a = await replica(4, 50)
  const b = await replica(4, 150)
  const settings = (name: string, baseUrl: string) => ({
    name,
    baseUrl,
    model: 'm',
    temperature: 1,
    maxTokens: 16,
    timeoutMs: 10_000,
  })
  const measure = async (pool: EndpointPool, n: number, concurrency: number) => {
    let next = 0
    const t = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await pool.ask([{ role: 'user', content: 'q' }], 1)
      }),
    )
    return n / ((performance.now() - t) / 1000)
  }
  const rateA = await measure(
    new EndpointPool([{ settings: settings('fast', a.baseUrl), apiKey: null }]),
    300,
    8,
  )
  const rateB = await measure(
    new EndpointPool([{ settings: settings('slow', b.baseUrl), apiKey: null }]),
    120,
    8,
  )
  const both = new EndpointPool([
    { settings: settings('fast', a.baseUrl), apiKey: null },
    { settings: settings('slow', b.baseUrl), apiKey: null },
  ])
  const rate = await measure(both, 320, 16)
  const split = both
    .stats()
    .map((s) => `${s.name} ${s.requests}`)
    .join(', ')
  console.log('3. endpoint pool, two fake replicas (4 slots each; 50 ms and 150 ms per answer):')
  console.log(
    `   alone: fast ${rateA.toFixed(0)}/s, slow ${rateB.toFixed(0)}/s (sum ${(rateA + rateB).toFixed(0)}/s)`,
  )
  console.log(
    `   pooled: ${rate.toFixed(0)}/s = ${((100 * rate) / (rateA + rateB)).toFixed(0)} % of the sum (target ≥ 90 %); requests ${split}`,
  )
  await a.close()
  await b.close()
}

async function main(): Promise<void> {
  scoring()
  await encoderRuns()
  await throughput()
  rmSync(root, { recursive: true, force: true })
}

main().catch((e: unknown) => {
  rmSync(root, { recursive: true, force: true })
  console.error(e)
  process.exit(1)
})
