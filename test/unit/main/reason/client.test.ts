import { afterEach, describe, expect, it } from 'vitest'
import {
  backoffDelay,
  chatCompletion,
  endpointUrl,
  listModels,
  VlmRequestError,
  type ChatEvent,
  type EndpointSettings,
} from '../../../../src/main/reason/client'
import { startFakeVlmServer, type Behaviour, type FakeServer } from './fakeVlmServer'

let server: FakeServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

async function serve(script: Behaviour[] | ((i: number) => Behaviour)): Promise<EndpointSettings> {
  server = await startFakeVlmServer((_req, i) =>
    Array.isArray(script) ? script[Math.min(i, script.length - 1)] : script(i),
  )
  return {
    name: 'local',
    baseUrl: server.baseUrl,
    model: 'Ricky06662/VisionReasoner-7B',
    temperature: 0,
    maxTokens: 2048,
    timeoutMs: 2000,
  }
}

const FAST = { retry: { baseDelayMs: 5, maxDelayMs: 50 } }
const msgs = [{ role: 'user' as const, content: 'hi' }]

describe('chatCompletion', () => {
  it('posts an OpenAI chat-completions request and returns the message text', async () => {
    const ep = await serve([{ kind: 'completion', text: '<think>a</think><answer>[]</answer>' }])
    const r = await chatCompletion(ep, msgs, { apiKey: 'sk-test-123' })
    expect(r.text).toBe('<think>a</think><answer>[]</answer>')
    expect(r.attempts).toBe(1)
    expect(r.model).toBe('served-model')
    const req = server!.requests[0]
    expect(req.method).toBe('POST')
    expect(req.url).toBe('/v1/chat/completions')
    expect(req.headers.authorization).toBe('Bearer sk-test-123')
    expect(req.json).toEqual({
      model: 'Ricky06662/VisionReasoner-7B',
      messages: msgs,
      temperature: 0,
      max_tokens: 2048,
      stream: false,
    })
  })

  it('sends no Authorization header without a key, and accepts a base URL ending in /v1', async () => {
    const ep = await serve([{ kind: 'completion', text: 'x' }])
    await chatCompletion({ ...ep, baseUrl: `${ep.baseUrl}/v1/` }, msgs)
    expect(server!.requests[0].url).toBe('/v1/chat/completions')
    expect(server!.requests[0].headers.authorization).toBeUndefined()
    expect(endpointUrl('http://h:1/v1', 'models')).toBe('http://h:1/v1/models')
  })

  it('folds a server-side reasoning field back into <think> tags', async () => {
    const ep = await serve([{ kind: 'completion', text: '<answer>[]</answer>', reasoning: 'because' }])
    expect((await chatCompletion(ep, msgs)).text).toBe('<think>because</think><answer>[]</answer>')
  })

  it('streams SSE chunks as delta events and returns the whole text', async () => {
    const chunks = ['<think>', 'the cup', '</think>', '<answer>[', ']</answer>']
    const ep = await serve([{ kind: 'stream', chunks }])
    const events: ChatEvent[] = []
    const r = await chatCompletion(ep, msgs, { stream: true, onEvent: (e) => events.push(e) })
    expect(r.text).toBe(chunks.join(''))
    expect(r.finishReason).toBe('stop')
    expect(events).toEqual(chunks.map((text) => ({ type: 'delta', text })))
    expect((server!.requests[0].json as { stream: boolean }).stream).toBe(true)
  })

  it('streams reasoning_content chunks wrapped in think tags', async () => {
    const ep = await serve([{ kind: 'stream', reasoningChunks: ['a', 'b'], chunks: ['<answer>[]</answer>'] }])
    const events: string[] = []
    const r = await chatCompletion(ep, msgs, {
      stream: true,
      onEvent: (e) => e.type === 'delta' && events.push(e.text),
    })
    expect(r.text).toBe('<think>ab</think><answer>[]</answer>')
    expect(events.join('')).toBe(r.text)
  })

  it('retries 429 then succeeds, honouring Retry-After', async () => {
    const ep = await serve([
      { kind: 'status', status: 429, headers: { 'retry-after': '0.05' } },
      { kind: 'completion', text: 'ok' },
    ])
    const events: ChatEvent[] = []
    const t0 = Date.now()
    const r = await chatCompletion(ep, msgs, { ...FAST, onEvent: (e) => events.push(e) })
    expect(r.text).toBe('ok')
    expect(r.attempts).toBe(2)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45)
    expect(events).toEqual([
      { type: 'retry', attempt: 2, delayMs: 50, reason: expect.stringMatching(/HTTP 429/) },
    ])
  })

  it('gives up on repeated 500s after maxAttempts', async () => {
    const ep = await serve([{ kind: 'status', status: 500, body: 'boom' }])
    const err = await chatCompletion(ep, msgs, {
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    }).catch((e) => e)
    expect(err).toBeInstanceOf(VlmRequestError)
    expect(err.kind).toBe('http')
    expect(err.status).toBe(500)
    expect(err.message).toMatch(/HTTP 500.*boom.*after 3 attempts/)
    expect(server!.requests).toHaveLength(3)
  })

  it('does not retry a 400', async () => {
    const ep = await serve([{ kind: 'status', status: 400, body: 'bad model' }])
    const err = await chatCompletion(ep, msgs, FAST).catch((e) => e)
    expect(err.status).toBe(400)
    expect(server!.requests).toHaveLength(1)
  })

  it('retries a dropped connection', async () => {
    const ep = await serve([{ kind: 'drop' }, { kind: 'completion', text: 'ok' }])
    const r = await chatCompletion(ep, msgs, FAST)
    expect(r).toMatchObject({ text: 'ok', attempts: 2 })
  })

  it('retries a stream cut before [DONE] and tells the listener to reset', async () => {
    const ep = await serve([
      { kind: 'stream', chunks: ['<think>par', 'tial', 'never'], dropAfter: 2, chunkDelayMs: 20 },
      { kind: 'stream', chunks: ['<think>full</think>', '<answer>[]</answer>'] },
    ])
    const events: ChatEvent[] = []
    const r = await chatCompletion(ep, msgs, { ...FAST, stream: true, onEvent: (e) => events.push(e) })
    expect(r.text).toBe('<think>full</think><answer>[]</answer>')
    const types = events.map((e) => e.type)
    expect(types.indexOf('retry')).toBeGreaterThan(0)
    expect(types.lastIndexOf('delta')).toBeGreaterThan(types.indexOf('retry'))
  })

  it('times out a silent server, retrying before it gives up', async () => {
    const ep = await serve([{ kind: 'hang' }])
    const err = await chatCompletion({ ...ep, timeoutMs: 150 }, msgs, {
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    }).catch((e) => e)
    expect(err.kind).toBe('timeout')
    expect(err.message).toMatch(/no response for 150 ms.*after 2 attempts/)
    expect(server!.requests).toHaveLength(2)
  })

  it('keeps a slow but steadily streaming response alive (idle timeout, not total)', async () => {
    const ep = await serve([{ kind: 'stream', chunks: ['a', 'b', 'c', 'd', 'e'], chunkDelayMs: 80 }])
    const r = await chatCompletion({ ...ep, timeoutMs: 200 }, msgs, {
      stream: true,
      retry: { maxAttempts: 1 },
    })
    expect(r.text).toBe('abcde')
  })

  it('times out a slow non-streamed response', async () => {
    const ep = await serve([{ kind: 'completion', text: 'late', delayMs: 400 }])
    const err = await chatCompletion({ ...ep, timeoutMs: 100 }, msgs, { retry: { maxAttempts: 1 } }).catch(
      (e) => e,
    )
    expect(err.kind).toBe('timeout')
  })

  it('cancels through the AbortSignal without retrying', async () => {
    const ep = await serve([{ kind: 'hang' }])
    const ctl = new AbortController()
    setTimeout(() => ctl.abort(), 50)
    const err = await chatCompletion(ep, msgs, { signal: ctl.signal, ...FAST }).catch((e) => e)
    expect(err.kind).toBe('cancelled')
    expect(server!.requests).toHaveLength(1)
  })

  it('redacts the API key from error messages even when the server echoes it', async () => {
    server = await startFakeVlmServer((req) => ({
      kind: 'status',
      status: 401,
      body: `bad key ${req.headers.authorization}`,
    }))
    const ep = {
      name: 'x',
      baseUrl: server.baseUrl,
      model: 'm',
      temperature: 0,
      maxTokens: 10,
      timeoutMs: 1000,
    }
    const err = await chatCompletion(ep, msgs, { apiKey: 'sk-secret-xyz', ...FAST }).catch((e) => e)
    expect(err.status).toBe(401)
    expect(err.message).toContain('Bearer ***')
    expect(err.message).not.toContain('sk-secret-xyz')
  })

  it('reports a non-JSON answer as a protocol error', async () => {
    const ep = await serve([{ kind: 'status', status: 200, body: '<html>proxy</html>' }])
    const err = await chatCompletion(ep, msgs, FAST).catch((e) => e)
    expect(err.kind).toBe('protocol')
  })
})

