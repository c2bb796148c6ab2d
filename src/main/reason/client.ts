/**
 * A minimal OpenAI-compatible chat-completions client for the servers people run Seg-Zero / VisionReasoner
 * behind (vLLM, SGLang, Ollama, LM Studio): `POST {base}/v1/chat/completions`, plain or streamed (SSE `data:`
 * chunks ending with `data: [DONE]`), and `GET {base}/v1/models` as the connection test.
 *
 * Failures that may pass — 408/429/5xx, timeouts, refused or dropped connections, a stream cut before
 * `[DONE]` — are retried with capped exponential backoff and full jitter (Retry-After is honoured up to the
 * cap); other 4xx are not. The timeout is an idle timeout: it restarts whenever bytes arrive, so a slow but
 * streaming generation is not killed, while a silent server is. The API key only ever goes into the
 * Authorization header, and is redacted from every error message.
 */

export interface EndpointSettings {
  name: string
  baseUrl: string
  model: string
  temperature: number
  maxTokens: number
  timeoutMs: number
}

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string | ContentPart[]
}

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 }

export type ChatEvent =
  | { type: 'delta'; text: string }
  /** A new attempt starts: text streamed so far is void. */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }

export interface ChatOptions {
  apiKey?: string | null
  signal?: AbortSignal
  stream?: boolean
  onEvent?: (e: ChatEvent) => void
  retry?: Partial<RetryPolicy>
  /** For tests: replaces Math.random in the jitter. */
  random?: () => number
  /** OpenAI's `n`: completions wanted from one request (GRPO rollouts). Servers may ignore it. */
  n?: number
}

export interface ChatResult {
  /** The assistant text; a server-side reasoning field is folded back in as `<think>…</think>`. */
  text: string
  finishReason: string | null
  model: string | null
  attempts: number
  latencyMs: number
  /** Every choice returned, in index order (`text` is the first); one unless `n` was asked and honoured. */
  choices: { text: string; finishReason: string | null }[]
  /** Token counts the server reported (summed over choices), when it did. */
  usage: { promptTokens: number | null; completionTokens: number | null } | null
}

export type VlmErrorKind = 'http' | 'timeout' | 'network' | 'protocol' | 'cancelled'

export class VlmRequestError extends Error {
  constructor(
    readonly kind: VlmErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message)
    this.name = 'VlmRequestError'
  }

  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true
    if (this.kind === 'http') return this.status === 408 || this.status === 429 || (this.status ?? 0) >= 500
    return false
  }
}

export function endpointUrl(baseUrl: string, path: string): string {
  // Accept both "http://host:8000" and "http://host:8000/v1" as the base.
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
  return `${base}/v1/${path}`
}

function redact(text: string, key: string | null | undefined): string {
  return key ? text.split(key).join('***') : text
}

function headers(apiKey: string | null | undefined, json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: json ? 'application/json' : 'text/event-stream' }
  if (json) h['content-type'] = 'application/json'
  if (apiKey) h.authorization = `Bearer ${apiKey}`
  return h
}

/** An AbortSignal that fires on the caller's abort or after `ms` without a `touch()`. */
function idleTimer(ms: number, outer?: AbortSignal) {
  const ctl = new AbortController()
  let timedOut = false
  let timer: NodeJS.Timeout | null = null
  const arm = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timedOut = true
      ctl.abort()
    }, ms)
  }
  const onOuter = () => ctl.abort()
  if (outer?.aborted) ctl.abort()
  else outer?.addEventListener('abort', onOuter, { once: true })
  arm()
  return {
    signal: ctl.signal,
    touch: arm,
    get timedOut() {
      return timedOut
    },
    dispose() {
      if (timer) clearTimeout(timer)
      outer?.removeEventListener('abort', onOuter)
    },
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new VlmRequestError('cancelled', 'request cancelled'))
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      reject(new VlmRequestError('cancelled', 'request cancelled'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null
  const secs = Number(value)
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now())
}

export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs: number | null,
) {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  // Full jitter spreads concurrent batch workers that failed together; never below half the step.
  const jittered = exp / 2 + random() * (exp / 2)
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0))
}

