/**
 * `reseg rollouts`: K sampled answers per sample (GRPO's group), each scored with a Seg-Zero reward against
 * the sample's ground truth, segmented, and stored with its group-normalised advantage.
 *
 * - Requests: OpenAI's `n` where the endpoint honours it (learned from its first answer), else one request
 *   per rollout; a reply with fewer choices than asked is topped up by further requests.
 * - Endpoints form a pool (fewest in flight; a failing endpoint is benched and the run goes on).
 * - Concurrency is the number of samples worked on at once, i.e. requests in flight.
 * - Segmentation: a group's rollouts are segmented one after another on the same image key, so the engine
 *   computes one image embedding per sample and K prompt decodes.
 * - Resumable: each rollout is committed as soon as it is scored and segmented; a rollout that got no answer
 *   is stored with its error and asked again next time; complete groups are never asked again.
 * - The run is a normal run too: each complete group writes the sample's prediction (the first rollout, the
 *   best-rewarded one, or a separate greedy answer), so metrics, reports and comparison work unchanged.
 */
import { parseSegZeroOutput } from '../../shared/domain/answer'
import { sampleIou } from '../../shared/domain/metrics'
import { decodeRowMajor, fromCoco, toCoco, type Rle } from '../../shared/domain/rle'
import { rewardGroundTruth } from '../../shared/domain/rewards/groundTruth'
import {
  groundTruthString,
  scoreRollout,
  thinkLength,
  type RewardKind,
} from '../../shared/domain/rewards/score'
import { renderTemplate } from '../../shared/domain/reasonTemplates'
import { emptyRle } from '../../shared/domain/rle'
import { segmentObjects } from '../engine/batch'
import type { RgbImage, Segmenter } from '../engine/types'
import { sourceSamples } from '../reason/batch'
import { buildMessages, ModelImageCache, sampleCounts } from '../reason/reask'
import type { TemplateRecord } from '../reason/store'
import type { Db, Project } from '../store/project'
import { createRun, getRunByName, upsertPrediction } from '../store/runs'
import { getSample, type SampleRow } from '../store/samples'
import type { EndpointPool } from './pool'
import { ensureGroup, finalizeGroup, getGroup, listRollouts, putRollout, type RolloutRow } from './store'

export const PICKS = ['first', 'best-reward', 'greedy'] as const
export type Pick = (typeof PICKS)[number]

export interface RolloutRunOptions {
  source: { runId: number } | { datasetId: number }
  outRunName: string
  pool: EndpointPool
  /** Endpoint settings of the pool's model, for the run's record (names, model). */
  model: string
  k: number
  temperature: number
  template: TemplateRecord
  reward: RewardKind
  pick: Pick
  segmenter: Segmenter | null
  concurrency: number
  limit?: number | null
  signal?: AbortSignal
  onProgress?: (p: RolloutProgress) => void
  /** Per-sample `solution` strings (training data); other samples get GT derived from the mask. */
  solutions?: Map<number, string>
}

export interface RolloutProgress {
  /** Samples finished in this invocation (complete or not). */
  done: number
  total: number
  /** Samples whose group was already complete (never asked again). */
  skipped: number
  completeGroups: number
  requests: number
  rolloutErrors: number
}

export interface RolloutRunSummary extends RolloutProgress {
  runId: number
  cancelled: boolean
  errors: string[]
  /** Samples whose ground truth was derived from the mask (no `solution`). */
  derivedGt: number
}

export interface RolloutRunMeta {
  rollouts: {
    k: number
    temperature: number
    reward: RewardKind
    template: string
    templateVersion: number
    pick: Pick
  }
}