describe('listModels (test connection)', () => {
  it('returns the served model ids', async () => {
    const ep = await serve([{ kind: 'models', ids: ['Ricky06662/VisionReasoner-7B', 'other'] }])
    const r = await listModels(ep, { apiKey: 'k' })
    expect(r.models).toEqual(['Ricky06662/VisionReasoner-7B', 'other'])
    expect(server!.requests[0]).toMatchObject({ method: 'GET', url: '/v1/models' })
  })

  it('fails clearly when nothing listens', async () => {
    const ep = await serve([{ kind: 'models', ids: [] }])
    await server!.close()
    server = null
    const err = await listModels(ep).catch((e) => e)
    expect(err.kind).toBe('network')
    expect(err.message).toMatch(/connection failed/)
  })
})

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 }
  it('doubles per attempt with jitter between half and the full step, capped', () => {
    expect(backoffDelay(1, policy, () => 0, null)).toBe(50)
    expect(backoffDelay(1, policy, () => 1, null)).toBe(100)
    expect(backoffDelay(3, policy, () => 0.5, null)).toBe(300)
    expect(backoffDelay(10, policy, () => 1, null)).toBe(1000)
  })
  it('waits at least Retry-After, within the cap', () => {
    expect(backoffDelay(1, policy, () => 0, 700)).toBe(700)
    expect(backoffDelay(1, policy, () => 0, 5000)).toBe(1000)
  })
})
