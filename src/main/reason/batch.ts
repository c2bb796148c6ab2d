/**
 * Batch re-asking: every sample of a run (or a dataset) sent to an endpoint with one template, stored as a new
 * run of kind 'reasoned'. A bounded pool of workers keeps N requests in flight; each finished sample is
 * committed at once, so a crash or a cancel loses nothing finished, and running the same command again skips
 * the samples already in the output run (resume). Failed requests (after the client's retries) are reported
 * and left out, so the next run retries them.
 */
import type { Segmenter } from '../engine/types'
import type { Db, Project } from '../store/project'
import { createRun, deleteRun, getRun, getRunByName, upsertPrediction } from '../store/runs'
import { VlmRequestError, type EndpointSettings, type RetryPolicy } from './client'
import { sampleIou } from '../../shared/domain/metrics'
import { askSample, ModelImageCache, sampleCounts } from './reask'
import type { TemplateRecord } from './store'

export interface BatchOptions {
  source: { runId: number } | { datasetId: number }
  outRunName: string
  endpoint: EndpointSettings
  template: TemplateRecord
  apiKey: string | null
  segmenter: Segmenter | null
  concurrency: number
  limit?: number | null
  signal?: AbortSignal
  onProgress?: (p: BatchProgress) => void
  retry?: Partial<RetryPolicy>
}

export interface BatchProgress {
  /** Samples finished in this invocation (stored or failed). */
  done: number
  /** Samples this invocation set out to do (after skipping those already stored). */
  total: number
  failed: number
  skipped: number
  parseErrors: number
}

export interface BatchSummary extends BatchProgress {
  runId: number
  cancelled: boolean
  /** First failures, "sample <id>: <message>". */
  errors: string[]
  meanLatencyMs: number | null
}

/** HTTP statuses that mean the endpoint settings are wrong rather than a sample being unlucky. */
const CONFIG_ERRORS = new Set([400, 401, 403, 404])

interface RunMeta {
  reason?: {
    endpoint: { name: string; model: string; baseUrl: string }
    template: { name: string; version: number }
  }
}

/**
 * The samples a batch works on, in id order: those a run answered (the run becomes the parent of the new
 * one), or every sample of a dataset.
 */
export function sourceSamples(
  db: Db,
  source: BatchOptions['source'],
): { datasetId: number; parentRunId: number | null; ids: number[] } {
  if ('runId' in source) {
    const from = getRun(db, source.runId)
    if (!from) throw new Error(`no run ${source.runId}`)
    const ids = db
      .prepare('SELECT sample_id FROM predictions WHERE run_id = ? ORDER BY sample_id')
      .pluck()
      .all(from.id) as number[]
    return { datasetId: from.dataset_id, parentRunId: from.id, ids }
  }
  const ids = db
    .prepare('SELECT id FROM samples WHERE dataset_id = ? ORDER BY id')
    .pluck()
    .all(source.datasetId) as number[]
  return { datasetId: source.datasetId, parentRunId: null, ids }
}