/** Runs one request with retries; `once` performs a single attempt with the signal it is given. */
async function withRetries<T>(
  url: string,
  timeoutMs: number,
  opts: ChatOptions,
  once: (signal: AbortSignal, touch: () => void) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  const policy = { ...DEFAULT_RETRY, ...opts.retry }
  const random = opts.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw new VlmRequestError('cancelled', 'request cancelled')
    const timer = idleTimer(timeoutMs, opts.signal)
    let error: VlmRequestError
    try {
      return { value: await once(timer.signal, timer.touch), attempts: attempt }
    } catch (err) {
      error = classify(err, url, timeoutMs, timer.timedOut, opts)
    } finally {
      timer.dispose()
    }
    if (!error.retryable || attempt >= policy.maxAttempts) {
      if (attempt > 1 && error.kind !== 'cancelled')
        error.message = `${error.message} (after ${attempt} attempts)`
      throw error
    }
    const delayMs = backoffDelay(attempt, policy, random, error.retryAfterMs)
    opts.onEvent?.({ type: 'retry', attempt: attempt + 1, delayMs, reason: error.message })
    await sleep(delayMs, opts.signal)
  }
}

function classify(
  err: unknown,
  url: string,
  timeoutMs: number,
  timedOut: boolean,
  opts: ChatOptions,
): VlmRequestError {
  if (err instanceof VlmRequestError) {
    err.message = redact(err.message, opts.apiKey)
    return err
  }
  if (opts.signal?.aborted) return new VlmRequestError('cancelled', 'request cancelled')
  if (timedOut) return new VlmRequestError('timeout', `${url}: no response for ${timeoutMs} ms`)
  const e = err as { message?: string; cause?: { code?: string; message?: string } }
  const detail = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)
  return new VlmRequestError('network', redact(`${url}: connection failed (${detail})`, opts.apiKey))
}

async function httpError(res: Response, url: string): Promise<VlmRequestError> {
  let body = ''
  try {
    body = (await res.text()).slice(0, 300).replace(/\s+/g, ' ').trim()
  } catch {
    // the body is only decoration for the message
  }
  return new VlmRequestError(
    'http',
    `${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${body ? `: ${body}` : ''}`,
    res.status,
    parseRetryAfter(res.headers.get('retry-after')),
  )
}

interface CompletionMessage {
  content?: string | { type?: string; text?: string }[] | null
  reasoning_content?: string | null
  reasoning?: string | null
}

function messageText(m: CompletionMessage | undefined): string {
  if (!m) return ''
  const c = m.content
  if (typeof c === 'string') return c
  if (Array.isArray(c)) return c.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('')
  return ''
}

/** vLLM/SGLang reasoning parsers move `<think>` text into a separate field; fold it back for the parser. */
function withReasoning(reasoning: string, content: string): string {
  return reasoning ? `<think>${reasoning}</think>${content}` : content
}

export async function chatCompletion(
  endpoint: EndpointSettings,
  messages: ChatMessage[],
  opts: ChatOptions = {},
): Promise<ChatResult> {
  const url = endpointUrl(endpoint.baseUrl, 'chat/completions')
  const stream = opts.stream ?? false
  const body = JSON.stringify({
    model: endpoint.model,
    messages,
    temperature: endpoint.temperature,
    max_tokens: endpoint.maxTokens,
    stream,
    ...(opts.n !== undefined && opts.n !== 1 ? { n: opts.n } : {}),
  })
  const started = performance.now()
  const { value, attempts } = await withRetries(url, endpoint.timeoutMs, opts, async (signal, touch) => {
    const res = await fetch(url, { method: 'POST', headers: headers(opts.apiKey, true), body, signal })
    touch()
    if (!res.ok) throw await httpError(res, url)
    const type = res.headers.get('content-type') ?? ''
    if (stream && type.includes('text/event-stream')) return readStream(res, url, touch, opts)
    const text = await readBody(res, touch)
    let json: {
      choices?: { index?: number; message?: CompletionMessage; finish_reason?: string | null }[]
      model?: string
      usage?: { prompt_tokens?: number; completion_tokens?: number }
    }
    try {
      json = JSON.parse(text)
    } catch {
      throw new VlmRequestError('protocol', `${url}: response is not JSON: ${text.slice(0, 120)}`)
    }
    const choice = json.choices?.[0]
    if (!choice)
      throw new VlmRequestError('protocol', `${url}: response has no choices: ${text.slice(0, 120)}`)
    const choices = [...(json.choices ?? [])]
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      .map((c) => ({
        text: withReasoning(
          c.message?.reasoning_content ?? c.message?.reasoning ?? '',
          messageText(c.message),
        ),
        finishReason: c.finish_reason ?? null,
      }))
    const out = choices[0].text
    if (stream && out) opts.onEvent?.({ type: 'delta', text: out })
    const u = json.usage
    return {
      text: out,
      finishReason: choices[0].finishReason,
      model: json.model ?? null,
      choices,
      usage: u
        ? {
            promptTokens: typeof u.prompt_tokens === 'number' ? u.prompt_tokens : null,
            completionTokens: typeof u.completion_tokens === 'number' ? u.completion_tokens : null,
          }
        : null,
    }
  })
  return { ...value, attempts, latencyMs: performance.now() - started }
}

