/**
 * GRPO rollouts: start a rollout run as a background job, read one sample's group (the inspector's rollout
 * strip), the run's rollout analysis, and the sample ids matching a rollout filter (zero-variance groups,
 * reward/IoU disagreement, format failures, best-of-K gain) for the sample list.
 */
import { z } from 'zod'
import { REWARD_KINDS } from '../domain/rewards/score'
import { intervalSchema } from './analysis'
import { defineMethod } from './define'
import { cocoRleSchema, objectPromptSchema } from './samples'

export const rolloutSchema = z.object({
  idx: z.number().int(),
  rawText: z.string().nullable(),
  /** Why this rollout has no answer (request failed); null when it has one. */
  error: z.string().nullable(),
  reasoning: z.string().nullable(),
  objects: z.array(objectPromptSchema),
  parseError: z.string().nullable(),
  terms: z.record(z.string(), z.number()).nullable(),
  reward: z.number().nullable(),
  advantage: z.number().nullable(),
  formatOk: z.boolean().nullable(),
  thinkChars: z.number().int().nullable(),
  mask: cocoRleSchema.nullable(),
  iou: z.number().nullable(),
  latencyMs: z.number().nullable(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  endpoint: z.string().nullable(),
  trainerReward: z.number().nullable(),
})
export type RolloutDto = z.infer<typeof rolloutSchema>

export const rolloutGroupSchema = z.object({
  runId: z.number().int(),
  sampleId: z.number().int(),
  k: z.number().int(),
  reward: z.enum(REWARD_KINDS),
  rewardMax: z.number(),
  /** 'derived': GT prompts derived from the mask as Seg-Zero's data preparation does. */
  gtSource: z.enum(['solution', 'derived']),
  gtSolution: z.string(),
  complete: z.boolean(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  rollouts: z.array(rolloutSchema),
})
export type RolloutGroupDto = z.infer<typeof rolloutGroupSchema>

const disagreementSchema = z.object({
  sampleId: z.number().int(),
  idx: z.number().int(),
  reward: z.number(),
  iou: z.number(),
})

export const rolloutAnalysisSchema = z.object({
  runId: z.number().int(),
  runName: z.string(),
  reward: z.enum(REWARD_KINDS),
  groups: z.number().int(),
  incompleteGroups: z.number().int(),
  derivedGtGroups: z.number().int(),
  rollouts: z.number().int(),
  k: z.number().int(),
  zeroVarianceGroups: z.number().int(),
  zeroVarianceShare: z.number(),
  meanReward: z.number(),
  termPassRates: z.array(z.object({ name: z.string(), max: z.number(), rate: z.number() })),
  formatFailureRate: z.number(),
  threshold: z.number(),
  passAtK: z.array(intervalSchema.extend({ k: z.number().int() })),
  gIoU: z.object({
    greedy: intervalSchema.extend({ n: z.number().int() }).nullable(),
    bestOfK: intervalSchema,
    meanOfK: intervalSchema,
  }),
  greedySource: z.string().nullable(),
  spearman: z.number().nullable(),
  scatter: z.array(
    z.object({ sampleId: z.number().int(), idx: z.number().int(), reward: z.number(), iou: z.number() }),
  ),
  highRewardLowIou: z.array(disagreementSchema),
  lowRewardHighIou: z.array(disagreementSchema),
  thinkLengthByReward: z.array(
    z.object({ reward: z.number(), n: z.number().int(), q1: z.number(), median: z.number(), q3: z.number() }),
  ),
  trainerDisagreements: z.array(
    z.object({ sampleId: z.number().int(), idx: z.number().int(), ours: z.number(), trainer: z.number() }),
  ),
  /** The report section (SVG charts and tables), for the analysis view. */
  html: z.string(),
})
export type RolloutAnalysisDto = z.infer<typeof rolloutAnalysisSchema>

export const ROLLOUT_FILTERS = ['zero-variance', 'disagreement', 'format-failure', 'best-of-k-gain'] as const
export const rolloutFilterSchema = z.enum(ROLLOUT_FILTERS)
export type RolloutFilter = z.infer<typeof rolloutFilterSchema>

export const rolloutsMethods = {
  startRollouts: defineMethod({
    description:
      "Samples K answers per sample from saved endpoints (a pool), scores each with Seg-Zero's reward, segments " +
      'it and stores rewards, advantages and IoUs as a new run, in the background (cancel with cancelJob). ' +
      'Starting it again with the same output run resumes.',
    input: z
      .object({
        datasetId: z.number().int().optional(),
        fromRunId: z.number().int().optional(),
        endpoints: z.array(z.string().min(1)).min(1).max(32),
        k: z.number().int().min(1).max(64).default(8),
        temperature: z.number().min(0).max(2).default(1),
        template: z.string().min(1).default('visionreasoner'),
        reward: z.enum(REWARD_KINDS).default('visionreasoner'),
        pick: z.enum(['first', 'best-reward', 'greedy']).default('first'),
        modelId: z.string().optional(),
        outRun: z.string().trim().min(1).max(200),
        limit: z.number().int().positive().optional(),
        concurrency: z.number().int().min(1).max(256).default(4),
      })
      .strict()
      .refine((v) => (v.datasetId === undefined) !== (v.fromRunId === undefined), {
        message: 'give exactly one of datasetId or fromRunId',
      }),
    output: z.object({ jobId: z.string() }),
  }),
  getRolloutGroup: defineMethod({
    description: "One sample's rollout group in a run (null when the run has no rollouts for it).",
    input: z.object({ runId: z.number().int(), sampleId: z.number().int() }).strict(),
    output: rolloutGroupSchema.nullable(),
  }),
  analyzeRollouts: defineMethod({
    description:
      'Rollout analysis of a run: zero-variance groups, reward and term pass rates, format failures, pass@k with ' +
      'bootstrap CIs, greedy vs best-of-K vs mean-of-K gIoU, reward vs IoU (Spearman), disagreements, think length.',
    input: z
      .object({
        runId: z.number().int(),
        threshold: z.number().min(0).max(1).default(0.5),
        top: z.number().int().min(1).max(100).default(10),
      })
      .strict(),
    output: rolloutAnalysisSchema,
  }),
  rolloutFilterSamples: defineMethod({
    description:
      'Sample ids of a rollout run matching a filter: zero-variance (every rollout the same reward), disagreement ' +
      '(reward and IoU ranks disagree: the best-rewarded rollout is not the best-IoU one by more than `margin` IoU), ' +
      'format-failure (any rollout fails the thinking format), best-of-k-gain (best-of-K IoU exceeds the first ' +
      'rollout by at least `margin`).',
    input: z
      .object({
        runId: z.number().int(),
        filter: rolloutFilterSchema,
        margin: z.number().min(0).max(1).default(0.2),
      })
      .strict(),
    output: z.object({ sampleIds: z.array(z.number().int()) }),
  }),
}
