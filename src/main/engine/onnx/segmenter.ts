/**
 * `Segmenter` over a SAM-family ONNX model: sessions in a worker thread, embeddings cached per image
 * (memory LRU + project disk cache), prompt edits on a cached image cost one decoder run.
 */
import { existsSync } from 'node:fs'
import { emptyRle } from '../../../shared/domain/rle'
import { EmbeddingCache, type CacheStats, type Embedding } from '../cache/embeddingCache'
import type { EmbeddingSource } from '../cache/precompute'
import type { ModelInfo, ObjectPrompt, RgbImage, Segmenter, SegmentOptions, SegmentResult } from '../types'
import { assertSignature, embeddingNames, type Flavour, type SessionMeta } from './flavours'
import { modelFingerprint, type InstalledModel } from './manifest'
import { acceptsMaskInput, decoderFeeds, encoderFeeds, masksFromOutputs, modelGeometry } from './pipeline'
import { providerCandidates, type ProviderRequest } from './providers'
import { abortError, MissingEmbeddingError, SessionClient } from './sessionClient'
import type { WireFeeds } from './sessionProtocol'

export interface OnnxSegmenterOptions {
  provider?: ProviderRequest
  /** `<project>/cache/embeddings`; memory-only cache when omitted. */
  cacheDir?: string
  /** In-memory embedding budget (default 256 MiB). */
  memoryBudgetBytes?: number
  /** Called with each provider fallback note (default: printed to stderr). */
  onNote?: (note: string) => void
}

export interface OnnxSegmenterStats {
  /** Encoder results received and cached. */
  encoderRuns: number
  /** Encoder runs the worker executed, including ones whose caller had gone by the time they finished. */
  workerEncoderRuns: number
  /** The worker is executing a run now. */
  workerBusy: boolean
  decoderRuns: number
  cache: CacheStats
}

export class ModelFileMissingError extends Error {
  constructor(
    readonly modelId: string,
    readonly path: string,
  ) {
    super(
      `model '${modelId}': file not found: ${path} (run \`npm run models:fetch -- ${modelId}\` or \`reseg models add <dir>\`)`,
    )
    this.name = 'ModelFileMissingError'
  }
}

interface InflightEncode {
  promise: Promise<Embedding>
  controller: AbortController
  /** Callers still waiting; when the last one gives up the encode is cancelled. */
  waiters: number
}

/** A model of one of the point/box flavours (not SAM 3). */
export type SamModel = InstalledModel & { family: Flavour }

export class OnnxSegmenter implements Segmenter, EmbeddingSource {
  readonly info: ModelInfo
  private encoderRuns = 0
  private decoderRuns = 0
  private inflight = new Map<string, InflightEncode>()

  constructor(
    private readonly model: SamModel,
    private readonly client: SessionClient,
    private readonly meta: { encoder: SessionMeta; decoder: SessionMeta },
    private readonly cache: EmbeddingCache,
    provider: string,
    /** Why a requested provider was not used (empty when it was). */
    readonly providerNotes: string[],
  ) {
    this.info = {
      id: model.id,
      label: model.label,
      family: model.family,
      isBaseline: false,
      provider,
    }
  }

  stats(): OnnxSegmenterStats {
    return {
      encoderRuns: this.encoderRuns,
      decoderRuns: this.decoderRuns,
      workerEncoderRuns: this.client.executed.encoder,
      workerBusy: this.client.running > 0,
      cache: this.cache.stats(),
    }
  }

  hasEmbedding(imageKey: string): boolean {
    return this.inflight.has(imageKey) || this.cache.has(this.model.id, imageKey)
  }

  /**
   * The image's embedding: from cache, or one encoder run (concurrent calls for one image share it).
   * An encode nobody waits for any more (every caller's signal aborted, e.g. the user switched samples
   * again) is cancelled while it still waits in the worker's queue, so quick switching never leaves a
   * queue of stale encoder runs; one the worker has started finishes and is cached (it is half paid for,
   * and a drag that restarts on the same image then reuses it).
   */
  async embed(
    imageKey: string,
    load: () => Promise<RgbImage> | RgbImage,
    signal?: AbortSignal,
  ): Promise<Embedding> {
    signal?.throwIfAborted()
    const cached = await this.cache.get(this.model.id, imageKey)
    if (cached) return cached
    signal?.throwIfAborted()
    let job = this.inflight.get(imageKey)
    if (!job) {
      const controller = new AbortController()
      const created: InflightEncode = {
        controller,
        waiters: 0,
        promise: this.encode(imageKey, load, controller.signal).finally(() => {
          if (this.inflight.get(imageKey) === created) this.inflight.delete(imageKey)
        }),
      }
      // Its rejection is reported to the waiters; an abandoned one must not be an unhandled rejection.
      created.promise.catch(() => undefined)
      this.inflight.set(imageKey, created)
      job = created
    }
    if (!signal) {
      // A caller that cannot abort keeps the encode alive for good.
      job.waiters = Infinity
      return job.promise
    }
    const entry = job
    entry.waiters++
    const leave = () => {
      entry.waiters--
      if (entry.waiters <= 0) entry.controller.abort(signal.reason)
    }
    signal.addEventListener('abort', leave, { once: true })
    try {
      return await raceAbort(entry.promise, signal)
    } finally {
      if (!signal.aborted) {
        signal.removeEventListener('abort', leave)
        entry.waiters--
      }
    }
  }

