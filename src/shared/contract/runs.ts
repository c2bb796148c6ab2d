/** Runs: importing a model's outputs on a dataset (the `reseg import run` importer) as a background job. */
import { z } from 'zod'
import { defineMethod } from './define'

export const runFormatSchema = z.enum(['auto', 'jsonl', 'segzero', 'visionreasoner'])

export const runsMethods = {
  importRun: defineMethod({
    description:
      'Starts importing a run file or folder (a path on the machine running the backend) as a background job, ' +
      'with the options of `reseg import run`. The import is one transaction: a bad line fails the job with ' +
      "'file:line: what is wrong' in its message and leaves the project unchanged, unless skipBad is set.",
    input: z
      .object({
        path: z.string().min(1),
        name: z.string().trim().min(1).max(200),
        format: runFormatSchema.default('auto'),
        /** Needed only when the project has several datasets and the records do not say which. */
        dataset: z.string().min(1).optional(),
        /** Model name stored with the run (defaults to Seg-Zero / VisionReasoner for those formats). */
        model: z.string().min(1).optional(),
        replace: z.boolean().default(false),
        skipBad: z.boolean().default(false),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
}