export async function runReasonBatch(project: Project, opts: BatchOptions): Promise<BatchSummary> {
  const { db } = project
  if (!(Number.isInteger(opts.concurrency) && opts.concurrency >= 1))
    throw new Error('concurrency must be >= 1')
  const { datasetId, parentRunId, ids } = sourceSamples(db, opts.source)
  const sampleIds = opts.limit != null ? ids.slice(0, opts.limit) : ids

  const meta: RunMeta = {
    reason: {
      endpoint: { name: opts.endpoint.name, model: opts.endpoint.model, baseUrl: opts.endpoint.baseUrl },
      template: { name: opts.template.name, version: opts.template.version },
    },
  }
  let runId: number
  const existing = getRunByName(db, opts.outRunName)
  if (existing) {
    const prev = existing.meta_json ? (JSON.parse(existing.meta_json) as RunMeta) : {}
    const same =
      existing.kind === 'reasoned' &&
      existing.dataset_id === datasetId &&
      prev.reason?.template.name === opts.template.name &&
      prev.reason?.template.version === opts.template.version &&
      prev.reason?.endpoint.model === opts.endpoint.model
    if (!same) {
      throw new Error(
        `run '${opts.outRunName}' already exists and was not made by this command with template ` +
          `${opts.template.name} v${opts.template.version} and model ${opts.endpoint.model}; choose another --out-run`,
      )
    }
    runId = existing.id
  } else {
    runId = createRun(db, {
      datasetId,
      name: opts.outRunName,
      kind: 'reasoned',
      source: `${opts.endpoint.baseUrl} (${opts.endpoint.name})`,
      model: opts.endpoint.model,
      parentRunId,
      meta,
    })
  }

  const done = new Set(
    (
      db.prepare('SELECT sample_id FROM predictions WHERE run_id = ?').all(runId) as { sample_id: number }[]
    ).map((r) => r.sample_id),
  )
  const todo = sampleIds.filter((id) => !done.has(id))
  const progress: BatchProgress = {
    done: 0,
    total: todo.length,
    failed: 0,
    skipped: sampleIds.length - todo.length,
    parseErrors: 0,
  }
  const errors: string[] = []
  let latencySum = 0
  let latencyN = 0
  const images = new ModelImageCache(Math.max(4, opts.concurrency * 2))
  const insert = db.transaction((p: Parameters<typeof upsertPrediction>[1]) => upsertPrediction(db, p))
  opts.onProgress?.({ ...progress })

  // A configuration error (wrong model name, bad key) fails every sample the same way: when the first answers
  // are such errors and nothing has succeeded, stop instead of sending the whole dataset to fail.
  const stop = new AbortController()
  const onOuterAbort = () => stop.abort()
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true })
  if (opts.signal?.aborted) stop.abort()
  let fatal: Error | null = null
  let succeeded = 0

  let next = 0
  const worker = async () => {
    while (next < todo.length && !stop.signal.aborted) {
      const sampleId = todo[next++]
      try {
        const out = await askSample(
          {
            project,
            segmenter: opts.segmenter,
            apiKey: opts.apiKey,
            signal: stop.signal,
            images,
            retry: opts.retry,
          },
          { sampleId, template: opts.template, endpoint: opts.endpoint },
        )
        // Without an engine the prediction keeps its prompts and counts as an empty mask until re-segmented.
        const { intersection, union } =
          out.intersection !== null && out.union !== null
            ? { intersection: out.intersection, union: out.union }
            : sampleCounts(out.sample, null)
        insert({
          runId,
          sampleId,
          rawOutput: out.rawOutput,
          reasoning: out.parsed.reasoning,
          answer: out.parsed.answerText,
          parseError: out.parsed.parseError,
          prompts: out.parsed.objects,
          mask: out.mask,
          score: out.score,
          intersection,
          union,
          iou: sampleIou(intersection, union),
        })
        if (out.parsed.parseError) progress.parseErrors++
        latencySum += out.latencyMs
        latencyN++
        succeeded++
      } catch (err) {
        if (stop.signal.aborted) break
        if (
          succeeded === 0 &&
          err instanceof VlmRequestError &&
          err.kind === 'http' &&
          CONFIG_ERRORS.has(err.status ?? 0)
        ) {
          fatal = err
          stop.abort()
          break
        }
        progress.failed++
        if (errors.length < 20)
          errors.push(`sample ${sampleId}: ${err instanceof Error ? err.message : String(err)}`)
      }
      progress.done++
      opts.onProgress?.({ ...progress })
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, Math.max(1, todo.length)) }, worker))
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort)
  }
  if (fatal) {
    // Leave no empty run behind, so the corrected command can reuse the name.
    if (!existing && succeeded === 0) deleteRun(db, runId)
    throw fatal
  }
  return {
    ...progress,
    runId,
    cancelled: Boolean(opts.signal?.aborted),
    errors,
    meanLatencyMs: latencyN ? latencySum / latencyN : null,
  }
}
