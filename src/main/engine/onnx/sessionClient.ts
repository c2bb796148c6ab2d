/**
 * Main-thread handle on one session worker: request/response bookkeeping, abort (queued runs are
 * dropped in the worker; a run already executing has its result discarded) and worker failure (every
 * pending request is rejected with the reason; later calls fail fast instead of hanging).
 */
import type { Worker } from 'node:worker_threads'
import type { OpenResult, SessionName, WireFeeds, WorkerRequest, WorkerResponse } from './sessionProtocol'
import { startSessionWorker } from './workerLocation'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

interface Pending {
  resolve: (v: Extract<WorkerResponse, { ok: true }>) => void
  reject: (e: unknown) => void
}

/** The worker no longer holds the embedding a decoder run referred to; resend it with the tensors. */
export class MissingEmbeddingError extends Error {}

export function abortError(signal?: AbortSignal): unknown {
  return signal?.reason ?? new DOMException('The operation was aborted', 'AbortError')
}

export class SessionClient {
  private nextId = 1
  private pending = new Map<number, Pending>()
  private dead: Error | undefined
  /** Key of the embedding last sent to or computed by the worker (a hint; the worker has the last word). */
  pinnedKey: string | undefined
  /** Runs the worker executed per session (answered with a result, whether or not still wanted). */
  readonly executed: Record<SessionName, number> = { encoder: 0, decoder: 0, language: 0 }
  /** Session of each run request not yet answered by the worker, aborted ones included. */
  private runSession = new Map<number, SessionName>()
  /** Runs the worker has begun executing and not yet answered. */
  private started = new Set<number>()

  /** Runs executing in the worker right now (0 or 1). */
  get running(): number {
    return this.started.size
  }

  private constructor(private worker: Worker) {
    worker.on('message', (msg: WorkerResponse) => {
      if ('started' in msg) {
        this.started.add(msg.id)
        return
      }
      this.started.delete(msg.id)
      const session = this.runSession.get(msg.id)
      if (session) {
        this.runSession.delete(msg.id)
        if (msg.ok) this.executed[session]++
      }
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (msg.ok) p.resolve(msg)
      else if (msg.cancelled) p.reject(new DOMException('The operation was aborted', 'AbortError'))
      else p.reject(msg.missingEmbedding ? new MissingEmbeddingError(msg.error) : new Error(msg.error))
    })
    const fail = (e: Error) => {
      this.dead = e
      for (const p of this.pending.values()) p.reject(e)
      this.pending.clear()
    }
    worker.on('error', (e) => fail(new Error(`ONNX session worker failed: ${e.message}`)))
    worker.on('exit', (code) => fail(new Error(`ONNX session worker exited (code ${code})`)))
  }

  static async open(
    encoderPath: string,
    decoderPath: string,
    providers: string[],
    languagePath?: string,
  ): Promise<{ client: SessionClient; info: OpenResult }> {
    const client = new SessionClient(startSessionWorker())
    try {
      const res = await client.request({ kind: 'open', encoderPath, decoderPath, providers, languagePath })
      return { client, info: res.value as OpenResult }
    } catch (e) {
      await client.terminate()
      throw e
    }
  }

  run(
    session: SessionName,
    feeds: WireFeeds,
    extra: {
      fetch?: string[]
      pin?: { key: string; tensors?: WireFeeds }
      pinOutputs?: { key: string; rename: Record<string, string> }
    },
    signal?: AbortSignal,
    /** On abort, a run the worker has already started is awaited to the end instead of abandoned. */
    finishIfStarted = false,
  ): Promise<WireFeeds> {
    return this.request({ kind: 'run', session, feeds, ...extra }, signal, finishIfStarted).then(
      (r) => r.value as WireFeeds,
    )
  }

  async close(): Promise<void> {
    if (!this.dead) {
      try {
        await this.request({ kind: 'close' })
      } catch {
        // The worker is going away either way.
      }
    }
    await this.terminate()
  }

  private async terminate(): Promise<void> {
    this.dead ??= new Error('ONNX session worker was closed')
    await this.worker.terminate()
  }

  private request(
    msg: DistributiveOmit<WorkerRequest, 'id'>,
    signal?: AbortSignal,
    finishIfStarted = false,
  ): Promise<Extract<WorkerResponse, { ok: true }>> {
    if (this.dead) return Promise.reject(this.dead)
    if (signal?.aborted) return Promise.reject(abortError(signal))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return
        if (finishIfStarted && this.started.has(id)) return
        this.pending.delete(id)
        this.worker.postMessage({ kind: 'cancel', id } satisfies WorkerRequest)
        reject(abortError(signal))
      }
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(v)
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      if (msg.kind === 'run') this.runSession.set(id, msg.session)
      this.worker.postMessage({ ...msg, id } as WorkerRequest)
    })
  }
}
