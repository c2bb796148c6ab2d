/**
 * Asking the reasoning model about one sample, the way the reference pipeline does: the stored image resized
 * to the template's input size with Pillow's bilinear filter and sent losslessly (PNG data URL), the query
 * normalized into the instruction template, greedy decoding by default; the answer parsed, its objects
 * segmented with the engine (masks OR-ed, as the reference does) and scored against the ground truth.
 * `askSample` does the work; `reaskAndStore` records the attempt as a variant.
 */
import sharp from 'sharp'
import { parseSegZeroOutput, type ParsedAnswer } from '../../shared/domain/answer'
import { maskCounts, sampleIou } from '../../shared/domain/metrics'
import { resizeBilinearPil } from '../../shared/domain/pilResize'
import { normalizeQuery } from '../../shared/domain/segZeroQuery'
import { renderTemplate } from '../../shared/domain/reasonTemplates'
import { emptyRle, fromCoco, toCoco, type Rle } from '../../shared/domain/rle'
import { segmentObjects } from '../engine/batch'
import type { RgbImage, Segmenter } from '../engine/types'
import { loadRgb } from '../store/media'
import type { Project } from '../store/project'
import { getSample, type SampleRow } from '../store/samples'
import {
  chatCompletion,
  type ChatEvent,
  type ChatMessage,
  type EndpointSettings,
  type RetryPolicy,
} from './client'
import { insertVariant, type TemplateRecord, type VariantRecord } from './store'

/** Decoded originals and encoded model inputs of recently used images (several queries share an image). */
export class ModelImageCache {
  private readonly entries = new Map<string, Promise<{ rgb: RgbImage; dataUrl: string }>>()

  constructor(private readonly capacity = 8) {}

  get(project: Project, hash: string, inputSize: number): Promise<{ rgb: RgbImage; dataUrl: string }> {
    const key = `${hash}:${inputSize}`
    let hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    hit = loadRgb(project, hash).then(async (rgb) => ({
      rgb,
      dataUrl: await modelInputDataUrl(rgb, inputSize),
    }))
    hit.catch(() => this.entries.delete(key))
    this.entries.set(key, hit)
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string)
    return hit
  }
}

/** The image as the model sees it: `image.resize((n, n), BILINEAR)`, PNG so no pixel changes on the way. */
export async function modelInputDataUrl(rgb: RgbImage, inputSize: number): Promise<string> {
  const resized = resizeBilinearPil(rgb, inputSize, inputSize, 3)
  // libvips' PNG encoder is ~5x faster than a JS one at this size; level 3 costs ~1% in bytes.
  const png = await sharp(Buffer.from(resized.data.buffer, resized.data.byteOffset, resized.data.length), {
    raw: { width: inputSize, height: inputSize, channels: 3 },
  })
    .png({ compressionLevel: 3 })
    .toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}

/** One user turn, image first then text, as the reference builds its Qwen2.5-VL chat message. */
export function buildMessages(dataUrl: string, text: string): ChatMessage[] {
  return [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: dataUrl } },
        { type: 'text', text },
      ],
    },
  ]
}

export interface AskDeps {
  project: Project
  /** Null when no segmentation engine is available: prompts are kept, mask and scores are not. */
  segmenter: Segmenter | null
  apiKey: string | null
  signal?: AbortSignal
  stream?: boolean
  onEvent?: (e: ChatEvent) => void
  images?: ModelImageCache
  retry?: Partial<RetryPolicy>
}

export interface AskOutcome {
  sample: SampleRow
  /** The query as given (before normalization) and the text actually sent. */
  query: string
  sentText: string
  rawOutput: string
  parsed: ParsedAnswer
  /** Null when objects were found but there was no engine to segment them. */
  mask: Rle | null
  score: number | null
  segmenter: string | null
  intersection: number | null
  union: number | null
  iou: number | null
  latencyMs: number
  model: string
}

