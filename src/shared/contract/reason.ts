/**
 * Re-asking the reasoning model: saved OpenAI-compatible endpoints (API keys never cross into the project or
 * back to the renderer — only where a key would come from), versioned instruction templates, re-asking one
 * sample (the text streams as `reason.delta` events), the variants each attempt leaves, and promoting
 * chosen variants to a run.
 */
import { z } from 'zod'
import { defineMethod } from './define'
import { cocoRleSchema, objectPromptSchema } from './samples'

const nameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
  )

export const keySourceSchema = z.object({
  source: z.enum(['env', 'file', 'none']),
  /** The environment variable or file the key comes from; never the key. */
  where: z.string().nullable(),
  warning: z.string().nullable(),
})

export const endpointSchema = z.object({
  name: nameSchema,
  baseUrl: z.string().url(),
  model: z.string().min(1),
  temperature: z.number().min(0).max(2),
  maxTokens: z.number().int().positive(),
  timeoutMs: z.number().int().min(100),
})
export type Endpoint = z.infer<typeof endpointSchema>

export const endpointInfoSchema = endpointSchema.extend({ key: keySourceSchema })
export type EndpointInfo = z.infer<typeof endpointInfoSchema>

export const templateSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  text: z.string(),
  queryStrip: z.string(),
  inputSize: z.number().int(),
  description: z.string().nullable(),
  createdAt: z.string(),
  /** True when the text is one of the shipped reference templates, unchanged. */
  isReference: z.boolean(),
})
export type Template = z.infer<typeof templateSchema>

export const variantSchema = z.object({
  id: z.number().int(),
  runId: z.number().int().nullable(),
  sampleId: z.number().int(),
  query: z.string(),
  templateName: z.string(),
  templateVersion: z.number().int(),
  endpointName: z.string(),
  model: z.string(),
  rawOutput: z.string(),
  reasoning: z.string().nullable(),
  answer: z.string().nullable(),
  parseError: z.string().nullable(),
  prompts: z.array(objectPromptSchema),
  mask: cocoRleSchema.nullable(),
  /** Segmentation model id, null when the answer had no objects or no engine was available. */
  segmenter: z.string().nullable(),
  intersection: z.number().nullable(),
  union: z.number().nullable(),
  iou: z.number().nullable(),
  latencyMs: z.number(),
  createdAt: z.string(),
})
export type Variant = z.infer<typeof variantSchema>

const templateRefSchema = z
  .object({ name: z.string(), version: z.number().int().nullable().optional() })
  .strict()

export const reasonMethods = {
  listEndpoints: defineMethod({
    description:
      'Saved reasoning-model endpoints, each with where its API key would come from (never the key).',
    input: z.object({}).strict(),
    output: z.array(endpointInfoSchema),
  }),
  saveEndpoint: defineMethod({
    description:
      "Creates or updates an endpoint. apiKey: a string stores it in the user's credentials file (0600), null removes it, absent keeps it.",
    input: endpointSchema
      .extend({
        temperature: z.number().min(0).max(2).default(0),
        maxTokens: z.number().int().positive().default(2048),
        timeoutMs: z.number().int().min(100).default(300_000),
        apiKey: z.string().min(1).nullable().optional(),
      })
      .strict(),
    output: endpointInfoSchema,
  }),
  deleteEndpoint: defineMethod({
    description: 'Removes a saved endpoint (its stored API key too).',
    input: z.object({ name: z.string() }).strict(),
    output: z.object({ deleted: z.boolean() }),
  }),
  testEndpoint: defineMethod({
    description: "Test connection: GET {base}/v1/models; says whether the endpoint's model is served.",
    input: z.object({ name: z.string() }).strict(),
    output: z.object({
      ok: z.boolean(),
      models: z.array(z.string()),
      modelServed: z.boolean(),
      latencyMs: z.number().nullable(),
      error: z.string().nullable(),
    }),
  }),
  listTemplates: defineMethod({
    description: 'Every version of every instruction template, newest version first within a name.',
    input: z.object({}).strict(),
    output: z.array(templateSchema),
  }),
  saveTemplate: defineMethod({
    description:
      'Saves a template edit as its next version (text must contain {Question}); unchanged text keeps the version.',
    input: z
      .object({
        name: nameSchema,
        text: z.string().min(1).max(20_000),
        queryStrip: z.string().max(32).optional(),
        inputSize: z.number().int().min(28).max(4096).optional(),
        description: z.string().max(1000).nullable().optional(),
      })
      .strict(),
    output: templateSchema,
  }),
  previewPrompt: defineMethod({
    description: 'The exact instruction text a re-ask would send for this sample, query and template.',
    input: z
      .object({
        sampleId: z.number().int(),
        query: z.string().nullable().optional(),
        template: templateRefSchema,
      })
      .strict(),
    output: z.object({
      query: z.string(),
      normalizedQuery: z.string(),
      text: z.string(),
      inputSize: z.number().int(),
    }),
  }),
  reaskSample: defineMethod({
    description:
      'Asks the endpoint again about one sample (optionally with another query or template), parses, segments and scores the answer, and stores it as a variant. Streams reason.delta events tagged with requestId.',
    input: z
      .object({
        runId: z.number().int().nullable(),
        sampleId: z.number().int(),
        query: z.string().max(10_000).nullable().optional(),
        template: templateRefSchema,
        endpoint: z.string(),
        requestId: z.string().max(100).optional(),
        stream: z.boolean().default(true),
      })
      .strict(),
    output: variantSchema,
  }),
  cancelReask: defineMethod({
    description: 'Cancels a running reaskSample by its requestId.',
    input: z.object({ requestId: z.string() }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  }),
  listVariants: defineMethod({
    description: "A sample's re-ask variants, oldest first; with runId only those asked from that run.",
    input: z.object({ sampleId: z.number().int(), runId: z.number().int().nullable().optional() }).strict(),
    output: z.array(variantSchema),
  }),
  deleteVariant: defineMethod({
    description: 'Deletes one variant.',
    input: z.object({ id: z.number().int() }).strict(),
    output: z.object({ deleted: z.boolean() }),
  }),
  promoteVariants: defineMethod({
    description:
      "Makes a new run from chosen variants (at most one per sample): a copy of baseRunId's predictions with those samples replaced, or only the variants when baseRunId is null.",
    input: z
      .object({
        variantIds: z.array(z.number().int()).min(1),
        runName: nameSchema,
        baseRunId: z.number().int().nullable(),
      })
      .strict(),
    output: z.object({
      runId: z.number().int(),
      runName: z.string(),
      predictions: z.number().int(),
      replaced: z.number().int(),
    }),
  }),
}
