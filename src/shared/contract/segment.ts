/**
 * Segmentation: live re-segmentation of one sample from edited prompts (called by the canvas on every
 * edit, latest-wins per sample), the model list and selection, and batch re-segmentation of a run as a
 * background job.
 */
import { z } from 'zod'
import { defineMethod } from './define'
import { cocoRleSchema, objectPromptSchema, objectResultSchema } from './samples'

export const modelInfoSchema = z.object({
  id: z.string(),
  /** Shown wherever the model's masks appear; a baseline says so in its label. */
  label: z.string(),
  family: z.enum(['sam', 'sam2', 'hf-sam', 'hf-sam2', 'sam3', 'grabcut']),
  isBaseline: z.boolean(),
  /** Execution provider in use: 'cpu', 'cuda', … or 'wasm' for the GrabCut baseline. */
  provider: z.string(),
})
export type ModelInfoDto = z.infer<typeof modelInfoSchema>

export const engineStatusSchema = z.object({
  modelId: z.string(),
  label: z.string(),
  provider: z.string(),
  isBaseline: z.boolean(),
})
export type EngineStatusDto = z.infer<typeof engineStatusSchema>

/** 'text': each sample's query as a text prompt (SAM 3 models only): the no-reasoning-model baseline. */
export const promptSourceSchema = z.enum(['run', 'gt-box', 'gt-box+points', 'text'])
export type PromptSource = z.infer<typeof promptSourceSchema>

export const segmentMethods = {
  segmentSample: defineMethod({
    description:
      'Segments a sample from prompts in original-image pixels (several objects are OR-ed, as Seg-Zero does), ' +
      'scores the mask against the GT (Seg-Zero IoU, ignore pixels excluded) and appends it to the prompt-edit ' +
      'history. Latest-wins per (run, sample): a newer request for the same sample makes this one fail with ' +
      "code 'cancelled'.",
    input: z
      .object({
        runId: z.number().int(),
        sampleId: z.number().int(),
        prompts: z.array(objectPromptSchema),
        /**
         * Stable ids of the objects, one per prompt (the object list's ids, so deleting an object does not
         * hand its refinement state to the next one). Default: the positions "0", "1", …
         */
        objectIds: z.array(z.string().min(1).max(100)).optional(),
        /**
         * SAM's iterative refinement: a changed object is decoded with its previous low-resolution logits as
         * mask_input (has_mask_input = 1). Recorded with the edit. Models without a mask input ignore it.
         */
        refine: z.boolean().default(true),
        /** Defaults to the selected model. */
        modelId: z.string().optional(),
      })
      .strict()
      .refine((v) => !v.objectIds || v.objectIds.length === v.prompts.length, {
        message: 'objectIds must have one id per prompt',
        path: ['objectIds'],
      })
      .refine((v) => !v.objectIds || new Set(v.objectIds).size === v.objectIds.length, {
        message: 'objectIds must be distinct',
        path: ['objectIds'],
      }),
    output: z.object({
      /** The union of the objects' masks: the sample's prediction. */
      mask: cocoRleSchema,
      /** Mean of the model's per-object quality estimates (0 for the baseline and for no prompts). */
      score: z.number(),
      intersection: z.number().int(),
      union: z.number().int(),
      iou: z.number(),
      model: modelInfoSchema,
      editId: z.number().int(),
      /** Whether refinement was applied for this edit (false when off or the model has no mask input). */
      refine: z.boolean(),
      /** Per object, in prompt order; `decoded` is false when its prompt was unchanged (mask from memory). */
      objects: z.array(objectResultSchema.extend({ decoded: z.boolean() })),
    }),
  }),
  prepareSample: defineMethod({
    description:
      'Warms the image embedding of the sample being shown so its first prompt edit costs only the decoder. ' +
      'Latest-wins across all samples: switching samples quickly cancels the superseded encodes still waiting ' +
      "(their calls fail with code 'cancelled'), so at most the running one and the newest are computed.",
    input: z
      .object({ runId: z.number().int(), sampleId: z.number().int(), modelId: z.string().optional() })
      .strict(),
    output: z.object({
      modelId: z.string(),
      /** False for models without embeddings (the GrabCut baseline): nothing to warm. */
      embeds: z.boolean(),
      /** The embedding was already cached (memory or disk) or being computed before this call. */
      cached: z.boolean(),
    }),
  }),
  listModels: defineMethod({
    description: 'Segmentation models: the GrabCut baseline always, SAM-family ONNX models when installed.',
    input: z.object({}).strict(),
    output: z.object({
      models: z.array(modelInfoSchema),
      defaultModelId: z.string(),
      selectedModelId: z.string(),
      /** Problems met while listing models (e.g. a broken model folder). */
      warnings: z.array(z.string()),
    }),
  }),
  getEngineStatus: defineMethod({
    description: 'The selected model and the execution provider it runs on (status bar).',
    input: z.object({}).strict(),
    output: engineStatusSchema,
  }),
  selectModel: defineMethod({
    description: 'Selects the model that live segmentation uses when a request names none.',
    input: z.object({ modelId: z.string() }).strict(),
    output: engineStatusSchema,
  }),
  startSegmentRun: defineMethod({
    description:
      'Re-segments every sample of a run with its own prompts or with oracle prompts from the GT as a background ' +
      'job; the results become a new run (kind "segmented"). Starting it again with the same output name resumes.',
    input: z
      .object({
        fromRunId: z.number().int(),
        outRun: z.string().trim().min(1).max(200),
        prompts: promptSourceSchema.default('run'),
        /** Defaults to the selected model. */
        modelId: z.string().optional(),
        limit: z.number().int().positive().optional(),
      })
      .strict(),
    output: z.object({ jobId: z.string() }),
  }),
  segmentRun: defineMethod({
    description:
      'Segments a run whose predictions hold prompts but no masks ("not segmented") as a background job with ' +
      'progress and cancel (cancelJob): in place by default (each finished sample is saved at once, so starting ' +
      'again continues), or into a new segmented run when outRun is given (as startSegmentRun with the run prompts).',
    input: z
      .object({
        runId: z.number().int(),
        /** Defaults to the selected model. */
        modelId: z.string().optional(),
        outRun: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    output: z.object({ jobId: z.string(), samples: z.number().int() }),
  }),
  precomputeRun: defineMethod({
    description:
      'Computes and caches the image embeddings of every image of a run in the background, so the first prompt ' +
      'edit on each sample costs only the decoder. SAM-family models only; cancel with cancelJob.',
    input: z.object({ runId: z.number().int(), modelId: z.string().optional() }).strict(),
    output: z.object({ jobId: z.string(), images: z.number().int() }),
  }),
}