/** Creates the output run, or checks that an existing one was made with the same settings (resume). */
export function openRolloutRun(
  project: Project,
  o: {
    name: string
    datasetId: number
    parentRunId: number | null
    model: string
    source: string
    meta: RolloutRunMeta
  },
): number {
  const { db } = project
  const existing = getRunByName(db, o.name)
  if (!existing) {
    return createRun(db, {
      datasetId: o.datasetId,
      name: o.name,
      kind: 'reasoned',
      source: o.source,
      model: o.model,
      parentRunId: o.parentRunId,
      meta: o.meta,
    })
  }
  const prev = existing.meta_json ? (JSON.parse(existing.meta_json) as Partial<RolloutRunMeta>) : {}
  const a = prev.rollouts
  const b = o.meta.rollouts
  if (
    !a ||
    existing.dataset_id !== o.datasetId ||
    a.k !== b.k ||
    a.reward !== b.reward ||
    a.template !== b.template ||
    a.pick !== b.pick
  ) {
    throw new Error(
      `run '${o.name}' exists and was not made by 'reseg rollouts' with k=${b.k}, reward ${b.reward}, ` +
        `template ${b.template} and pick ${b.pick}; choose another --out-run`,
    )
  }
  return existing.id
}

/** The mask a rollout's objects give, or null without an engine (then only prompts are kept). */
export async function segmentRollout(
  segmenter: Segmenter | null,
  sample: SampleRow,
  rgb: RgbImage | null,
  objects: ReturnType<typeof parseSegZeroOutput>['objects'],
  signal?: AbortSignal,
): Promise<Rle | null> {
  if (objects.length === 0) return emptyRle(sample.height, sample.width)
  if (!segmenter || !rgb) return null
  return (await segmentObjects(segmenter, sample.media_hash, rgb, objects, signal)).mask
}

/** The ground truth a sample's rewards are scored against: the given solution, else derived from its mask. */
export function rewardGroundTruthOf(sample: SampleRow, solution: string | null) {
  return rewardGroundTruth({
    solution,
    mask: decodeRowMajor(fromCoco({ size: [sample.height, sample.width], counts: sample.gt_rle })),
    width: sample.width,
    height: sample.height,
  })
}

/** What a stored rollout holds of one answer: its parse, reward terms and mask with I/U/IoU. */
export function answeredRollout(
  sample: SampleRow,
  text: string,
  score: ReturnType<typeof scoreRollout>,
  parsed: ReturnType<typeof parseSegZeroOutput>,
  mask: Rle | null,
) {
  const counts = mask ? sampleCounts(sample, mask) : null
  return {
    rawText: text,
    error: null,
    objects: parsed.objects,
    parseError: parsed.parseError,
    terms: score.terms,
    reward: score.total,
    formatOk: score.formatOk,
    thinkChars: thinkLength(text),
    maskRle: mask ? toCoco(mask).counts : null,
    intersection: counts?.intersection ?? null,
    union: counts?.union ?? null,
    iou: counts ? sampleIou(counts.intersection, counts.union) : null,
  }
}

