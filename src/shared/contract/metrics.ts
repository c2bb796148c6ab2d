/** Metrics of a run: gIoU, cIoU and per-sample I, U, IoU, as the reference evaluation computes them. */
import { z } from 'zod'
import { defineMethod } from './define'
import { gtOptionsInput, gtUsageSchema } from './gt'

export const iouConventionSchema = z.enum(['segzero', 'lisa'])

export const sampleMetricSchema = z.object({
  sampleId: z.number().int(),
  imageId: z.string(),
  annId: z.string(),
  intersection: z.number().int(),
  union: z.number().int(),
  iou: z.number(),
  /** The run has no prediction for this sample; it is scored as an empty mask. */
  missing: z.boolean(),
  /** The prediction holds prompts but no mask (not segmented): its I/U/IoU are no score. */
  notSegmented: z.boolean(),
})
export type SampleMetricDto = z.infer<typeof sampleMetricSchema>

export const runMetricsSchema = z.object({
  runId: z.number().int(),
  run: z.string(),
  convention: iouConventionSchema,
  n: z.number().int(),
  missing: z.number().int(),
  /** Predictions holding prompts but no mask; while any remain the run is "not segmented" and gIoU/cIoU are null. */
  notSegmented: z.number().int(),
  gIoU: z.number().nullable(),
  cIoU: z.number().nullable(),
  samples: z.array(sampleMetricSchema),
  /** Which ground truth was used (original by default) and how. */
  gt: gtUsageSchema,
})
export type RunMetricsDto = z.infer<typeof runMetricsSchema>

export const metricsMethods = {
  getRunMetrics: defineMethod({
    description:
      "A run's gIoU, cIoU and per-sample I/U/IoU over its whole dataset (missing predictions count as empty masks); " +
      'convention segzero (default: IoU 0 when U = 0) or lisa (IoU 1 when U = 0, +1e-5 on U); ' +
      'gt original (default) or corrected, excludeFlagged leaves flagged samples out.',
    input: z
      .object({ runId: z.number().int(), convention: iouConventionSchema.optional(), ...gtOptionsInput })
      .strict(),
    output: runMetricsSchema,
  }),
}
