/**
 * SAM 3 from text: the "no reasoning model" baseline. Segments every instance of a noun phrase (a
 * sample's query) with samexporter's three SAM 3 ONNX parts, in the same session worker the other
 * models use: the image encoder once per image (its outputs stay pinned in the worker), the language
 * encoder once per text, the decoder with the text features and no box (box_masks = true). Detections
 * scoring above 0.5 (samexporter's default confidence threshold) are the answer's objects; their masks
 * come at the original size and are OR-ed into the sample's prediction.
 */
import { ApiError } from '../../../shared/contract/define'
import { encodeRowMajor, type Rle } from '../../../shared/domain/rle'
import { unionRle } from '../../../shared/domain/maskOps'
import { loadOpenCv } from '../grabcut/opencv'
import type { SessionMeta } from '../onnx/flavours'
import type { InstalledModel } from '../onnx/manifest'
import { providerCandidates, type ProviderRequest } from '../onnx/providers'
import { MissingEmbeddingError, SessionClient } from '../onnx/sessionClient'
import type { WireFeeds, WireTensor } from '../onnx/sessionProtocol'
import type { ModelInfo, RgbImage, Segmenter, SegmentResult } from '../types'
import {
  SAM3_CONTEXT_LENGTH,
  SAM3_IMAGE_OUTPUTS,
  SAM3_INPUT_SIZE,
  SAM3_LANGUAGE_TO_DECODER,
  assertSam3Signature,
} from './signature'
import { loadClipTokenizer, type TextTokenizer } from './tokenizer'

export const SAM3_SCORE_THRESHOLD = 0.5

export interface TextDetection {
  mask: Rle
  score: number
  /** [x1, y1, x2, y2] in original pixels, as the decoder returns it. */
  box: [number, number, number, number]
}

export interface TextSegmentation {
  objects: TextDetection[]
  union: Rle
}

/** A segmenter that takes a text prompt (SAM 3). */
export interface TextSegmenter extends Segmenter {
  segmentText(
    imageKey: string,
    image: RgbImage,
    text: string,
    signal?: AbortSignal,
  ): Promise<TextSegmentation>
}

export function isTextSegmenter(s: Segmenter): s is TextSegmenter {
  return typeof (s as Partial<TextSegmenter>).segmentText === 'function'
}

/** The image as the encoder takes it: cv2.resize(INTER_LINEAR) to 1008 x 1008, CHW uint8 RGB. */
export async function sam3ImageTensor(image: RgbImage, size = SAM3_INPUT_SIZE): Promise<Uint8Array> {
  const { cv } = await loadOpenCv()
  const src = new cv.Mat(image.height, image.width, cv.CV_8UC3)
  const dst = new cv.Mat()
  try {
    src.data.set(image.data)
    cv.resize(src, dst, new cv.Size(size, size), 0, 0, cv.INTER_LINEAR)
    const hwc = dst.data
    const out = new Uint8Array(3 * size * size)
    const plane = size * size
    for (let i = 0; i < plane; i++) {
      out[i] = hwc[i * 3]
      out[plane + i] = hwc[i * 3 + 1]
      out[2 * plane + i] = hwc[i * 3 + 2]
    }
    return out
  } finally {
    src.delete()
    dst.delete()
  }
}

export class Sam3Segmenter implements TextSegmenter {
  readonly info: ModelInfo
  readonly refines = false
  private pinned: string | undefined
  private readonly contextLength: number

  constructor(
    private readonly model: InstalledModel,
    private readonly client: SessionClient,
    private readonly meta: { image: SessionMeta; language: SessionMeta; decoder: SessionMeta },
    private readonly tokenizer: TextTokenizer,
    provider: string,
  ) {
    this.info = { id: model.id, label: model.label, family: 'sam3', isBaseline: false, provider }
    const dims = meta.language.inputs.find((t) => t.name === 'tokens')?.shape ?? []
    this.contextLength = typeof dims[1] === 'number' && dims[1] > 0 ? dims[1] : SAM3_CONTEXT_LENGTH
  }

  /** Runs the worker executed, per session. */
  stats(): { encoderRuns: number; languageRuns: number; decoderRuns: number } {
    const e = this.client.executed
    return { encoderRuns: e.encoder, languageRuns: e.language, decoderRuns: e.decoder }
  }

  segment(): Promise<SegmentResult> {
    return Promise.reject(
      new ApiError(
        'bad_request',
        `${this.info.label} segments from text here (reseg segment --prompts text); pick a SAM or SAM 2 model for boxes and points`,
      ),
    )
  }

