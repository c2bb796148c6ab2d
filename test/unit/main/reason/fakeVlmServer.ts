/**
 * A loopback HTTP server speaking the OpenAI chat-completions protocol with canned behaviour per request,
 * recording every request it receives. Used by the reason tests in place of vLLM / SGLang.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Behaviour =
  | {
      kind: 'completion'
      text: string
      reasoning?: string
      model?: string
      finishReason?: string
      delayMs?: number
    }
  | {
      kind: 'stream'
      chunks: string[]
      reasoningChunks?: string[]
      dropAfter?: number
      chunkDelayMs?: number
      noDone?: boolean
    }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'hang' }
  | { kind: 'models'; ids: string[] }
  /** Several choices in one reply (a server honouring `n`, or returning fewer), with token usage. */
  | {
      kind: 'choices'
      texts: string[]
      delayMs?: number
      usage?: { prompt_tokens: number; completion_tokens: number }
    }
  /** Half of a JSON reply, then the connection is cut (a truncated response). */
  | { kind: 'truncated'; text: string }

export interface RecordedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  json: unknown
}

export interface FakeServer {
  baseUrl: string
  requests: RecordedRequest[]
  /** Highest number of requests being answered at the same time. */
  maxConcurrent: number
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function startFakeVlmServer(
  respond: (req: RecordedRequest, index: number) => Behaviour | Promise<Behaviour>,
): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<import('node:net').Socket>()
  let active = 0
  const state = { maxConcurrent: 0 }
  const server = http.createServer(async (req, res) => {
    const parts: Buffer[] = []
    try {
      for await (const c of req) parts.push(c as Buffer)
    } catch {
      // The client dropped the connection while sending (a cancelled or timed-out request): nothing to answer.
      return
    }
    const body = Buffer.concat(parts).toString('utf8')
    let json: unknown
    try {
      json = body ? JSON.parse(body) : null
    } catch {
      json = null
    }
    // A request the client abandoned while sending must not consume the next canned answer.
    if (req.socket.destroyed) return
    const rec: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      json,
    }
    const index = requests.push(rec) - 1
    active++
    state.maxConcurrent = Math.max(state.maxConcurrent, active)
    try {
      await answer(await respond(rec, index), res)
    } catch (err) {
      // Writing to a client that already hung up is expected in the timeout and cancel tests.
      if (!res.destroyed) console.error('fake VLM server failed to answer:', err)
    } finally {
      active--
    }
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get maxConcurrent() {
      return state.maxConcurrent
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

async function answer(b: Behaviour, res: http.ServerResponse): Promise<void> {
  switch (b.kind) {
    case 'completion': {
      if (b.delayMs) await sleep(b.delayMs)
      const message: Record<string, unknown> = { role: 'assistant', content: b.text }
      if (b.reasoning) message.reasoning_content = b.reasoning
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          model: b.model ?? 'served-model',
          choices: [{ index: 0, message, finish_reason: b.finishReason ?? 'stop' }],
        }),
      )
      return
    }
    case 'stream': {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      const send = (delta: Record<string, unknown>, finish: string | null = null) =>
        res.write(
          `data: ${JSON.stringify({ object: 'chat.completion.chunk', model: 'served-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
        )
      send({ role: 'assistant' })
      let n = 0
      for (const r of b.reasoningChunks ?? []) send({ reasoning_content: r })
      for (const c of b.chunks) {
        if (b.dropAfter !== undefined && n >= b.dropAfter) {
          res.socket?.destroy()
          return
        }
        if (b.chunkDelayMs) await sleep(b.chunkDelayMs)
        send({ content: c })
        n++
      }
      if (b.noDone) {
        res.socket?.destroy()
        return
      }
      send({}, 'stop')
      res.end('data: [DONE]\n\n')
      return
    }
    case 'status':
      res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers })
      res.end(b.body ?? JSON.stringify({ error: { message: `status ${b.status}` } }))
      return
    case 'choices': {
      if (b.delayMs) await sleep(b.delayMs)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          object: 'chat.completion',
          model: 'served-model',
          choices: b.texts.map((content, index) => ({
            index,
            message: { role: 'assistant', content },
            finish_reason: 'stop',
          })),
          ...(b.usage ? { usage: b.usage } : {}),
        }),
      )
      return
    }
    case 'truncated': {
      const body = JSON.stringify({
        choices: [{ index: 0, message: { role: 'assistant', content: b.text } }],
      })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
      res.write(body.slice(0, Math.floor(body.length / 2)))
      await sleep(5)
      res.socket?.destroy()
      return
    }
    case 'drop':
      res.socket?.destroy()
      return
    case 'hang':
      // never answers; returns once the client gives up and the socket closes
      await new Promise((r) => res.on('close', r))
      return
    case 'models':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ object: 'list', data: b.ids.map((id) => ({ id, object: 'model' })) }))
      return
  }
}
