/** Handlers for src/shared/contract/rollouts.ts. */
import { ApiError } from '../../shared/contract/define'
import type { RolloutDto, rolloutsMethods } from '../../shared/contract/rollouts'
import { parseSegZeroOutput } from '../../shared/domain/answer'
import { REWARD_MAX, type RewardKind } from '../../shared/domain/rewards/score'
import { getTemplate } from '../reason/store'
import { analyzeStoredRollouts, hasRollouts, rolloutSection } from '../rollouts/analysis'
import { rolloutFilterSamples } from '../rollouts/filters'
import { runRollouts } from '../rollouts/runner'
import { poolFromEndpoints } from '../rollouts/start'
import { getGroup, listRollouts } from '../rollouts/store'
import { getRun, getRunByName } from '../store/runs'
import { getSample } from '../store/samples'
import type { HandlersFor } from './types'
import { getDataset } from '../store/datasets'

function requireRun(db: Parameters<typeof getRun>[0], runId: number) {
  const run = getRun(db, runId)
  if (!run) throw new ApiError('not_found', `no run with id ${runId} in this project`)
  return run
}

export const rolloutsHandlers: HandlersFor<typeof rolloutsMethods> = {
  startRollouts: async (i, { project, engine, jobs }) => {
    const { db } = project
    let source: { runId: number } | { datasetId: number }
    if (i.fromRunId !== undefined) source = { runId: requireRun(db, i.fromRunId).id }
    else {
      if (!getDataset(db, i.datasetId as number))
        throw new ApiError('not_found', `no dataset with id ${i.datasetId} in this project`)
      source = { datasetId: i.datasetId as number }
    }
    const existing = getRunByName(db, i.outRun)
    if (existing && !hasRollouts(db, existing.id) && existing.kind !== 'reasoned')
      throw new ApiError(
        'conflict',
        `run '${i.outRun}' already exists and is not a rollout run; pick another name`,
      )
    let pool
    let template
    try {
      pool = poolFromEndpoints(db, i.endpoints, i.temperature)
      template = getTemplate(db, i.template)
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      throw new ApiError(msg.startsWith('no ') ? 'not_found' : 'bad_request', msg)
    }
    await engine.ready
    const segmenter = await engine.getSegmenter(i.modelId ?? engine.selectedModelId)
    const jobId = jobs.start(
      `Rollouts → '${i.outRun}' (K=${i.k}, ${i.reward} reward, ${segmenter.info.label})`,
      async (ctl) => {
        const r = await runRollouts(project, {
          source,
          outRunName: i.outRun,
          pool: pool.pool,
          model: pool.model,
          k: i.k,
          temperature: i.temperature,
          template,
          reward: i.reward,
          pick: i.pick,
          segmenter,
          concurrency: i.concurrency,
          limit: i.limit,
          signal: ctl.signal,
          onProgress: (p) => ctl.progress(p.done, p.total, `${p.completeGroups} groups complete`),
        })
        return (
          `${r.completeGroups} groups complete, ${r.skipped} resumed, ${r.rolloutErrors} rollouts without answer` +
          (r.derivedGt ? `; derived GT prompts for ${r.derivedGt} samples` : '')
        )
      },
    )
    return { jobId }
  },

  getRolloutGroup: ({ runId, sampleId }, { project }) => {
    const { db } = project
    requireRun(db, runId)
    const g = getGroup(db, runId, sampleId)
    if (!g) return null
    const sample = getSample(db, sampleId)
    if (!sample) throw new ApiError('not_found', `no sample ${sampleId}`)
    const size: [number, number] = [sample.height, sample.width]
    const rollouts: RolloutDto[] = listRollouts(db, runId, sampleId).map((r) => ({
      idx: r.idx,
      rawText: r.raw_text,
      error: r.error,
      reasoning: r.raw_text
        ? parseSegZeroOutput(r.raw_text, { width: sample.width, height: sample.height }).reasoning
        : null,
      objects: (
        JSON.parse(r.objects_json) as {
          box: [number, number, number, number] | null
          points: RolloutDto['objects'][number]['points']
        }[]
      ).map((o) => (o.box ? { box: o.box, points: o.points } : { points: o.points })),
      parseError: r.parse_error,
      terms: r.terms_json ? (JSON.parse(r.terms_json) as Record<string, number>) : null,
      reward: r.reward,
      advantage: r.advantage,
      formatOk: r.format_ok === null ? null : r.format_ok === 1,
      thinkChars: r.think_chars,
      mask: r.mask_rle ? { size, counts: r.mask_rle } : null,
      iou: r.iou,
      latencyMs: r.latency_ms,
      promptTokens: r.prompt_tokens,
      completionTokens: r.completion_tokens,
      endpoint: r.endpoint,
      trainerReward: r.trainer_reward,
    }))
    const reward = g.reward_kind as RewardKind
    return {
      runId,
      sampleId,
      k: g.k,
      reward,
      rewardMax: REWARD_MAX[reward],
      gtSource: g.gt_source,
      gtSolution: g.gt_solution,
      complete: g.complete === 1,
      mean: g.reward_mean,
      std: g.reward_std,
      rollouts,
    }
  },

  analyzeRollouts: ({ runId, threshold, top }, { project }) => {
    requireRun(project.db, runId)
    if (!hasRollouts(project.db, runId)) throw new ApiError('not_found', `run ${runId} has no rollouts`)
    const a = analyzeStoredRollouts(project.db, runId, { threshold, top })
    return { ...a, html: rolloutSection(a) }
  },

  rolloutFilterSamples: ({ runId, filter, margin }, { project }) => {
    requireRun(project.db, runId)
    return { sampleIds: rolloutFilterSamples(project.db, runId, filter, margin) }
  },
}