  async segmentText(
    imageKey: string,
    image: RgbImage,
    text: string,
    signal?: AbortSignal,
  ): Promise<TextSegmentation> {
    signal?.throwIfAborted()
    const { width: W, height: H } = image
    const tokens = this.tokenizer.tokenize(text, this.contextLength)
    const lang = await this.client.run(
      'language',
      { tokens: { type: 'int64', dims: [1, this.contextLength], data: tokens } },
      {},
      signal,
    )
    const feeds: WireFeeds = {
      original_height: { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(H)) },
      original_width: { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(W)) },
      box_coords: { type: 'float32', dims: [1, 1, 4], data: new Float32Array(4) },
      box_labels: { type: 'int64', dims: [1, 1], data: BigInt64Array.of(1n) },
      // true = no box: the text alone is the prompt.
      box_masks: { type: 'bool', dims: [1, 1], data: Uint8Array.of(1) },
    }
    for (const [from, to] of Object.entries(SAM3_LANGUAGE_TO_DECODER)) {
      const t = lang[from]
      if (!t) throw new Error(`SAM 3 language encoder returned no '${from}'`)
      feeds[to] = t
    }
    if (this.pinned !== imageKey) await this.encode(imageKey, image, signal)
    const decode = () =>
      this.client.run(
        'decoder',
        { ...feeds },
        { fetch: ['boxes', 'scores', 'masks'], pin: { key: imageKey } },
        signal,
      )
    let out: WireFeeds
    try {
      out = await decode()
    } catch (e) {
      if (!(e instanceof MissingEmbeddingError)) throw e
      await this.encode(imageKey, image, signal)
      out = await decode()
    }
    const objects = detections(out, W, H)
    return {
      objects,
      union: unionRle(
        objects.map((d) => d.mask),
        H,
        W,
      ),
    }
  }

  async dispose(): Promise<void> {
    await this.client.close()
  }

  private async encode(imageKey: string, image: RgbImage, signal?: AbortSignal): Promise<void> {
    const data = await sam3ImageTensor(image)
    const wanted = new Set(this.meta.decoder.inputs.map((t) => t.name))
    const rename: Record<string, string> = {}
    for (const n of SAM3_IMAGE_OUTPUTS) if (wanted.has(n)) rename[n] = n
    await this.client.run(
      'encoder',
      { image: { type: 'uint8', dims: [3, SAM3_INPUT_SIZE, SAM3_INPUT_SIZE], data } },
      { pinOutputs: { key: imageKey, rename }, fetch: Object.keys(rename) },
      signal,
    )
    this.pinned = imageKey
  }
}

function detections(out: WireFeeds, W: number, H: number): TextDetection[] {
  const scores = want(out, 'scores', 'float32')
  const boxes = want(out, 'boxes', 'float32')
  const masks = out.masks
  if (!masks || (masks.type !== 'bool' && masks.type !== 'uint8'))
    throw new Error(`SAM 3 decoder returned no bool 'masks' (got ${Object.keys(out).join(', ')})`)
  const d = masks.dims
  const [mh, mw] = [d[d.length - 2], d[d.length - 1]]
  if (mh !== H || mw !== W) throw new Error(`SAM 3 decoder returned ${mh}x${mw} masks for a ${H}x${W} image`)
  const result: TextDetection[] = []
  for (let k = 0; k < scores.data.length; k++) {
    if (!(scores.data[k] > SAM3_SCORE_THRESHOLD)) continue
    const mask = encodeRowMajor(masks.data.subarray(k * H * W, (k + 1) * H * W), H, W)
    const b = boxes.data.subarray(k * 4, k * 4 + 4)
    result.push({ mask, score: scores.data[k], box: [b[0], b[1], b[2], b[3]] })
  }
  return result
}

function want(out: WireFeeds, name: string, type: 'float32'): Extract<WireTensor, { type: 'float32' }> {
  const t = out[name]
  if (!t || t.type !== type) throw new Error(`SAM 3 decoder output '${name}' missing or not ${type}`)
  return t
}

export async function createSam3Segmenter(
  model: InstalledModel,
  opts: { provider?: ProviderRequest; onNote?: (n: string) => void } = {},
): Promise<Sam3Segmenter> {
  if (!model.languagePath || !model.tokenizerPath || !model.tokenizerConfigPath)
    throw new Error(`model '${model.id}': a SAM 3 model needs a language encoder and tokenizer files`)
  const tokenizer = loadClipTokenizer(model.tokenizerPath, model.tokenizerConfigPath)
  const { candidates, notes } = providerCandidates(opts.provider ?? 'auto')
  const { client, info } = await SessionClient.open(
    model.encoderPath,
    model.decoderPath,
    candidates,
    model.languagePath,
  )
  try {
    if (!info.language) throw new Error(`${model.languagePath}: the language encoder did not load`)
    assertSam3Signature({
      image: { file: model.encoderPath, meta: info.encoder },
      language: { file: model.languagePath, meta: info.language },
      decoder: { file: model.decoderPath, meta: info.decoder },
    })
  } catch (e) {
    await client.close()
    throw e
  }
  const note = opts.onNote ?? ((n: string) => process.stderr.write(`reseg: ${n}\n`))
  for (const n of [
    ...notes,
    ...info.failures.map((f) => `${f.provider} failed to load '${model.id}': ${f.error}`),
  ])
    note(n)
  return new Sam3Segmenter(
    model,
    client,
    { image: info.encoder, language: info.language, decoder: info.decoder },
    tokenizer,
    info.provider,
  )
}
