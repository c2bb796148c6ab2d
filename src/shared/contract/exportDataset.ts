/** Exporting a dataset (ReasonSeg hf-parquet, LISA json polygons, COCO instances) as a background job. */
import { z } from 'zod'
import { defineMethod } from './define'
import { gtWhichSchema } from './gt'

export const exportFormatSchema = z.enum(['hf-parquet', 'lisa', 'coco'])

export const exportDatasetMethods = {
  exportDataset: defineMethod({
    description:
      'Starts exporting a dataset of the project into a folder on the machine running the backend, as a ' +
      'background job; progress and the outcome arrive as job events. The folder appears only once the ' +
      'export is complete; an existing non-empty folder is refused unless force is set.',
    input: z
      .object({
        dataset: z.string().min(1),
        format: exportFormatSchema,
        out: z.string().min(1),
        gt: gtWhichSchema.default('original'),
        excludeFlagged: z.boolean().default(false),
        force: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
}
