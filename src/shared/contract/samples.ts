/**
 * Browsing samples: the paged, sorted, filtered list the inspector scrolls through and the full detail of
 * one sample (image, GT, the run's prediction, the current prompt edit, tags and note).
 */
import { z } from 'zod'
import { defineMethod } from './define'

export const cocoRleSchema = z.object({
  size: z.tuple([z.number().int(), z.number().int()]),
  counts: z.string(),
})

export const promptPointSchema = z.object({
  x: z.number(),
  y: z.number(),
  label: z.union([z.literal(0), z.literal(1)]),
})
export const objectPromptSchema = z.object({
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  points: z.array(promptPointSchema),
})

export const sortKeySchema = z.enum([
  'id',
  'imageId',
  'query',
  'iou',
  'compareIou',
  'deltaIou',
  'width',
  'height',
  'pixels',
  'gtArea',
  'tags',
  'missing',
  'parseError',
])
export type SortKey = z.infer<typeof sortKeySchema>

export const sampleFilterSchema = z
  .object({
    /** Inclusive IoU range of the selected run; samples without a prediction never match a range. */
    iouMin: z.number().optional(),
    iouMax: z.number().optional(),
    /** Inclusive range of IoU(run) − IoU(compare run); needs compareRunId. */
    deltaMin: z.number().optional(),
    deltaMax: z.number().optional(),
    /** Samples carrying any of these tags (for the selected run). */
    tagIds: z.array(z.number().int()).optional(),
    untagged: z.boolean().optional(),
    /** true: only samples the run has no prediction for; false: only samples it has one for. */
    missing: z.boolean().optional(),
    /** true: only predictions whose answer failed to parse; false: only those that parsed. */
    parseError: z.boolean().optional(),
    /** Case-insensitive substring over the query, the reasoning and the raw output. */
    text: z.string().optional(),
    minWidth: z.number().int().optional(),
    maxWidth: z.number().int().optional(),
    minHeight: z.number().int().optional(),
    maxHeight: z.number().int().optional(),
    /** Restricts the list to these samples (a selection made in the analysis view). */
    sampleIds: z.array(z.number().int()).optional(),
  })
  .strict()
export type SampleFilter = z.infer<typeof sampleFilterSchema>

export const sampleQuerySchema = z
  .object({
    runId: z.number().int().nullable().optional(),
    compareRunId: z.number().int().nullable().optional(),
    /** Used when no run is selected; defaults to the first dataset. */
    datasetId: z.number().int().nullable().optional(),
    filter: sampleFilterSchema.default({}),
    sort: z.object({ key: sortKeySchema, dir: z.enum(['asc', 'desc']) }).default({ key: 'id', dir: 'asc' }),
  })
  .strict()
export type SampleQuery = z.input<typeof sampleQuerySchema>

export const sampleRowSchema = z.object({
  id: z.number().int(),
  imageId: z.string(),
  annId: z.string(),
  query: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  gtArea: z.number().int(),
  iou: z.number().nullable(),
  compareIou: z.number().nullable(),
  deltaIou: z.number().nullable(),
  missing: z.boolean(),
  /** The prediction holds prompts but no mask: not segmented yet; `iou` is then null, not 0. */
  notSegmented: z.boolean(),
  parseError: z.boolean(),
  edited: z.boolean(),
  hasNote: z.boolean(),
  tagIds: z.array(z.number().int()),
})
export type SampleRow = z.infer<typeof sampleRowSchema>

/** One object of a multi-object answer: its own mask and its IoU against the GT piece it matched. */
export const objectResultSchema = z.object({
  /** The caller's object id (stable across deletions), else the object's position as text. */
  id: z.string(),
  mask: cocoRleSchema,
  score: z.number(),
  /** SAM's iterative refinement: the previous step's logits of this object were sent as mask_input. */
  refined: z.boolean(),
  /** Index of the GT piece matched one-to-one on mask IoU (GT objects, else its connected components). */
  gtIndex: z.number().int().nullable(),
  intersection: z.number().int(),
  union: z.number().int(),
  iou: z.number(),
})
export type ObjectResult = z.infer<typeof objectResultSchema>