async function readBody(res: Response, touch: () => void): Promise<string> {
  if (!res.body) return ''
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    touch()
    text += decoder.decode(chunk, { stream: true })
  }
  return text + decoder.decode()
}

async function readStream(
  res: Response,
  url: string,
  touch: () => void,
  opts: ChatOptions,
): Promise<Omit<ChatResult, 'attempts' | 'latencyMs'>> {
  const decoder = new TextDecoder()
  let buffer = ''
  let content = ''
  let reasoning = ''
  let finishReason: string | null = null
  let model: string | null = null
  let done = false
  let inThink = false
  const handleEvent = (data: string) => {
    if (data === '[DONE]') {
      done = true
      return
    }
    let chunk: {
      choices?: { delta?: CompletionMessage; finish_reason?: string | null }[]
      model?: string
      error?: { message?: string }
    }
    try {
      chunk = JSON.parse(data)
    } catch {
      throw new VlmRequestError('protocol', `${url}: bad stream chunk: ${data.slice(0, 120)}`)
    }
    if (chunk.error)
      throw new VlmRequestError('http', `${url}: server error in stream: ${chunk.error.message ?? ''}`, 500)
    model ??= chunk.model ?? null
    const choice = chunk.choices?.[0]
    if (!choice) return
    const r = choice.delta?.reasoning_content ?? choice.delta?.reasoning ?? ''
    const c = messageText(choice.delta)
    // Stream what the final text will be, tags included, so the UI shows the same thing the parser reads.
    if (r) {
      opts.onEvent?.({ type: 'delta', text: inThink ? r : `<think>${r}` })
      inThink = true
      reasoning += r
    }
    if (c) {
      opts.onEvent?.({ type: 'delta', text: inThink ? `</think>${c}` : c })
      inThink = false
      content += c
    }
    if (choice.finish_reason) finishReason = choice.finish_reason
  }
  if (!res.body) throw new VlmRequestError('protocol', `${url}: empty stream`)
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    touch()
    buffer += decoder.decode(bytes, { stream: true })
    // SSE: events are separated by a blank line; each "data:" line of an event is one payload here.
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '')
      buffer = buffer.slice(nl + 1)
      if (line.startsWith('data:')) handleEvent(line.slice(5).trimStart())
      if (done) break
    }
    if (done) break
  }
  const last = buffer.trim()
  if (!done && last.startsWith('data:')) handleEvent(last.slice(5).trimStart())
  if (!done && finishReason === null) {
    throw new VlmRequestError('network', `${url}: stream ended before [DONE] (connection dropped?)`)
  }
  // A stream carries the first choice only (rollouts ask without streaming when they want n).
  const text = withReasoning(reasoning, content)
  return { text, finishReason, model, choices: [{ text, finishReason }], usage: null }
}

/** The connection test: `GET {base}/v1/models`, returning the served model ids. */
export async function listModels(
  endpoint: Pick<EndpointSettings, 'baseUrl' | 'timeoutMs'>,
  opts: Omit<ChatOptions, 'stream' | 'onEvent'> = {},
): Promise<{ models: string[]; latencyMs: number }> {
  const url = endpointUrl(endpoint.baseUrl, 'models')
  const started = performance.now()
  const { value } = await withRetries(
    url,
    Math.min(endpoint.timeoutMs, 30_000),
    { ...opts, retry: { maxAttempts: 1, ...opts.retry } },
    async (signal, touch) => {
      const res = await fetch(url, { headers: headers(opts.apiKey, true), signal })
      touch()
      if (!res.ok) throw await httpError(res, url)
      const text = await readBody(res, touch)
      try {
        const json = JSON.parse(text) as { data?: { id?: unknown }[] }
        return (json.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string')
      } catch {
        throw new VlmRequestError('protocol', `${url}: response is not JSON: ${text.slice(0, 120)}`)
      }
    },
  )
  return { models: value, latencyMs: performance.now() - started }
}
