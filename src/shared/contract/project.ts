/** Project-level methods: what the project holds, and background jobs. */
import { z } from 'zod'
import { defineMethod } from './define'
import { jobSchema } from './events'

export const runSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  datasetId: z.number().int(),
  kind: z.string(),
  model: z.string().nullable(),
  parentRunId: z.number().int().nullable(),
  predictions: z.number().int(),
  /** Predictions holding prompts but no mask: not segmented yet (no IoU until segmentRun). */
  notSegmented: z.number().int(),
  createdAt: z.string(),
})
export type RunSummary = z.infer<typeof runSummarySchema>

export const datasetSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  format: z.string(),
  split: z.string().nullable(),
  samples: z.number().int(),
})

export const projectMethods = {
  getProjectInfo: defineMethod({
    description: 'Name and location of the open project, its datasets and runs.',
    input: z.object({}).strict(),
    output: z.object({
      name: z.string(),
      dir: z.string(),
      schemaVersion: z.number().int(),
      datasets: z.array(datasetSummarySchema),
      runs: z.array(runSummarySchema),
    }),
  }),
  listJobs: defineMethod({
    description: 'Background jobs of this session (imports, precompute, batch runs) with their progress.',
    input: z.object({}).strict(),
    output: z.array(jobSchema),
  }),
  cancelJob: defineMethod({
    description: 'Asks a running background job to stop; it ends with status "cancelled".',
    input: z.object({ jobId: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  }),
}