  async segment(
    imageKey: string,
    image: RgbImage,
    prompt: ObjectPrompt,
    signal?: AbortSignal,
    options: SegmentOptions = {},
  ): Promise<SegmentResult> {
    signal?.throwIfAborted()
    if (!prompt.box && prompt.points.length === 0)
      return { mask: emptyRle(image.height, image.width), score: 0 }
    let embedding = await this.embed(imageKey, () => image, signal)
    if (embedding.width !== image.width || embedding.height !== image.height) {
      // Same key, different pixels size: the cached entry belongs to another image; re-encode.
      embedding = await this.encode(imageKey, () => image)
    }
    const geometry = modelGeometry(image.width, image.height, this.model.preprocess)
    const maskInput = this.refines ? options.maskInput : undefined
    const request = decoderFeeds(this.model.family, prompt, geometry, this.meta.decoder, maskInput)
    signal?.throwIfAborted()
    const run = (withTensors: boolean) => {
      this.client.pinnedKey = imageKey
      const pin = { key: imageKey, tensors: withTensors ? toWire(embedding) : undefined }
      return this.client.run('decoder', request.feeds, { fetch: request.fetch, pin }, signal)
    }
    let outputs: WireFeeds
    try {
      outputs = await run(this.client.pinnedKey !== imageKey)
    } catch (e) {
      if (!(e instanceof MissingEmbeddingError)) throw e
      outputs = await run(true)
    }
    this.decoderRuns++
    const decoded = masksFromOutputs(this.model.family, outputs, request.pointCount, geometry)
    return { mask: decoded.mask, score: decoded.score, lowRes: decoded.lowRes }
  }

  get refines(): boolean {
    return acceptsMaskInput(this.model.family, this.meta.decoder)
  }

  async dispose(): Promise<void> {
    await this.client.close()
  }

  private async encode(
    imageKey: string,
    load: () => Promise<RgbImage> | RgbImage,
    signal?: AbortSignal,
  ): Promise<Embedding> {
    const image = await load()
    signal?.throwIfAborted()
    const { feeds } = encoderFeeds(image, this.model.preprocess, this.meta.encoder)
    const rename = embeddingNames(this.model.family, this.meta.encoder)
    // Cancelled only while queued (see embed); a run the worker has started completes there.
    const outputs = await this.client.run(
      'encoder',
      feeds,
      { pinOutputs: { key: imageKey, rename } },
      signal,
      true,
    )
    this.encoderRuns++
    this.client.pinnedKey = imageKey
    const tensors: Embedding['tensors'] = {}
    for (const [from, to] of Object.entries(rename)) {
      const t = outputs[from]
      if (!t || t.type !== 'float32') throw new Error(`encoder output '${from}' missing or not float32`)
      tensors[to] = { dims: t.dims, data: t.data }
    }
    const embedding: Embedding = { tensors, width: image.width, height: image.height }
    await this.cache.put(this.model.id, imageKey, embedding)
    return embedding
  }
}

function toWire(e: Embedding): WireFeeds {
  const out: WireFeeds = {}
  for (const [name, t] of Object.entries(e.tensors))
    out[name] = { type: 'float32', dims: t.dims, data: t.data }
  return out
}

function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

/** Loads a model's sessions (provider fallback, signature check) and returns its segmenter. */
export async function createOnnxSegmenter(
  installed: InstalledModel,
  opts: OnnxSegmenterOptions = {},
): Promise<OnnxSegmenter> {
  const family = installed.family
  if (family === 'sam3') throw new Error(`model '${installed.id}' is SAM 3: load it with createSam3Segmenter`)
  const model: SamModel = { ...installed, family }
  for (const p of [model.encoderPath, model.decoderPath])
    if (!existsSync(p)) throw new ModelFileMissingError(model.id, p)
  const note = opts.onNote ?? ((n: string) => process.stderr.write(`reseg: ${n}\n`))
  const { candidates, notes } = providerCandidates(opts.provider ?? 'auto')
  const { client, info } = await SessionClient.open(model.encoderPath, model.decoderPath, candidates)
  try {
    assertSignature(
      model.family,
      { file: model.encoderPath, meta: info.encoder },
      { file: model.decoderPath, meta: info.decoder },
    )
  } catch (e) {
    await client.close()
    throw e
  }
  const allNotes = [
    ...notes,
    ...info.failures.map(
      (f) => `${f.provider} failed to load '${model.id}': ${f.error}; using ${info.provider}`,
    ),
  ]
  for (const n of allNotes) note(n)
  const cache = new EmbeddingCache({
    budgetBytes: opts.memoryBudgetBytes ?? 256 * 1024 * 1024,
    dir: opts.cacheDir,
    fingerprint: modelFingerprint(model),
  })
  return new OnnxSegmenter(
    model,
    client,
    { encoder: info.encoder, decoder: info.decoder },
    cache,
    info.provider,
    allNotes,
  )
}
