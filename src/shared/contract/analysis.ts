/**
 * Error analysis: breakdowns with bootstrap intervals, run comparison, stage attribution (reasoning /
 * localization vs segmentation failure against an oracle run) and report export.
 */
import { z } from 'zod'
import { defineMethod } from './define'
import { gtOptionsInput, gtUsageSchema, gtWhichSchema } from './gt'

export const intervalSchema = z.object({ value: z.number(), lo: z.number(), hi: z.number() })

export const dimensionSchema = z.enum(['tag', 'queryKind', 'objectSize', 'imageSize'])

export const groupRowSchema = z.object({
  key: z.string(),
  label: z.string(),
  n: z.number().int(),
  missing: z.number().int(),
  gIoU: intervalSchema,
  cIoU: intervalSchema,
})

export const runAnalysisSchema = z.object({
  runId: z.number().int(),
  runName: z.string(),
  model: z.string().nullable(),
  n: z.number().int(),
  missing: z.number().int(),
  /** Samples left out: prompts but no mask. While any remain, gIoU / cIoU cover only the n scored ones. */
  notSegmented: z.number().int(),
  gIoU: intervalSchema,
  cIoU: intervalSchema,
  breakdowns: z.array(
    z.object({ dimension: dimensionSchema, label: z.string(), rows: z.array(groupRowSchema) }),
  ),
  histogram: z.array(z.object({ lo: z.number(), hi: z.number(), count: z.number().int() })),
  cumulative: z.array(z.object({ t: z.number(), atLeast: z.number() })),
  bootstrap: z.object({ iterations: z.number().int(), seed: z.number().int() }),
  gt: gtUsageSchema,
})
export type RunAnalysisDto = z.infer<typeof runAnalysisSchema>

const comparedSampleSchema = z.object({
  sampleId: z.number().int(),
  imageId: z.string(),
  annId: z.string(),
  query: z.string(),
  iouA: z.number(),
  iouB: z.number(),
  delta: z.number(),
})

export const runComparisonSchema = z.object({
  runA: z.object({ id: z.number().int(), name: z.string() }),
  runB: z.object({ id: z.number().int(), name: z.string() }),
  n: z.number().int(),
  /** Samples left out because either run holds prompts but no mask for them. */
  notSegmented: z.number().int(),
  gIoUDiff: intervalSchema,
  cIoUDiff: intervalSchema,
  better: z.number().int(),
  worse: z.number().int(),
  same: z.number().int(),
  /** [sampleId, iouA, iouB] per sample. */
  points: z.array(z.tuple([z.number().int(), z.number(), z.number()])),
  regressions: z.array(comparedSampleSchema),
  improvements: z.array(comparedSampleSchema),
  /** GT usage for run A and run B (they differ only where one run stores no masks). */
  gt: gtUsageSchema,
  gtB: gtUsageSchema,
})
export type RunComparisonDto = z.infer<typeof runComparisonSchema>

export const stageLabelSchema = z.enum(['success', 'localization', 'segmentation'])

export const stageAttributionSchema = z.object({
  runId: z.number().int(),
  oracleRunId: z.number().int(),
  oracleRunName: z.string(),
  thresholds: z.object({ successIou: z.number(), oracleIou: z.number() }),
  gt: z.object({ gt: gtWhichSchema, excludeFlagged: z.boolean() }),
  n: z.number().int(),
  /** Dataset samples without an oracle result (the oracle run covers the samples the run answered). */
  unattributed: z.number().int(),
  summary: z.array(
    z.object({
      label: stageLabelSchema,
      name: z.string(),
      n: z.number().int(),
      share: z.number(),
      meanRunIou: z.number(),
      meanOracleIou: z.number(),
      meanBoxIou: z.number().nullable(),
    }),
  ),
  samples: z.array(
    z.object({
      sampleId: z.number().int(),
      label: stageLabelSchema,
      runIou: z.number(),
      oracleIou: z.number(),
      bboxIou: z.number().nullable(),
    }),
  ),
})
export type StageAttributionDto = z.infer<typeof stageAttributionSchema>