export async function askSample(
  deps: AskDeps,
  input: { sampleId: number; query?: string | null; template: TemplateRecord; endpoint: EndpointSettings },
): Promise<AskOutcome> {
  const { project } = deps
  const sample = getSample(project.db, input.sampleId)
  if (!sample) throw new Error(`no sample ${input.sampleId} in ${project.dir}`)
  const query = input.query ?? sample.query
  if (!normalizeQuery(query, input.template.queryStrip).trim()) throw new Error('the query is empty')
  const images = deps.images ?? new ModelImageCache(1)
  const { rgb, dataUrl } = await images.get(project, sample.media_hash, input.template.inputSize)
  const sentText = renderTemplate(input.template, query)
  const chat = await chatCompletion(input.endpoint, buildMessages(dataUrl, sentText), {
    apiKey: deps.apiKey,
    signal: deps.signal,
    stream: deps.stream,
    onEvent: deps.onEvent,
    retry: deps.retry,
  })
  const parsed = parseSegZeroOutput(
    chat.text,
    { width: sample.width, height: sample.height },
    { inputSize: input.template.inputSize },
  )
  const seg = await segmentAnswer(deps, sample, rgb, parsed)
  const counts = seg.mask ? sampleCounts(sample, seg.mask) : null
  return {
    sample,
    query,
    sentText,
    rawOutput: chat.text,
    parsed,
    mask: seg.mask,
    score: seg.score,
    segmenter: seg.segmenter,
    intersection: counts?.intersection ?? null,
    union: counts?.union ?? null,
    iou: counts ? sampleIou(counts.intersection, counts.union) : null,
    latencyMs: chat.latencyMs,
    model: chat.model ?? input.endpoint.model,
  }
}

/** I and U of a mask against the sample's ground truth, ignore pixels excluded; null is an empty mask. */
export function sampleCounts(sample: SampleRow, mask: Rle | null): { intersection: number; union: number } {
  const size: [number, number] = [sample.height, sample.width]
  const gt = fromCoco({ size, counts: sample.gt_rle })
  const ignore = sample.ignore_rle ? fromCoco({ size, counts: sample.ignore_rle }) : null
  return maskCounts(mask, gt, ignore)
}

/**
 * No objects (an unparseable or empty answer) is an empty mask, as in the reference evaluation; objects are
 * segmented one by one and OR-ed by the engine; objects without an engine give no mask at all.
 */
async function segmentAnswer(
  deps: AskDeps,
  sample: SampleRow,
  rgb: RgbImage,
  parsed: ParsedAnswer,
): Promise<{ mask: Rle | null; score: number | null; segmenter: string | null }> {
  if (parsed.objects.length === 0)
    return { mask: emptyRle(sample.height, sample.width), score: null, segmenter: null }
  if (!deps.segmenter) return { mask: null, score: null, segmenter: null }
  const r = await segmentObjects(deps.segmenter, sample.media_hash, rgb, parsed.objects, deps.signal)
  return { mask: r.mask, score: r.score, segmenter: deps.segmenter.info.id }
}

/** Re-asks one sample and stores the attempt as a variant of `runId` (the run being inspected). */
export async function reaskAndStore(
  deps: AskDeps,
  input: {
    runId: number | null
    sampleId: number
    query?: string | null
    template: TemplateRecord
    endpoint: EndpointSettings
  },
): Promise<VariantRecord> {
  const out = await askSample(deps, input)
  return insertVariant(deps.project.db, {
    runId: input.runId,
    sampleId: input.sampleId,
    query: out.query,
    templateName: input.template.name,
    templateVersion: input.template.version,
    endpointName: input.endpoint.name,
    model: out.model,
    rawOutput: out.rawOutput,
    reasoning: out.parsed.reasoning,
    answer: out.parsed.answerText,
    parseError: out.parsed.parseError,
    prompts: out.parsed.objects,
    maskRle: out.mask ? toCoco(out.mask).counts : null,
    segmenter: out.segmenter,
    intersection: out.intersection,
    union: out.union,
    iou: out.iou,
    latencyMs: out.latencyMs,
  })
}