export async function runRollouts(project: Project, opts: RolloutRunOptions): Promise<RolloutRunSummary> {
  const { db } = project
  if (!(Number.isInteger(opts.k) && opts.k >= 1)) throw new Error('k must be >= 1')
  if (!(Number.isInteger(opts.concurrency) && opts.concurrency >= 1))
    throw new Error('concurrency must be >= 1')
  const src = sourceSamples(db, opts.source)
  const ids = opts.limit != null ? src.ids.slice(0, opts.limit) : src.ids
  const meta: RolloutRunMeta = {
    rollouts: {
      k: opts.k,
      temperature: opts.temperature,
      reward: opts.reward,
      template: opts.template.name,
      templateVersion: opts.template.version,
      pick: opts.pick,
    },
  }
  const runId = openRolloutRun(project, {
    name: opts.outRunName,
    datasetId: src.datasetId,
    parentRunId: src.parentRunId,
    model: opts.model,
    source: `rollouts: k=${opts.k}, T=${opts.temperature}, reward ${opts.reward}`,
    meta,
  })
  // Done = complete group with its prediction written (a greedy pick whose extra request failed is not done).
  const completeIds = new Set(
    (
      db
        .prepare(
          `SELECT g.sample_id FROM rollout_groups g JOIN predictions p ON p.run_id = g.run_id AND p.sample_id = g.sample_id
           WHERE g.run_id = ? AND g.complete = 1`,
        )
        .all(runId) as { sample_id: number }[]
    ).map((r) => r.sample_id),
  )
  const todo = ids.filter((id) => !completeIds.has(id))
  const progress: RolloutProgress = {
    done: 0,
    total: todo.length,
    skipped: ids.length - todo.length,
    completeGroups: 0,
    requests: 0,
    rolloutErrors: 0,
  }
  const errors: string[] = []
  let derivedGt = 0
  const images = new ModelImageCache(Math.max(4, opts.concurrency * 2))
  opts.onProgress?.({ ...progress })

  const doSample = async (sampleId: number) => {
    const sample = getSample(db, sampleId)
    if (!sample) throw new Error(`no sample ${sampleId}`)
    let group = getGroup(db, runId, sampleId)
    if (!group) {
      const gt = rewardGroundTruthOf(sample, opts.solutions?.get(sampleId) ?? null)
      ensureGroup(db, {
        runId,
        sampleId,
        k: opts.k,
        rewardKind: opts.reward,
        gtSource: gt.source,
        gtSolution: groundTruthString(opts.reward, gt),
      })
      group = getGroup(db, runId, sampleId)
      if (!group) throw new Error(`group of sample ${sampleId} was not stored`)
    }
    if (group.gt_source === 'derived') derivedGt++
    const answered = new Set(
      listRollouts(db, runId, sampleId)
        .filter((r) => r.error === null)
        .map((r) => r.idx),
    )
    let missing = Array.from({ length: opts.k }, (_, i) => i).filter((i) => !answered.has(i))
    const { rgb, dataUrl } = await images.get(project, sample.media_hash, opts.template.inputSize)
    const messages = buildMessages(dataUrl, renderTemplate(opts.template, sample.query))
    const gtString = group.gt_solution
    if (group.complete) {
      // Complete but without its prediction (the greedy answer failed last time): only that is left to do.
      await writePrediction(sample, rgb, messages)
      return
    }

    const store = async (
      idx: number,
      text: string,
      finishReason: string | null,
      endpoint: string,
      latencyMs: number,
      tokens: { prompt: number | null; completion: number | null },
    ) => {
      const score = scoreRollout(opts.reward, text, gtString)
      const parsed = parseRolloutText(text, sample, opts.template)
      const mask = await segmentRollout(opts.segmenter, sample, rgb, parsed.objects, opts.signal)
      putRollout(db, {
        runId,
        sampleId,
        idx,
        ...answeredRollout(sample, text, score, parsed, mask),
        latencyMs,
        promptTokens: tokens.prompt,
        completionTokens: tokens.completion,
        endpoint,
        finishReason,
      })
    }

    while (missing.length > 0) {
      let reply
      try {
        progress.requests++
        reply = await opts.pool.ask(messages, missing.length, opts.signal)
      } catch (err) {
        if (opts.signal?.aborted) return
        const message = err instanceof Error ? err.message : String(err)
        // No answer: each missing rollout records why, and is asked again on resume.
        for (const idx of missing) {
          putRollout(db, {
            runId,
            sampleId,
            idx,
            rawText: null,
            error: message,
            objects: [],
            parseError: null,
            terms: null,
            reward: null,
            formatOk: null,
            thinkChars: null,
            maskRle: null,
            intersection: null,
            union: null,
            iou: null,
            latencyMs: null,
            promptTokens: null,
            completionTokens: null,
            endpoint: null,
            finishReason: null,
          })
        }
        progress.rolloutErrors += missing.length
        if (errors.length < 20) errors.push(`sample ${sampleId}: ${message}`)
        return
      }
      const { result, endpoint } = reply
      const choices = result.choices.slice(0, missing.length)
      // Usage covers every choice of the reply: per rollout only when the reply held one.
      const single = result.choices.length === 1
      for (let c = 0; c < choices.length; c++) {
        await store(missing[c], choices[c].text, choices[c].finishReason, endpoint, result.latencyMs, {
          prompt: single ? (result.usage?.promptTokens ?? null) : null,
          completion: single ? (result.usage?.completionTokens ?? null) : null,
        })
      }
      missing = missing.slice(choices.length)
    }
    if (!finalizeGroup(db, runId, sampleId)) return
    progress.completeGroups++
    await writePrediction(sample, rgb, messages)
  }

  const writePrediction = async (
    sample: SampleRow,
    rgb: RgbImage,
    messages: ReturnType<typeof buildMessages>,
  ) => {
    const rows = listRollouts(db, runId, sample.id)
      .filter((r) => r.error === null)
      .slice(0, opts.k)
    if (opts.pick === 'greedy') {
      // One extra answer at temperature 0 (the reference evaluation's decoding); not a rollout.
      const { result } = await opts.pool.ask(messages, 1, opts.signal, 0)
      const parsed = parseRolloutText(result.text, sample, opts.template)
      const mask = await segmentRollout(opts.segmenter, sample, rgb, parsed.objects, opts.signal)
      putRolloutPrediction(db, runId, sample, result.text, parsed, mask)
    } else {
      const chosen = opts.pick === 'best-reward' ? bestByReward(rows) : rows[0]
      const text = chosen.raw_text ?? ''
      const mask = chosen.mask_rle
        ? fromCoco({ size: [sample.height, sample.width], counts: chosen.mask_rle })
        : null
      putRolloutPrediction(db, runId, sample, text, parseRolloutText(text, sample, opts.template), mask)
    }
  }

  let next = 0
  const worker = async () => {
    while (next < todo.length && !opts.signal?.aborted) {
      const sampleId = todo[next++]
      try {
        await doSample(sampleId)
      } catch (err) {
        if (opts.signal?.aborted) break
        if (errors.length < 20)
          errors.push(`sample ${sampleId}: ${err instanceof Error ? err.message : String(err)}`)
      }
      progress.done++
      opts.onProgress?.({ ...progress })
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, Math.max(1, todo.length)) }, worker))
  return { ...progress, runId, cancelled: Boolean(opts.signal?.aborted), errors, derivedGt }
}

