/**
 * A pool of OpenAI-compatible endpoints serving the same model (a lab's vLLM replicas). Each request goes to
 * the healthy endpoint with the fewest requests in flight, so a faster replica, which finishes sooner, gets
 * more of the work and every replica stays busy. The client already retries a failing request with backoff;
 * when it still fails for a reason that says the endpoint is unwell (timeout, network, 408/429/5xx), the
 * endpoint is benched for a cooldown that doubles with each consecutive failure and the request moves on to
 * another endpoint. A success clears the endpoint's record. The run goes on while any endpoint is healthy.
 */
import {
  chatCompletion,
  VlmRequestError,
  type ChatMessage,
  type ChatResult,
  type EndpointSettings,
  type RetryPolicy,
} from '../reason/client'

export interface PoolEndpoint {
  settings: EndpointSettings
  apiKey: string | null
}

export interface PoolStats {
  name: string
  inFlight: number
  requests: number
  failures: number
  /** Whether `n` is honoured: null until the first answer says. */
  honoursN: boolean | null
  benchedUntil: number
}

interface Slot extends PoolStats {
  endpoint: PoolEndpoint
  consecutiveFailures: number
}

export interface PoolOptions {
  retry?: Partial<RetryPolicy>
  /** First cooldown of a failing endpoint; doubles per consecutive failure up to 16×. */
  cooldownMs?: number
  now?: () => number
}

export class AllEndpointsFailing extends Error {}

export class EndpointPool {
  private readonly slots: Slot[]
  private readonly cooldownMs: number
  private readonly now: () => number

  constructor(
    endpoints: PoolEndpoint[],
    private readonly opts: PoolOptions = {},
  ) {
    if (endpoints.length === 0) throw new Error('the endpoint pool needs at least one endpoint')
    this.slots = endpoints.map((endpoint) => ({
      endpoint,
      name: endpoint.settings.name,
      inFlight: 0,
      requests: 0,
      failures: 0,
      honoursN: null,
      benchedUntil: 0,
      consecutiveFailures: 0,
    }))
    this.cooldownMs = opts.cooldownMs ?? 30_000
    this.now = opts.now ?? Date.now
  }

  stats(): PoolStats[] {
    return this.slots.map(({ name, inFlight, requests, failures, honoursN, benchedUntil }) => ({
      name,
      inFlight,
      requests,
      failures,
      honoursN,
      benchedUntil,
    }))
  }

  private pick(exclude: Set<Slot>): Slot | null {
    const t = this.now()
    let best: Slot | null = null
    for (const s of this.slots) {
      if (exclude.has(s) || s.benchedUntil > t) continue
      if (!best || s.inFlight < best.inFlight) best = s
    }
    return best
  }

  /**
   * Asks for up to `n` answers. Uses `n` on an endpoint until one of its answers shows it ignores it;
   * returns what came back (possibly fewer choices than asked) and which endpoint answered.
   */
  async ask(
    messages: ChatMessage[],
    n: number,
    signal?: AbortSignal,
    /** Overrides the endpoints' temperature (the greedy pick asks at 0). */
    temperature?: number,
  ): Promise<{ result: ChatResult; endpoint: string; asked: number }> {
    const tried = new Set<Slot>()
    let lastError: unknown = null
    for (;;) {
      const slot = this.pick(tried)
      if (!slot) {
        const msg =
          lastError instanceof Error ? lastError.message : 'every endpoint is benched after failures'
        throw new AllEndpointsFailing(`no endpoint available: ${msg}`)
      }
      tried.add(slot)
      const asked = slot.honoursN === false ? 1 : n
      slot.inFlight++
      slot.requests++
      try {
        const settings =
          temperature === undefined ? slot.endpoint.settings : { ...slot.endpoint.settings, temperature }
        const result = await chatCompletion(settings, messages, {
          apiKey: slot.endpoint.apiKey,
          signal,
          stream: false,
          n: asked,
          retry: this.opts.retry,
        })
        if (asked > 1 && slot.honoursN === null) slot.honoursN = result.choices.length > 1
        slot.consecutiveFailures = 0
        return { result, endpoint: slot.name, asked }
      } catch (err) {
        if (signal?.aborted || !(err instanceof VlmRequestError) || !err.retryable) throw err
        slot.failures++
        slot.consecutiveFailures++
        slot.benchedUntil = this.now() + this.cooldownMs * 2 ** Math.min(4, slot.consecutiveFailures - 1)
        lastError = err
      } finally {
        slot.inFlight--
      }
    }
  }
}