const bootstrapInput = {
  seed: z.number().int().optional(),
  iterations: z.number().int().min(10).max(100_000).optional(),
}
const threshold = z.number().min(0).max(1)

export const reportFormatSchema = z.enum(['html', 'csv', 'json', 'coco', 'pdf'])

export const analysisMethods = {
  analyzeRun: defineMethod({
    description:
      "A run's headline gIoU / cIoU with bootstrap 95% intervals, breakdowns by failure tag, query kind, object size " +
      'and image size, the IoU histogram and the cumulative curve.',
    input: z.object({ runId: z.number().int(), ...bootstrapInput, ...gtOptionsInput }).strict(),
    output: runAnalysisSchema,
  }),
  analysisSampleIds: defineMethod({
    description:
      'The sample ids behind one bar of the analysis: a breakdown group (dimension + group key) or a histogram bin ' +
      "(dimension 'histogram', key = bin index); the browser filters to them.",
    input: z
      .object({
        runId: z.number().int(),
        dimension: z.union([dimensionSchema, z.literal('histogram')]),
        key: z.string(),
        ...gtOptionsInput,
      })
      .strict(),
    output: z.object({ sampleIds: z.array(z.number().int()) }),
  }),
  compareRuns: defineMethod({
    description:
      'Two runs on the same dataset: per-sample IoU pairs, largest regressions and improvements, and the gIoU / cIoU ' +
      'difference (B − A) with a paired bootstrap 95% interval.',
    input: z
      .object({
        runA: z.number().int(),
        runB: z.number().int(),
        topK: z.number().int().min(1).max(1000).optional(),
        ...bootstrapInput,
        ...gtOptionsInput,
      })
      .strict(),
    output: runComparisonSchema,
  }),
  getStageAttribution: defineMethod({
    description:
      "The run's stored stage attribution (labels, IoUs, summary), or null when none was computed.",
    input: z.object({ runId: z.number().int() }).strict(),
    output: stageAttributionSchema.nullable(),
  }),
  attributeStages: defineMethod({
    description:
      'Labels every sample success / reasoning-localization failure / segmentation failure against an existing ' +
      'oracle run (default: the one used last), with the given thresholds; stores and returns the result.',
    input: z
      .object({
        runId: z.number().int(),
        oracleRunId: z.number().int().optional(),
        successIou: threshold.optional(),
        oracleIou: threshold.optional(),
        ...gtOptionsInput,
      })
      .strict(),
    output: stageAttributionSchema,
  }),
  startStageAttribution: defineMethod({
    description:
      'Background job: segments every sample from an oracle prompt derived from its GT (tight box, optionally an ' +
      'interior point) with the given model into a new run, then attributes stages. Returns the job id.',
    input: z
      .object({
        runId: z.number().int(),
        modelId: z.string().optional(),
        prompts: z.enum(['gt-box', 'gt-box+points']).default('gt-box'),
        outRun: z.string().min(1).optional(),
        successIou: threshold.optional(),
        oracleIou: threshold.optional(),
        ...gtOptionsInput,
      })
      .strict(),
    output: z.object({ jobId: z.string(), outRun: z.string() }),
  }),
  stageLabelsToTags: defineMethod({
    description:
      "Turns the run's stage labels into failure tags in one action (one tag per failure kind, replacing earlier ones).",
    input: z.object({ runId: z.number().int() }).strict(),
    output: z.object({ tags: z.array(z.object({ tag: z.string(), count: z.number().int() })) }),
  }),
  exportReport: defineMethod({
    description:
      'Background job: writes a report of a run (optionally compared with a second) as self-contained HTML, CSV, ' +
      'JSON, COCO results or PDF to a file path on the backend machine. Returns the job id.',
    input: z
      .object({
        runId: z.number().int(),
        compareRunId: z.number().int().nullable().optional(),
        format: reportFormatSchema,
        out: z.string().min(1),
        /** Not for coco: just the samples this user touched in the run (audit log); see `reseg export --author`. */
        author: z.string().min(1).max(200).optional(),
        ...gtOptionsInput,
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
}
