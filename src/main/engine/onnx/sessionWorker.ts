/**
 * Worker-thread entry that owns one model's ONNX Runtime sessions (encoder + decoder, created once and
 * reused), so encoder passes never block the window or the serve host's event loop. Runs execute one
 * at a time in arrival order; a cancelled run that has not started is dropped. The embeddings of the
 * last few images stay here, so prompt edits send only prompt tensors; a decoder run whose embedding
 * was evicted fails with `missingEmbedding` and the client resends it.
 */
import { parentPort } from 'node:worker_threads'
import * as ort from 'onnxruntime-node'
import type { SessionMeta, TensorMeta } from './flavours'
import type { OpenResult, WireFeeds, WireTensor, WorkerRequest, WorkerResponse } from './sessionProtocol'

type RunRequest = Extract<WorkerRequest, { kind: 'run' }>

const port = parentPort
if (!port) throw new Error('sessionWorker must run in a worker thread')

let encoder: ort.InferenceSession | undefined
let decoder: ort.InferenceSession | undefined
let language: ort.InferenceSession | undefined
/** Embeddings of recently used images by key, most recent last. */
const pins = new Map<string, WireFeeds>()
const PIN_CAPACITY = 3
const queue: RunRequest[] = []
let busy = false

function reply(msg: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer)
}

function meta(list: readonly ort.InferenceSession.ValueMetadata[]): TensorMeta[] {
  return list.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: [...m.shape] }
      : { name: m.name, type: 'non-tensor', shape: [] },
  )
}

function sessionMeta(s: ort.InferenceSession): SessionMeta {
  return { inputs: meta(s.inputMetadata), outputs: meta(s.outputMetadata) }
}

async function open(req: Extract<WorkerRequest, { kind: 'open' }>): Promise<OpenResult> {
  const failures: OpenResult['failures'] = []
  for (const provider of req.providers) {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
    }
    let enc: ort.InferenceSession | undefined
    try {
      enc = await ort.InferenceSession.create(req.encoderPath, options)
    } catch (e) {
      if (provider === 'cpu')
        throw new Error(`cannot load encoder ${req.encoderPath}: ${message(e)}`, { cause: e })
      failures.push({ provider, error: message(e) })
      continue
    }
    try {
      decoder = await ort.InferenceSession.create(req.decoderPath, options)
    } catch (e) {
      await enc.release()
      if (provider === 'cpu')
        throw new Error(`cannot load decoder ${req.decoderPath}: ${message(e)}`, { cause: e })
      failures.push({ provider, error: message(e) })
      continue
    }
    if (req.languagePath) {
      try {
        language = await ort.InferenceSession.create(req.languagePath, options)
      } catch (e) {
        await enc.release()
        await decoder.release()
        if (provider === 'cpu')
          throw new Error(`cannot load language encoder ${req.languagePath}: ${message(e)}`, { cause: e })
        failures.push({ provider, error: message(e) })
        continue
      }
    }
    encoder = enc
    return {
      provider,
      failures,
      encoder: sessionMeta(encoder),
      decoder: sessionMeta(decoder),
      ...(language ? { language: sessionMeta(language) } : {}),
    }
  }

  throw new Error(
    `no execution provider could load the model: ${failures.map((f) => `${f.provider}: ${f.error}`).join('; ')}`,
  )
}

function toOrt(feeds: WireFeeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {}
  for (const [name, t] of Object.entries(feeds)) {
    out[name] = new ort.Tensor(t.type, t.data, t.dims)
  }
  return out
}

function fromOrt(result: ort.InferenceSession.ReturnType): WireFeeds {
  const out: WireFeeds = {}
  for (const [name, v] of Object.entries(result)) {
    const t = v as ort.Tensor
    const dims = [...t.dims]
    if (t.type === 'float32')
      out[name] = { type: 'float32', dims, data: new Float32Array(t.data as Float32Array) }
    else if (t.type === 'int64')
      out[name] = { type: 'int64', dims, data: new BigInt64Array(t.data as BigInt64Array) }
    else if (t.type === 'bool' || t.type === 'uint8')
      out[name] = { type: t.type, dims, data: Uint8Array.from(t.data as ArrayLike<number>) }
    else throw new Error(`output '${name}' has unsupported type ${t.type}`)
  }
  return out
}

async function run(req: RunRequest): Promise<WireFeeds> {
  const session = req.session === 'encoder' ? encoder : req.session === 'decoder' ? decoder : language
  if (!session) throw new Error('sessions are not open')
  let feeds = req.feeds
  if (req.session === 'decoder' && req.pin) {
    const tensors = pins.get(req.pin.key)
    if (!tensors) throw new MissingEmbedding(`embedding '${req.pin.key}' is no longer in the worker`)
    pin(req.pin.key, tensors)
    feeds = { ...tensors, ...feeds }
  }
  const outputs = fromOrt(
    await (req.fetch ? session.run(toOrt(feeds), req.fetch) : session.run(toOrt(feeds))),
  )
  if (req.pinOutputs) {
    const tensors: WireFeeds = {}
    for (const [from, to] of Object.entries(req.pinOutputs.rename)) {
      const t = outputs[from]
      // A copy of its own: the outputs' buffers are transferred to the main thread. (The cast only tells
      // TypeScript that a slice keeps the tensor's element type.)
      if (t) tensors[to] = { ...t, data: t.data.slice() } as WireTensor
    }
    pin(req.pinOutputs.key, tensors)
  }
  return outputs
}

class MissingEmbedding extends Error {}

function pin(key: string, tensors: WireFeeds): void {
  pins.delete(key)
  pins.set(key, tensors)
  for (const k of pins.keys()) {
    if (pins.size <= PIN_CAPACITY) break
    pins.delete(k)
  }
}

async function pump(): Promise<void> {
  if (busy) return
  busy = true
  while (queue.length) {
    // ONNX Runtime's run blocks this thread, so 'cancel' messages sent meanwhile are still unread: let
    // them in before taking the next request, or a superseded encode would start anyway.
    await new Promise((resolve) => setImmediate(resolve))
    const req = queue.shift()
    if (!req) break
    reply({ id: req.id, started: true })
    try {
      const value = await run(req)
      reply(
        { id: req.id, ok: true, value },
        Object.values(value).map((t) => t.data.buffer as ArrayBuffer),
      )
    } catch (e) {
      reply({ id: req.id, ok: false, error: message(e), missingEmbedding: e instanceof MissingEmbedding })
    }
  }
  busy = false
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

port.on('message', (req: WorkerRequest) => {
  switch (req.kind) {
    case 'open':
      open(req).then(
        (value) => reply({ id: req.id, ok: true, value }),
        (e) => reply({ id: req.id, ok: false, error: message(e) }),
      )
      return
    case 'run':
      if (req.pin?.tensors) pin(req.pin.key, req.pin.tensors)
      queue.push(req)
      void pump()
      return
    case 'cancel': {
      const i = queue.findIndex((q) => q.id === req.id)
      if (i >= 0) {
        queue.splice(i, 1)
        reply({ id: req.id, ok: false, error: 'cancelled', cancelled: true })
      }
      return
    }
    case 'close':
      Promise.all([encoder?.release(), decoder?.release(), language?.release()]).finally(() => {
        encoder = decoder = language = undefined
        pins.clear()
        reply({ id: req.id, ok: true, value: null })
      })
      return
  }
})