export const predictionSchema = z.object({
  runId: z.number().int(),
  rawOutput: z.string().nullable(),
  reasoning: z.string().nullable(),
  answer: z.string().nullable(),
  parseError: z.string().nullable(),
  prompts: z.array(objectPromptSchema).nullable(),
  mask: cocoRleSchema.nullable(),
  score: z.number().nullable(),
  intersection: z.number(),
  union: z.number(),
  iou: z.number(),
  bboxIou: z.number().nullable(),
  /** Per-object masks and IoU when the run's masks were made here (segmented runs, variants); else null. */
  objects: z.array(objectResultSchema).nullable().optional(),
})
export type Prediction = z.infer<typeof predictionSchema>

export const promptEditSchema = z.object({
  id: z.number().int(),
  prompts: z.array(objectPromptSchema),
  model: z.string().nullable(),
  mask: cocoRleSchema.nullable(),
  score: z.number().nullable(),
  intersection: z.number().nullable(),
  union: z.number().nullable(),
  iou: z.number().nullable(),
  /** Whether refinement (mask_input from the previous step) was on; null for edits recorded before. */
  refine: z.boolean().nullable().optional(),
  /** Per-object masks and IoU; null for edits recorded before objects were kept. */
  objects: z.array(objectResultSchema).nullable().optional(),
  createdAt: z.string(),
})
export type PromptEdit = z.infer<typeof promptEditSchema>

export const sampleDetailSchema = z.object({
  sample: z.object({
    id: z.number().int(),
    datasetId: z.number().int(),
    imageId: z.string(),
    annId: z.string(),
    query: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    mediaHash: z.string(),
    gt: cocoRleSchema,
    gtArea: z.number().int(),
  }),
  prediction: predictionSchema.nullable(),
  comparePrediction: predictionSchema.nullable(),
  /** The prompt edit the user is on (undo/redo cursor), or null when showing the model's own prompts. */
  currentEdit: promptEditSchema.nullable(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  tagIds: z.array(z.number().int()),
  note: z.string(),
})
export type SampleDetail = z.infer<typeof sampleDetailSchema>

export const samplesMethods = {
  listSamples: defineMethod({
    description:
      'One page of the sample list for a run, filtered and sorted, with the total count matching the filter.',
    input: sampleQuerySchema.extend({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
      /**
       * A sample id: answer with the page (offsets in steps of `limit`) that holds it instead of `offset`'s,
       * and its index — so a new filter or sort keeps the current sample in one round trip.
       */
      around: z.number().int().optional(),
    }),
    output: z.object({
      total: z.number().int(),
      offset: z.number().int(),
      rows: z.array(sampleRowSchema),
      /** With `around`: that sample's index in the list (null when the filter excludes it). */
      index: z.number().int().nullable().optional(),
    }),
  }),
  locateSample: defineMethod({
    description: "A sample's position in the filtered, sorted list (null when the filter excludes it).",
    input: sampleQuerySchema.extend({ sampleId: z.number().int() }),
    output: z.object({ index: z.number().int().nullable(), total: z.number().int() }),
  }),
  getSampleDetail: defineMethod({
    description:
      "Everything the inspector shows for one sample: image, GT, the run's prediction, edits, tags, note.",
    input: z
      .object({
        sampleId: z.number().int(),
        runId: z.number().int().nullable().optional(),
        compareRunId: z.number().int().nullable().optional(),
      })
      .strict(),
    output: sampleDetailSchema,
  }),
  getThumbnails: defineMethod({
    description:
      'Thumbnails (image with the prediction filled and the GT outlined) as media hashes for api.mediaUrl; generated once, then cached. ' +
      'Where the current state of a sample is a prompt edit, the thumbnail shows the edit (regenerated after each edit, undo or redo).',
    input: z
      .object({
        runId: z.number().int().nullable().optional(),
        sampleIds: z.array(z.number().int()).max(200),
      })
      .strict(),
    output: z.object({
      items: z.array(
        z.object({
          sampleId: z.number().int(),
          hash: z.string(),
          /** The thumbnail shows the sample's current prompt edit, not the run's own prediction (badge). */
          edited: z.boolean(),
        }),
      ),
    }),
  }),
}
