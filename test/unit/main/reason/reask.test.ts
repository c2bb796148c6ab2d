import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { decode as decodePng } from 'fast-png'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher } from '../../../../src/main/api/index'
import { askSample } from '../../../../src/main/reason/reask'
import { getEndpoint, getTemplate } from '../../../../src/main/reason/store'
import { DB_FILE, type Project } from '../../../../src/main/store/project'
import { createRun, upsertPrediction } from '../../../../src/main/store/runs'
import type { ApiEvent } from '../../../../src/shared/contract/events'
import type { Variant } from '../../../../src/shared/contract/reason'
import { resizeBilinearPil } from '../../../../src/shared/domain/pilResize'
import { decodeRowMajor, fromCoco } from '../../../../src/shared/domain/rle'
import { boxFillSegmenter, makeReasonProject } from '../../../fixtures/reasonProject'
import { startFakeVlmServer, type Behaviour, type FakeServer } from './fakeVlmServer'

// Fixture geometry, worked out by hand. The wide image is 420×210, so answer coordinates (840×840 space) map
// with x factor 0.5 and y factor 0.25 under int(v * f + 0.5):
//   bbox_2d [200,200,400,400] → [100,50,200,100]   point_2d [300,300] → (150,75)
//   bbox_2d [0,0,100,100]     → [0,0,50,25]        point_2d [50,50]   → (25,13)
// Sample 0's GT is exactly [100,200)×[50,100): 5000 px. The box-fill segmenter fills the box, so
//   one object → I = U = 5000, IoU 1;   both objects → I = 5000, U = 5000 + 50·25 = 6250, IoU 0.8.
const ONE = '[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]'
const TWO =
  '[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}, {"bbox_2d": [0,0,100,100], "point_2d": [50,50]}]'
const KEY = 'sk-reseg-SECRET-7f3a9c'

let fx: ReturnType<typeof makeReasonProject>
let project: Project
let server: FakeServer
let queue: Behaviour[]
let credDir: string
let ctx: ReturnType<typeof createApiContext>
let events: ApiEvent[]
let dispatch: ReturnType<typeof createDispatcher>
const segmenter = boxFillSegmenter()
const savedEnv = { ...process.env }

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(method, input)
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as T
}

beforeAll(async () => {
  credDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cred-'))
  for (const k of Object.keys(process.env)) if (k.startsWith('RESEG_API_KEY')) delete process.env[k]
  process.env.RESEG_CREDENTIALS_FILE = path.join(credDir, 'reseg', 'credentials.json')
  fx = makeReasonProject([
    { image: 'wide', gt: [100, 50, 200, 100], query: 'What can I drink?' },
    { image: 'wide', gt: [0, 0, 50, 25], query: 'The "left" cup.' },
    { image: 'square', gt: [10, 10, 20, 20], query: 'lamp' },
  ])
  project = fx.project
  server = await startFakeVlmServer(
    () => queue.shift() ?? { kind: 'status', status: 500, body: 'script exhausted' },
  )
  ctx = createApiContext(project)
  Object.assign(ctx, {
    engine: {
      getSegmenter: async () => segmenter,
      selectedModelId: 'box-fill-test',
      dispose: async () => {},
    },
  })
  events = []
  ctx.onEvent((e) => events.push(e))
  dispatch = createDispatcher(ctx)
  await call('saveEndpoint', {
    name: 'local-vllm',
    baseUrl: server.baseUrl,
    model: 'Ricky06662/VisionReasoner-7B',
    apiKey: KEY,
  })
})

afterAll(async () => {
  await server.close()
  project.close()
  process.env = savedEnv
})

beforeEach(() => {
  queue = []
  events.length = 0
  server.requests.length = 0
})
afterEach(() => expect(queue).toEqual([]))

const reask = (over: Record<string, unknown> = {}) =>
  call<Variant>('reaskSample', {
    runId: null,
    sampleId: fx.sampleIds[0],
    template: { name: 'visionreasoner' },
    endpoint: 'local-vllm',
    stream: false,
    ...over,
  })

