/** Datasets: what benchmark splits the project holds, and importing one as a background job. */
import { z } from 'zod'
import { defineMethod } from './define'

export const datasetFormatSchema = z.enum(['auto', 'hf-parquet', 'lisa', 'coco', 'folder'])

export const datasetInfoSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  format: z.string(),
  source: z.string().nullable(),
  split: z.string().nullable(),
  samples: z.number().int(),
  images: z.number().int(),
  createdAt: z.string(),
})
export type DatasetInfo = z.infer<typeof datasetInfoSchema>

export const datasetsMethods = {
  listDatasets: defineMethod({
    description: 'Datasets in the project with their sample and distinct-image counts.',
    input: z.object({}).strict(),
    output: z.array(datasetInfoSchema),
  }),
  importDataset: defineMethod({
    description:
      'Starts importing a dataset (a path on the machine running the backend, or hf://owner/name) as a ' +
      'background job; progress and the outcome arrive as job events. The import is one transaction.',
    input: z
      .object({
        source: z.string().min(1),
        format: datasetFormatSchema.default('auto'),
        name: z.string().min(1).optional(),
        split: z.string().min(1).optional(),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
}
