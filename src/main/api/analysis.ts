/** Handlers for src/shared/contract/analysis.ts. */
import { ApiError } from '../../shared/contract/define'
import type { analysisMethods } from '../../shared/contract/analysis'
import { compareRuns } from '../analysis/compare'
import { requireRun } from '../analysis/results'
import {
  attributeStages,
  DEFAULT_STAGE_THRESHOLDS,
  getStageAttribution,
  stageLabelsToTags,
} from '../analysis/stages'
import { analyzeRun, selectSampleIds } from '../analysis/summary'
import { segmentRun } from '../engine/batch'
import type { GtOptions } from '../metrics/runMetrics'
import { AuthorFilterError, requireAuthored } from '../reports/authored'
import { exportReport } from '../reports/export'
import { getRunByName } from '../store/runs'
import type { ApiContext, HandlersFor } from './types'

/** The run with that id, or a not_found error listing the project's runs (the suggest handlers use it too). */
export function run(ctx: ApiContext, id: number) {
  try {
    return requireRun(ctx.project.db, id)
  } catch (e) {
    throw new ApiError('not_found', (e as Error).message)
  }
}

function gtOf(input: { gt?: 'original' | 'corrected'; excludeFlagged?: boolean }): GtOptions {
  return { gt: input.gt ?? 'original', excludeFlagged: input.excludeFlagged ?? false }
}

function freeRunName(ctx: ApiContext, base: string): string {
  let name = base
  for (let i = 2; getRunByName(ctx.project.db, name); i++) name = `${base}-${i}`
  return name
}

export const analysisHandlers: HandlersFor<typeof analysisMethods> = {
  analyzeRun: (input, ctx) => {
    const { runId, seed, iterations } = input
    run(ctx, runId)
    return analyzeRun(ctx.project.db, runId, { seed, iterations, gt: gtOf(input) })
  },
  analysisSampleIds: (input, ctx) => {
    const { runId, dimension, key } = input
    run(ctx, runId)
    return { sampleIds: selectSampleIds(ctx.project.db, runId, dimension, key, gtOf(input)) }
  },
  compareRuns: (input, ctx) => {
    const { runA, runB, topK, seed, iterations } = input
    const a = run(ctx, runA)
    const b = run(ctx, runB)
    if (a.dataset_id !== b.dataset_id) {
      throw new ApiError('bad_request', `runs '${a.name}' and '${b.name}' are on different datasets`)
    }
    return compareRuns(ctx.project.db, runA, runB, { topK, seed, iterations, gt: gtOf(input) })
  },
  getStageAttribution: ({ runId }, ctx) => {
    run(ctx, runId)
    return getStageAttribution(ctx.project.db, runId)
  },
  attributeStages: (input, ctx) => {
    const { runId, oracleRunId, successIou, oracleIou } = input
    run(ctx, runId)
    const previous = getStageAttribution(ctx.project.db, runId)
    const oracle = oracleRunId ?? previous?.oracleRunId
    if (oracle == null) {
      throw new ApiError(
        'bad_request',
        'no oracle run: name one, or start a stage attribution that segments from the GT first',
      )
    }
    run(ctx, oracle)
    const base = previous?.thresholds ?? DEFAULT_STAGE_THRESHOLDS
    try {
      return attributeStages(
        ctx.project.db,
        runId,
        oracle,
        { successIou: successIou ?? base.successIou, oracleIou: oracleIou ?? base.oracleIou },
        gtOf(input),
      )
    } catch (e) {
      throw new ApiError('bad_request', (e as Error).message)
    }
  },
  startStageAttribution: (input, ctx) => {
    const target = run(ctx, input.runId)
    // An existing output run is resumed by segmentRun (same source, model and prompts) or refused by it.
    const outRun = input.outRun ?? freeRunName(ctx, `${target.name}-oracle-${input.prompts}`)
    const jobId = ctx.jobs.start(`Stage attribution of ${target.name}`, async (ctl) => {
      const { engine } = ctx
      const oracle = await segmentRun(ctx.project, engine, {
        fromRun: target.id,
        modelId: input.modelId ?? engine.defaultModelId,
        prompts: input.prompts,
        outRun,
        signal: ctl.signal,
        onProgress: (p) => ctl.progress(p.done, p.total, 'segmenting from the GT'),
      })
      const att = attributeStages(
        ctx.project.db,
        target.id,
        oracle.runId,
        {
          successIou: input.successIou ?? DEFAULT_STAGE_THRESHOLDS.successIou,
          oracleIou: input.oracleIou ?? DEFAULT_STAGE_THRESHOLDS.oracleIou,
        },
        gtOf(input),
      )
      return `oracle ${oracle.model.label}: ${att.summary.map((r) => `${r.name} ${r.n}`).join(', ')}`
    })
    return { jobId, outRun }
  },
  stageLabelsToTags: ({ runId }, ctx) => {
    run(ctx, runId)
    if (!getStageAttribution(ctx.project.db, runId)) {
      throw new ApiError('bad_request', 'this run has no stage attribution yet')
    }
    return { tags: stageLabelsToTags(ctx.project.db, runId) }
  },
  exportReport: (input, ctx) => {
    const { runId, compareRunId, format, out, author } = input
    const a = run(ctx, runId)
    if (compareRunId != null) run(ctx, compareRunId)
    // Checked before the job starts, so an unsatisfiable filter is the caller's error, not a failed job.
    if (author != null) {
      try {
        requireAuthored(ctx.project.db, a, author, format)
      } catch (e) {
        if (e instanceof AuthorFilterError) throw new ApiError('bad_request', e.message)
        throw e
      }
    }
    const jobId = ctx.jobs.start(`Export ${format} report of ${a.name}`, async (ctl) => {
      const r = await exportReport(ctx.project, {
        run: runId,
        compare: compareRunId ?? null,
        format,
        out,
        gt: gtOf(input),
        author,
        signal: ctl.signal,
        onProgress: (d, t, phase) => ctl.progress(d, t, phase),
      })
      return `${r.message}: ${r.out}`
    })
    return { jobId }
  },
}