describe('reaskSample: request', () => {
  it('sends the 840×840 PIL-bilinear image as a PNG data URL and the exact template text, greedy', async () => {
    queue.push({ kind: 'completion', text: `<think>water</think><answer>${ONE}</answer>` })
    await reask()
    const body = server.requests[0].json as {
      model: string
      temperature: number
      max_tokens: number
      messages: { role: string; content: { type: string; text?: string; image_url?: { url: string } }[] }[]
    }
    expect(body.model).toBe('Ricky06662/VisionReasoner-7B')
    expect(body.temperature).toBe(0)
    expect(body.max_tokens).toBe(2048)
    expect(body.messages).toHaveLength(1)
    const [image, text] = body.messages[0].content
    expect(image.type).toBe('image_url')
    const url = image.image_url!.url
    expect(url.startsWith('data:image/png;base64,')).toBe(true)
    const png = decodePng(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'))
    expect([png.width, png.height, png.channels, png.depth]).toEqual([840, 840, 3, 8])
    expect(
      Buffer.from(png.data as Uint8Array).equals(Buffer.from(resizeBilinearPil(fx.rgb.wide, 840, 840).data)),
    ).toBe(true)
    expect(text).toEqual({
      type: 'text',
      text:
        'Please find "what can i drink" with bboxs and points.Compare the difference between object(s) and find the ' +
        'most closely matched object(s).Output the thinking process in <think> </think> and final answer in <answer> ' +
        '</answer> tags.Output the bbox(es) and point(s) inside the interested object(s) in JSON format.i.e., <think> ' +
        'thinking process here </think><answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": ' +
        '[225,296,706,786], "point_2d": [302,410]}]</answer>',
    })
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('normalizes an edited query per template (VisionReasoner strips ."?!, Seg-Zero only .)', async () => {
    queue.push(
      { kind: 'completion', text: '<answer>[]</answer>' },
      { kind: 'completion', text: '<answer>[]</answer>' },
    )
    await reask({ query: '"Which CUP holds water?!"' })
    await reask({ query: 'Which cup?.', template: { name: 'segzero-v1' } })
    const texts = server.requests.map(
      (r) => (r.json as { messages: { content: { text?: string }[] }[] }).messages[0].content[1].text,
    )
    expect(texts[0]).toMatch(/^Please find "which cup holds water" with bboxs/)
    expect(texts[1]).toMatch(/^Please find 'which cup\?' with bbox and points\./)
  })

  it('previews the text a re-ask would send', async () => {
    const p = await call<{ normalizedQuery: string; text: string }>('previewPrompt', {
      sampleId: fx.sampleIds[1],
      template: { name: 'visionreasoner' },
    })
    expect(p.normalizedQuery).toBe('the "left" cup')
    expect(p.text.startsWith('Please find "the "left" cup" with bboxs')).toBe(true)
  })
})

describe('reaskSample: stored variants match what the server sent', () => {
  it('a VisionReasoner two-object answer: prompts in pixels, OR-ed masks, IoU', async () => {
    const raw = `<think> Two cups; the left one has water. </think>\n<answer>${TWO}</answer>`
    queue.push({ kind: 'completion', text: raw })
    const v = await reask()
    expect(v.rawOutput).toBe(raw)
    expect(v.reasoning).toBe(' Two cups; the left one has water. ')
    expect(v.answer).toBe(TWO)
    expect(v.parseError).toBeNull()
    expect(v.prompts).toEqual([
      { box: [100, 50, 200, 100], points: [{ x: 150, y: 75, label: 1 }] },
      { box: [0, 0, 50, 25], points: [{ x: 25, y: 13, label: 1 }] },
    ])
    expect([v.intersection, v.union, v.iou]).toEqual([5000, 6250, 0.8])
    expect(v.segmenter).toBe('box-fill-test')
    expect(v.latencyMs).toBeGreaterThan(0)
    const mask = decodeRowMajor(fromCoco(v.mask!))
    expect(mask.reduce((a, b) => a + b, 0)).toBe(6250)
    expect(mask[13 * 420 + 25]).toBe(1)
    const row = project.db
      .prepare(
        'SELECT raw_output, prompts_json, iou, endpoint_name, template_version FROM reason_variants WHERE id = ?',
      )
      .get(v.id)
    expect(row).toEqual({
      raw_output: raw,
      prompts_json: JSON.stringify(v.prompts),
      iou: 0.8,
      endpoint_name: 'local-vllm',
      template_version: 1,
    })
  })

  it("the first Seg-Zero release's single object with two points", async () => {
    // legacy mapping round(int(v) * f): x 200→100, 400→200, 250→125, 350→175; y 200→50, 400→100, 300→75
    queue.push({
      kind: 'completion',
      text: "<think>the cup</think><answer>{'bbox': [200,200,400,400], 'points_1': [250,300], 'points_2': [350,300]}</answer>",
    })
    const v = await reask({ template: { name: 'segzero-v1' } })
    expect(v.prompts).toEqual([
      {
        box: [100, 50, 200, 100],
        points: [
          { x: 125, y: 75, label: 1 },
          { x: 175, y: 75, label: 1 },
        ],
      },
    ])
    expect(v.iou).toBe(1)
    expect(v.templateName).toBe('segzero-v1')
  })

  it('malformed JSON: parse error, raw kept, empty mask scored against the GT', async () => {
    const raw = '<think>x</think><answer>[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]]</answer>'
    queue.push({ kind: 'completion', text: raw })
    const v = await reask()
    expect(v.rawOutput).toBe(raw)
    expect(v.parseError).toMatch(/JSON error/)
    expect(v.prompts).toEqual([])
    expect([v.intersection, v.union, v.iou]).toEqual([0, 5000, 0])
    expect(decodeRowMajor(fromCoco(v.mask!)).every((p) => p === 0)).toBe(true)
  })

  it('missing tags and truncated output are recovered', async () => {
    queue.push(
      { kind: 'completion', text: `The answer is ${ONE}` },
      { kind: 'completion', text: `<think>cut</think><answer>${TWO.slice(0, -30)}`, finishReason: 'length' },
    )
    const a = await reask()
    expect(a.parseError).toBeNull()
    expect(a.iou).toBe(1)
    const b = await reask()
    expect(b.prompts).toEqual([{ box: [100, 50, 200, 100], points: [{ x: 150, y: 75, label: 1 }] }])
    expect(b.iou).toBe(1)
  })

  it('streams the text as reason.delta events tagged with the request id', async () => {
    const chunks = ['<think>look', 'ing</think>', `<answer>${ONE}`, '</answer>']
    queue.push({ kind: 'stream', chunks })
    const v = await reask({ stream: true, requestId: 'req-1' })
    const deltas = events.filter(
      (e): e is Extract<ApiEvent, { type: 'reason.delta' }> => e.type === 'reason.delta',
    )
    expect(deltas.every((e) => e.requestId === 'req-1')).toBe(true)
    expect(deltas.map((e) => e.text).join('')).toBe(chunks.join(''))
    expect(v.rawOutput).toBe(chunks.join(''))
    expect(v.iou).toBe(1)
  })

  it('keeps prompts without a mask when no engine is available', async () => {
    queue.push({ kind: 'completion', text: `<answer>${ONE}</answer>` })
    const out = await askSample(
      { project, segmenter: null, apiKey: null },
      {
        sampleId: fx.sampleIds[0],
        template: getTemplate(project.db, 'visionreasoner'),
        endpoint: getEndpoint(project.db, 'local-vllm'),
      },
    )
    expect(out.parsed.objects).toHaveLength(1)
    expect([out.mask, out.iou, out.segmenter]).toEqual([null, null, null])
  })
})

describe('errors, cancel, variants, promotion', () => {
  it('reports a server failure as unavailable and stores nothing', async () => {
    queue.push({ kind: 'status', status: 400, body: 'model not found' })
    const before = (project.db.prepare('SELECT COUNT(*) AS n FROM reason_variants').get() as { n: number }).n
    const r = await dispatch('reaskSample', {
      runId: null,
      sampleId: fx.sampleIds[0],
      template: { name: 'visionreasoner' },
      endpoint: 'local-vllm',
    })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error.code).toBe('unavailable')
    expect(!r.ok && r.error.message).toMatch(/HTTP 400.*model not found/)
    expect((project.db.prepare('SELECT COUNT(*) AS n FROM reason_variants').get() as { n: number }).n).toBe(
      before,
    )
  })

  it('cancels a running re-ask by request id', async () => {
    queue.push({ kind: 'hang' })
    const running = dispatch('reaskSample', {
      runId: null,
      sampleId: fx.sampleIds[0],
      template: { name: 'visionreasoner' },
      endpoint: 'local-vllm',
      requestId: 'slow-1',
    })
    // cancel once the request is at the server, so the abort is of a request in flight
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10))
    expect(await call('cancelReask', { requestId: 'slow-1' })).toEqual({ cancelled: true })
    const r = await running
    expect(!r.ok && r.error.code).toBe('cancelled')
    expect(await call('cancelReask', { requestId: 'slow-1' })).toEqual({ cancelled: false })
  })

  it('rejects unknown templates, endpoints and samples with not_found', async () => {
    const base = {
      runId: null,
      sampleId: fx.sampleIds[0],
      template: { name: 'visionreasoner' },
      endpoint: 'local-vllm',
    }
    for (const bad of [{ template: { name: 'nope' } }, { endpoint: 'nope' }, { sampleId: 99999 }]) {
      const r = await dispatch('reaskSample', { ...base, ...bad })
      expect(!r.ok && r.error.code).toBe('not_found')
    }
    const empty = await dispatch('reaskSample', { ...base, query: '?!.' })
    expect(!empty.ok && empty.error.code).toBe('bad_request')
  })

  it('lists variants per run and promotes chosen ones over a base run', async () => {
    const db = project.db
    const base = createRun(db, { datasetId: fx.datasetId, name: 'original', kind: 'imported' })
    for (const id of fx.sampleIds.slice(0, 2)) {
      upsertPrediction(db, {
        runId: base,
        sampleId: id,
        rawOutput: 'orig',
        prompts: [],
        intersection: 0,
        union: 10,
        iou: 0,
      })
    }
    queue.push({ kind: 'completion', text: `<answer>${ONE}</answer>` })
    const v = await reask({ runId: base })
    const listed = await call<Variant[]>('listVariants', { sampleId: fx.sampleIds[0], runId: base })
    expect(listed.map((x) => x.id)).toEqual([v.id])
    const promoted = await call<{ runId: number; predictions: number; replaced: number }>('promoteVariants', {
      variantIds: [v.id],
      runName: 'original-reasked',
      baseRunId: base,
    })
    expect(promoted).toMatchObject({ predictions: 2, replaced: 1 })
    const rows = db
      .prepare('SELECT sample_id, raw_output, iou FROM predictions WHERE run_id = ? ORDER BY sample_id')
      .all(promoted.runId)
    expect(rows).toEqual([
      { sample_id: fx.sampleIds[0], raw_output: `<answer>${ONE}</answer>`, iou: 1 },
      { sample_id: fx.sampleIds[1], raw_output: 'orig', iou: 0 },
    ])
    const dup = await dispatch('promoteVariants', {
      variantIds: [v.id],
      runName: 'original-reasked',
      baseRunId: base,
    })
    expect(!dup.ok && dup.error.code).toBe('conflict')
  })
})

