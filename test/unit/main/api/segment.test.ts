import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import type { OnnxSegmenter } from '../../../../src/main/engine/onnx/segmenter'
import type { Job } from '../../../../src/shared/contract/events'
import { decodeRowMajor, fromCoco } from '../../../../src/shared/domain/rle'
import { tinySamManifestEntry, useTestModelCatalogue, writeTinyModel } from '../../../fixtures/onnxModels'
import { createSegmentProject, type SegmentFixture } from '../../../fixtures/segmentProject'
import { looseBox } from '../../../fixtures/shapes'

let fx: SegmentFixture
let ctx: ReturnType<typeof createApiContext>
let dispatch: Dispatch
const jobs: Job[] = []

async function call<T = unknown>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(method, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

function editCount(sampleId: number): number {
  return (
    fx.project.db
      .prepare('SELECT COUNT(*) AS n FROM prompt_edits WHERE run_id = ? AND sample_id = ?')
      .get(fx.runId, sampleId) as {
      n: number
    }
  ).n
}

/** I and U of a returned COCO mask against the scene's object, by dense counting. */
function denseCounts(mask: { size: [number, number]; counts: string }, object: Uint8Array) {
  const m = decodeRowMajor(fromCoco(mask))
  let intersection = 0
  let union = 0
  for (let i = 0; i < object.length; i++) {
    if (m[i] && object[i]) intersection++
    if (m[i] || object[i]) union++
  }
  return { intersection, union }
}

beforeAll(async () => {
  fx = await createSegmentProject()
  ctx = createApiContext(fx.project)
  ctx.onEvent((e) => e.type === 'job' && jobs.push(e.job))
  dispatch = createDispatcher(ctx)
})

afterAll(async () => {
  await ctx.dispose()
  fx.project.close()
})

interface SegmentOut {
  mask: { size: [number, number]; counts: string }
  score: number
  intersection: number
  union: number
  iou: number
  model: { id: string; isBaseline: boolean; label: string }
  editId: number
}

describe('segment API', () => {
  it('lists the baseline as the default model and reports it in the status', async () => {
    const models = await call<{
      models: { id: string }[]
      defaultModelId: string
      selectedModelId: string
      warnings: string[]
    }>('listModels', {})
    expect(models.models.map((m) => m.id)).toContain('grabcut-baseline')
    expect(await call('getEngineStatus', {})).toEqual({
      modelId: models.selectedModelId,
      label: expect.any(String),
      provider: expect.any(String),
      isBaseline: models.selectedModelId === 'grabcut-baseline',
    })
    await expect(call('selectModel', { modelId: 'sam-vit-h' })).rejects.toMatchObject({ code: 'not_found' })
    expect(await call('selectModel', { modelId: 'grabcut-baseline' })).toMatchObject({
      isBaseline: true,
      provider: 'wasm',
    })
  })

  it('segments a sample, scores it against the GT and records the edit', async () => {
    const s = fx.samples[0]
    const { width: W, height: H } = s.scene.image
    const prompts = [
      { box: looseBox(s.scene.tightBox, 0.05, W, H), points: [{ x: W / 2, y: H / 2, label: 1 }] },
    ]
    const out = await call<SegmentOut>('segmentSample', { runId: fx.runId, sampleId: s.id, prompts })
    expect(out.model).toMatchObject({
      id: 'grabcut-baseline',
      isBaseline: true,
      label: 'GrabCut baseline (not SAM)',
    })
    expect(out.mask.size).toEqual([H, W])
    const c = denseCounts(out.mask, s.scene.object)
    expect([out.intersection, out.union]).toEqual([c.intersection, c.union])
    expect(out.iou).toBeCloseTo(c.intersection / c.union, 12)
    expect(out.iou).toBeGreaterThan(0.9)
    const edits = await call<{ id: number; iou: number; model: string; prompts: unknown }[]>(
      'listPromptEdits',
      {
        runId: fx.runId,
        sampleId: s.id,
      },
    )
    expect(edits.at(-1)).toMatchObject({ id: out.editId, iou: out.iou, model: 'grabcut-baseline', prompts })
  })

  it('gives an empty mask for no prompts (I = 0, U = |GT|)', async () => {
    const s = fx.samples[1]
    const out = await call<SegmentOut>('segmentSample', { runId: fx.runId, sampleId: s.id, prompts: [] })
    expect(out).toMatchObject({
      intersection: 0,
      union: s.scene.object.reduce((a, b) => a + b, 0),
      iou: 0,
      score: 0,
    })
  })

  it('answers only the latest of rapid edits on one sample, and records only that one', async () => {
    const s = fx.samples[4]
    const { width: W, height: H } = s.scene.image
    const before = editCount(s.id)
    const results = await Promise.all(
      [0.3, 0.2, 0.1, 0.05].map((g) =>
        dispatch('segmentSample', {
          runId: fx.runId,
          sampleId: s.id,
          prompts: [{ box: looseBox(s.scene.tightBox, g, W, H), points: [] }],
        }),
      ),
    )
    expect(results.slice(0, 3).map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ])
    expect(results[3].ok).toBe(true)
    expect(editCount(s.id)).toBe(before + 1)
  })

  it('serves different samples side by side', async () => {
    const both = await Promise.all(
      [fx.samples[0], fx.samples[1]].map((s) =>
        call<SegmentOut>('segmentSample', {
          runId: fx.runId,
          sampleId: s.id,
          prompts: [
            { box: looseBox(s.scene.tightBox, 0.05, s.scene.image.width, s.scene.image.height), points: [] },
          ],
        }),
      ),
    )
    expect(both.every((o) => o.iou > 0.9)).toBe(true)
  })

  it('rejects bad requests with clear codes', async () => {
    const s = fx.samples[0]
    await expect(
      call('segmentSample', {
        runId: fx.runId,
        sampleId: s.id,
        prompts: [{ points: [{ x: 1, y: 1, label: 2 }] }],
      }),
    ).rejects.toMatchObject({ code: 'bad_request' })
    await expect(
      call('segmentSample', { runId: fx.runId, sampleId: 9999, prompts: [] }),
    ).rejects.toMatchObject({
      code: 'not_found',
    })
    await expect(call('segmentSample', { runId: 9999, sampleId: s.id, prompts: [] })).rejects.toMatchObject({
      code: 'not_found',
    })
  })

  it('re-segments a run as a background job with progress', async () => {
    const { jobId } = await call<{ jobId: string }>('startSegmentRun', {
      fromRunId: fx.runId,
      outRun: 'oracle-gc',
      prompts: 'gt-box',
    })
    for (let i = 0; i < 600 && !jobs.some((j) => j.id === jobId && j.status !== 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    const last = jobs.filter((j) => j.id === jobId).at(-1)!
    expect(last).toMatchObject({ status: 'done', done: 5, total: 5 })
    expect(last.message).toMatch(/^5 samples \(0 resumed\), gIoU 0\.\d{3}, cIoU 0\.\d{3}$/)
    const n = fx.project.db
      .prepare(
        "SELECT COUNT(*) AS n FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.name = 'oracle-gc'",
      )
      .get() as { n: number }
    expect(n.n).toBe(5)
    await expect(call('startSegmentRun', { fromRunId: 9999, outRun: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    })
    await expect(call('startSegmentRun', { fromRunId: fx.runId, outRun: 'model-run' })).rejects.toMatchObject(
      {
        code: 'conflict',
      },
    )
  })
})

describe('precomputeRun', () => {
  it('refuses the baseline, which has no embeddings', async () => {
    await expect(
      call('precomputeRun', { runId: fx.runId, modelId: 'grabcut-baseline' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('GrabCut baseline (not SAM) has no image embeddings'),
    })
  })

  it('caches the embeddings of every image of a run with a SAM model, once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reseg-precompute-'))
    const restoreEnv = useTestModelCatalogue(root, [tinySamManifestEntry('tiny-sam')])
    writeTinyModel(join(root, 'weights', 'tiny-sam'), 'sam')
    const ctx2 = createApiContext(fx.project)
    const events: Job[] = []
    ctx2.onEvent((e) => e.type === 'job' && events.push(e.job))
    const d2 = createDispatcher(ctx2)
    const runJob = async () => {
      const r = await d2('precomputeRun', { runId: fx.runId })
      if (!r.ok) throw new Error(r.error.message)
      const { jobId, images } = r.value as { jobId: string; images: number }
      for (let i = 0; i < 600 && !events.some((j) => j.id === jobId && j.status !== 'running'); i++) {
        await new Promise((res) => setTimeout(res, 50))
      }
      return { images, last: events.filter((j) => j.id === jobId).at(-1)! }
    }
    try {
      const first = await runJob()
      expect(first.images).toBe(5)
      expect(first.last).toMatchObject({
        status: 'done',
        done: 5,
        total: 5,
        message: '5 computed, 0 already cached',
      })
      const second = await runJob()
      expect(second.last).toMatchObject({ status: 'done', message: '0 computed, 5 already cached' })
    } finally {
      await ctx2.dispose()
      restoreEnv()
      rmSync(root, { recursive: true, force: true })
    }
  })
})

interface ObjectOut {
  id: string
  mask: { size: [number, number]; counts: string }
  refined: boolean
  decoded: boolean
  gtIndex: number | null
  intersection: number
  union: number
  iou: number
}

describe('segmentSample with several objects', () => {
  it('returns per-object masks, each scored against the GT piece it matches, and re-decodes only the edited object', async () => {
    const s = fx.samples[2]
    const { width: W, height: H } = s.scene.image
    // The scene's two GT objects lie either side of x = W/2 (see fixtures/segmentProject.ts).
    const side = (left: boolean) => s.scene.object.map((v, i) => (v && i % W < W / 2 === left ? 1 : 0))
    const pieces = [side(true), side(false)]
    const areas = pieces.map((p) => p.reduce((a, b) => a + b, 0))
    // gtPieces lists the GT's components largest first.
    const indexOf = (k: number) => (areas[k] >= areas[1 - k] ? 0 : 1)
    const out = await call<SegmentOut & { objects: ObjectOut[]; refine: boolean }>('segmentSample', {
      runId: fx.runId,
      sampleId: s.id,
      prompts: s.prompts,
      objectIds: ['left', 'right'],
    })
    expect(out.refine).toBe(false) // the baseline has no mask input
    expect(out.objects.map((o) => [o.id, o.decoded, o.gtIndex])).toEqual([
      ['left', true, indexOf(0)],
      ['right', true, indexOf(1)],
    ])
    const union = new Uint8Array(W * H)
    for (const [k, o] of out.objects.entries()) {
      const c = denseCounts(o.mask, pieces[k])
      expect([o.intersection, o.union]).toEqual([c.intersection, c.union])
      expect(o.iou).toBeCloseTo(c.intersection / c.union, 12)
      expect(o.iou).toBeGreaterThan(0.8)
      decodeRowMajor(fromCoco(o.mask)).forEach((v, i) => (union[i] |= v))
    }
    expect(Array.from(decodeRowMajor(fromCoco(out.mask)))).toEqual(Array.from(union))

    // Move only the right object's box: the left one comes from memory.
    const right = s.prompts[1].box!
    const moved = [s.prompts[0], { box: [right[0] + 2, right[1], right[2], right[3]], points: [] }]
    const again = await call<SegmentOut & { objects: ObjectOut[] }>('segmentSample', {
      runId: fx.runId,
      sampleId: s.id,
      prompts: moved,
      objectIds: ['left', 'right'],
    })
    expect(again.objects.map((o) => o.decoded)).toEqual([false, true])
    expect(again.objects[0].mask).toEqual(out.objects[0].mask)
    const edits = await call<{ id: number; objects: ObjectOut[] | null; refine: boolean | null }[]>(
      'listPromptEdits',
      { runId: fx.runId, sampleId: s.id },
    )
    expect(edits.at(-1)).toMatchObject({ id: again.editId, refine: null })
    expect(edits.at(-1)!.objects!.map((o) => [o.id, o.gtIndex, o.iou])).toEqual(
      again.objects.map((o) => [o.id, o.gtIndex, o.iou]),
    )
  })

  it('rejects object ids that do not pair with the prompts', async () => {
    const s = fx.samples[2]
    await expect(
      call('segmentSample', { runId: fx.runId, sampleId: s.id, prompts: s.prompts, objectIds: ['a'] }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('one id per prompt') })
    await expect(
      call('segmentSample', { runId: fx.runId, sampleId: s.id, prompts: s.prompts, objectIds: ['a', 'a'] }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('distinct') })
  })

  it('records whether SAM refinement was on with each edit, and refines only when on', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reseg-refine-'))
    const restoreEnv = useTestModelCatalogue(root, [tinySamManifestEntry('tiny-refine')])
    writeTinyModel(join(root, 'weights', 'tiny-refine'), 'sam-refine')
    const ctx2 = createApiContext(fx.project)
    const d2 = createDispatcher(ctx2)
    const seg = async (prompts: unknown, refine?: boolean) => {
      const r = await d2('segmentSample', {
        runId: fx.runId,
        sampleId: fx.samples[0].id,
        prompts,
        modelId: 'tiny-refine',
        ...(refine === undefined ? {} : { refine }),
      })
      if (!r.ok) throw new Error(r.error.message)
      return r.value as SegmentOut & { objects: ObjectOut[]; refine: boolean }
    }
    try {
      const box = { box: [30, 20, 110, 90], points: [] }
      const click = { box: box.box, points: [{ x: 120, y: 50, label: 1 }] }
      const first = await seg([box])
      expect([first.refine, first.objects[0].refined]).toEqual([true, false])
      const second = await seg([click])
      expect([second.refine, second.objects[0].refined]).toEqual([true, true])
      const off = await seg([{ box: box.box, points: [{ x: 121, y: 50, label: 1 }] }], false)
      expect([off.refine, off.objects[0].refined]).toEqual([false, false])
      const r = await d2('listPromptEdits', { runId: fx.runId, sampleId: fx.samples[0].id })
      if (!r.ok) throw new Error(r.error.message)
      const edits = r.value as { id: number; refine: boolean | null }[]
      expect(edits.slice(-3).map((e) => [e.id, e.refine])).toEqual([
        [first.editId, true],
        [second.editId, true],
        [off.editId, false],
      ])
    } finally {
      await ctx2.dispose()
      restoreEnv()
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe('prepareSample', () => {
  it('is a no-op for the baseline', async () => {
    expect(
      await call('prepareSample', {
        runId: fx.runId,
        sampleId: fx.samples[0].id,
        modelId: 'grabcut-baseline',
      }),
    ).toEqual({ modelId: 'grabcut-baseline', embeds: false, cached: false })
  })

  it('switching samples quickly runs at most two encoder passes: the running one and the newest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reseg-prepare-'))
    const restoreEnv = useTestModelCatalogue(root, [tinySamManifestEntry('tiny-slow')])
    // An encoder with extra matrix products: slow enough that the 20 switches arrive while one runs.
    writeTinyModel(join(root, 'weights', 'tiny-slow'), 'sam-slow')
    const ctx2 = createApiContext(fx.project)
    const d2 = createDispatcher(ctx2)
    try {
      const seg = (await ctx2.engine.getSegmenter('tiny-slow')) as OnnxSegmenter
      const before = seg.stats().workerEncoderRuns
      const switches = Array.from({ length: 20 }, (_, i) =>
        d2('prepareSample', { runId: fx.runId, sampleId: fx.samples[i % 5].id, modelId: 'tiny-slow' }),
      )
      const results = await Promise.all(switches)
      expect(results.slice(0, 19).every((r) => !r.ok && r.error.code === 'cancelled')).toBe(true)
      expect(results[19]).toEqual({ ok: true, value: { modelId: 'tiny-slow', embeds: true, cached: false } })
      expect(seg.hasEmbedding(getMediaHash(fx.samples[4].id))).toBe(true)
      // The newest sample's first edit needs no encoder run. The worker runs requests in arrival order,
      // so once this decoder run is answered every encode queued before it has run or been dropped.
      const r = await d2('segmentSample', {
        runId: fx.runId,
        sampleId: fx.samples[4].id,
        prompts: [{ box: [10, 10, 60, 60], points: [] }],
        modelId: 'tiny-slow',
      })
      expect(r.ok).toBe(true)
      // Five distinct images were asked for; without cancelling, all five would have been encoded.
      expect(seg.stats().workerEncoderRuns - before).toBeLessThanOrEqual(2)
    } finally {
      await ctx2.dispose()
      restoreEnv()
      rmSync(root, { recursive: true, force: true })
    }
  })
})

function getMediaHash(sampleId: number): string {
  return (
    fx.project.db.prepare('SELECT media_hash FROM samples WHERE id = ?').get(sampleId) as {
      media_hash: string
    }
  ).media_hash
}

describe('a run holding prompts but no masks', () => {
  it('is "not segmented" everywhere (no IoU 0), and segmentRun segments it in place as a job', async () => {
    // The fixture's run is parsed raw output: prompts for four samples, none for the unparseable one.
    const f = await createSegmentProject('raw-run')
    const c = createApiContext(f.project)
    const done: Job[] = []
    c.onEvent((e) => e.type === 'job' && done.push(e.job))
    const d = createDispatcher(c)
    const get = async <T>(m: string, input: unknown): Promise<T> => {
      const r = await d(m, input)
      if (!r.ok) throw new Error(r.error.message)
      return r.value as T
    }
    try {
      const info = await get<{ runs: { id: number; notSegmented: number }[] }>('getProjectInfo', {})
      expect(info.runs.find((r) => r.id === f.runId)!.notSegmented).toBe(4)
      const page = await get<{ rows: { id: number; iou: number | null; notSegmented: boolean }[] }>(
        'listSamples',
        {
          runId: f.runId,
        },
      )
      const unparseable = f.samples[3].id
      for (const row of page.rows) {
        if (row.id === unparseable) expect([row.notSegmented, row.iou]).toEqual([false, 0])
        else expect([row.notSegmented, row.iou]).toEqual([true, null])
      }
      // An IoU filter does not treat them as 0.
      const low = await get<{ total: number }>('listSamples', { runId: f.runId, filter: { iouMax: 0.5 } })
      expect(low.total).toBe(1)
      const before = await get<{ gIoU: number | null; notSegmented: number }>('getRunMetrics', {
        runId: f.runId,
      })
      expect(before).toMatchObject({ gIoU: null, cIoU: null, notSegmented: 4 })

      const { jobId, samples } = await get<{ jobId: string; samples: number }>('segmentRun', {
        runId: f.runId,
        modelId: 'grabcut-baseline',
      })
      expect(samples).toBe(4)
      for (let i = 0; i < 600 && !done.some((j) => j.id === jobId && j.status !== 'running'); i++)
        await new Promise((r) => setTimeout(r, 50))
      expect(done.filter((j) => j.id === jobId).at(-1)).toMatchObject({ status: 'done', done: 4, total: 4 })
      const after = await get<{
        gIoU: number | null
        notSegmented: number
        samples: { sampleId: number; iou: number }[]
      }>('getRunMetrics', { runId: f.runId })
      expect(after.notSegmented).toBe(0)
      // Each segmented sample now scores its mask against the GT, counted densely here.
      const stored = f.project.db
        .prepare('SELECT sample_id, mask_rle FROM predictions WHERE run_id = ? AND mask_rle IS NOT NULL')
        .all(f.runId) as { sample_id: number; mask_rle: string }[]
      expect(stored).toHaveLength(4)
      let sum = 0
      for (const s of f.samples) {
        const row = stored.find((x) => x.sample_id === s.id)
        const { width: W, height: H } = s.scene.image
        const cnt = row
          ? denseCounts({ size: [H, W], counts: row.mask_rle }, s.scene.object)
          : { intersection: 0, union: s.scene.object.reduce((a, b) => a + b, 0) }
        const iou = cnt.intersection / cnt.union
        expect(after.samples.find((x) => x.sampleId === s.id)!.iou).toBeCloseTo(iou, 12)
        sum += iou
      }
      expect(after.gIoU).toBeCloseTo(sum / 5, 12)
    } finally {
      await c.dispose()
      f.project.close()
    }
  })
})