/** A rollout's answer read as its template asks the model to write it (coordinates in the model's input size). */
export function parseRolloutText(
  text: string,
  sample: SampleRow,
  template: { inputSize: TemplateRecord['inputSize'] },
): ReturnType<typeof parseSegZeroOutput> {
  return parseSegZeroOutput(
    text,
    { width: sample.width, height: sample.height },
    { inputSize: template.inputSize },
  )
}

/** Stores one answer of a rollout run as the sample's prediction, scored on its mask, so metrics and reports work. */
export function putRolloutPrediction(
  db: Db,
  runId: number,
  sample: SampleRow,
  text: string,
  parsed: ReturnType<typeof parseSegZeroOutput>,
  mask: Rle | null,
): void {
  const counts = sampleCounts(sample, mask)
  upsertPrediction(db, {
    runId,
    sampleId: sample.id,
    rawOutput: text,
    reasoning: parsed.reasoning,
    answer: parsed.answerText,
    parseError: parsed.parseError,
    prompts: parsed.objects,
    mask,
    intersection: counts.intersection,
    union: counts.union,
    iou: sampleIou(counts.intersection, counts.union),
  })
}

/** Highest reward; the lowest index among equals. */
export function bestByReward(rows: RolloutRow[]): RolloutRow {
  let best = rows[0]
  for (const r of rows) if ((r.reward ?? -Infinity) > (best.reward ?? -Infinity)) best = r
  return best
}