describe('templates and endpoints', () => {
  it('ships the three reference templates and versions edits', async () => {
    const list = await call<{ name: string; version: number; isReference: boolean }[]>('listTemplates', {})
    expect(
      list
        .filter((t) => t.isReference)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['segzero', 'segzero-v1', 'visionreasoner'])
    const ref = list.find((t) => t.name === 'visionreasoner') as unknown as { text: string }
    const v2 = await call<{ version: number; isReference: boolean }>('saveTemplate', {
      name: 'visionreasoner',
      text: ref.text.replace('Please find', 'Please locate'),
    })
    expect(v2).toMatchObject({ version: 2, isReference: false })
    const same = await call<{ version: number }>('saveTemplate', {
      name: 'visionreasoner',
      text: ref.text.replace('Please find', 'Please locate'),
    })
    expect(same.version).toBe(2)
    const bad = await dispatch('saveTemplate', { name: 'x', text: 'no placeholder' })
    expect(!bad.ok && bad.error.message).toMatch(/\{Question\}/)
    queue.push({ kind: 'completion', text: '<answer>[]</answer>' })
    await reask()
    expect(
      (server.requests[0].json as { messages: { content: { text?: string }[] }[] }).messages[0].content[1]
        .text,
    ).toMatch(/^Please locate/)
    queue.push({ kind: 'completion', text: '<answer>[]</answer>' })
    const pinned = await reask({ template: { name: 'visionreasoner', version: 1 } })
    expect(pinned.templateVersion).toBe(1)
    expect(
      (server.requests[1].json as { messages: { content: { text?: string }[] }[] }).messages[0].content[1]
        .text,
    ).toMatch(/^Please find "/)
  })

  it('tests the connection with GET /v1/models', async () => {
    queue.push({ kind: 'models', ids: ['Ricky06662/VisionReasoner-7B'] })
    expect(await call('testEndpoint', { name: 'local-vllm' })).toMatchObject({ ok: true, modelServed: true })
    queue.push({ kind: 'status', status: 503 })
    const down = await call<{ ok: boolean; error: string }>('testEndpoint', { name: 'local-vllm' })
    expect(down.ok).toBe(false)
    expect(down.error).toMatch(/HTTP 503/)
  })

  it('keeps the API key out of the project database, the API and the WAL; the credentials file is 0600', async () => {
    const infos = await call<unknown[]>('listEndpoints', {})
    expect(JSON.stringify(infos)).not.toContain(KEY)
    expect(infos[0]).toMatchObject({ key: { source: 'file', where: process.env.RESEG_CREDENTIALS_FILE } })
    const file = process.env.RESEG_CREDENTIALS_FILE!
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(file, 'utf8')).toContain(KEY)
    // every file of the project (database, WAL, media) — the project is what gets exported and shared
    const files: string[] = []
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name))
        else files.push(path.join(d, e.name))
      }
    }
    walk(project.dir)
    expect(files.some((f) => f.endsWith(DB_FILE))).toBe(true)
    for (const f of files) expect(fs.readFileSync(f).includes(Buffer.from(KEY)), f).toBe(false)
    expect(server.requests.length + 1).toBeGreaterThan(0)
  })
})
