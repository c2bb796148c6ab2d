/**
 * Suggested failure tags: the failure rules' proposal per (run, sample) with its evidence, the review queue
 * that confirms them one keystroke each, the rules' thresholds (per project), and the review summary
 * (counts by confirmed tag, share unreviewed, agreement matrix proposed × confirmed).
 */
import { z } from 'zod'
import { defineMethod } from './define'

const evidenceSchema = z.record(z.string(), z.number())

const firedSchema = z.object({ tag: z.string(), confidence: z.number(), evidence: evidenceSchema })

export const tagProposalSchema = z.object({
  sampleId: z.number().int(),
  imageId: z.string(),
  query: z.string(),
  iou: z.number(),
  failure: z.boolean(),
  /** The proposed tag; null for a success or a failure no rule explains. */
  tag: z.string().nullable(),
  confidence: z.number().nullable(),
  evidence: evidenceSchema.nullable(),
  /** The other rules that fired, in rule order. */
  alternatives: z.array(firedSchema),
  review: z
    .object({
      state: z.enum(['confirmed', 'skipped']),
      tagId: z.number().int().nullable(),
      tagName: z.string().nullable(),
      proposedTag: z.string().nullable(),
      reviewedBy: z.string().nullable(),
      reviewedAt: z.string(),
    })
    .nullable(),
})
export type TagProposalDto = z.infer<typeof tagProposalSchema>

const progressSchema = z.object({
  failures: z.number().int(),
  confirmed: z.number().int(),
  skipped: z.number().int(),
  pending: z.number().int(),
})

export const reviewQueueSchema = z.object({ progress: progressSchema, items: z.array(tagProposalSchema) })
export type ReviewQueueDto = z.infer<typeof reviewQueueSchema>

const thresholdsSchema = z.record(z.string(), z.number())

export const suggestThresholdsSchema = z.object({
  rulesVersion: z.number().int(),
  thresholds: thresholdsSchema,
  defaults: thresholdsSchema,
  overrides: thresholdsSchema,
})
export type SuggestThresholdsDto = z.infer<typeof suggestThresholdsSchema>

export const reviewSummarySchema = z.object({
  rulesVersion: z.number().int(),
  thresholds: thresholdsSchema,
  failures: z.number().int(),
  confirmed: z.number().int(),
  skipped: z.number().int(),
  unreviewed: z.number().int(),
  unreviewedShare: z.number(),
  proposed: z.array(z.object({ tag: z.string(), n: z.number().int() })),
  byConfirmedTag: z.array(z.object({ tag: z.string(), n: z.number().int() })),
  matrix: z.object({
    proposed: z.array(z.string()),
    confirmed: z.array(z.string()),
    counts: z.array(z.array(z.number().int())),
  }),
  agreement: z.number().nullable(),
})
export type ReviewSummaryDto = z.infer<typeof reviewSummarySchema>

const queueInput = {
  runId: z.number().int(),
  order: z.enum(['worst', 'tag']).default('worst'),
  limit: z.number().int().min(1).max(500).default(20),
}

export const suggestMethods = {
  openTagProposals: defineMethod({
    description:
      'Brings the proposals of a run up to date (the samples whose evidence changed) and returns the review progress.',
    input: z.object({ runId: z.number().int() }).strict(),
    output: z.object({ computed: z.number().int(), progress: progressSchema }),
  }),
  listTagProposals: defineMethod({
    description:
      "A run's stored proposals, worst IoU first, filtered by tag ('' = none), confidence, review state.",
    input: z
      .object({
        runId: z.number().int(),
        failuresOnly: z.boolean().default(true),
        tag: z.string().max(80).optional(),
        minConfidence: z.number().min(0).max(1).optional(),
        review: z.enum(['unreviewed', 'confirmed', 'skipped']).optional(),
        sampleIds: z.array(z.number().int()).max(10_000).optional(),
      })
      .strict(),
    output: z.array(tagProposalSchema),
  }),
  getReviewQueue: defineMethod({
    description:
      'The next unconfirmed failures (never reviewed first, then skipped), worst IoU first or by tag.',
    input: z.object(queueInput).strict(),
    output: reviewQueueSchema,
  }),
  reviewTagProposal: defineMethod({
    description:
      "Accepts the proposal, picks another tag (put on the sample) or skips it; returns the queue after it and the sample's tags.",
    input: z
      .object({
        ...queueInput,
        sampleId: z.number().int(),
        action: z.enum(['accept', 'pick', 'skip']),
        tagId: z.number().int().optional(),
        reviewedBy: z.string().max(80).optional(),
      })
      .strict()
      .refine((v) => v.action !== 'pick' || v.tagId != null, { message: "'pick' needs a tagId" }),
    /** tagIds: the reviewed sample's tags after the action, so the inspector's copy stays current. */
    output: reviewQueueSchema.extend({ tagIds: z.array(z.number().int()) }),
  }),
  undoTagReview: defineMethod({
    description:
      "Undoes the run's newest review action; returns the sample it concerned and the queue after it.",
    input: z.object(queueInput).strict(),
    output: z.object({
      sampleId: z.number().int().nullable(),
      /** The undone sample's tags after the undo. */
      tagIds: z.array(z.number().int()),
      queue: reviewQueueSchema,
    }),
  }),
  getSuggestThresholds: defineMethod({
    description: "The failure rules' thresholds for this project: effective values, defaults and overrides.",
    input: z.object({}).strict(),
    output: suggestThresholdsSchema,
  }),
  setSuggestThresholds: defineMethod({
    description: 'Replaces the project overrides of the thresholds (empty = defaults); proposals go stale.',
    input: z.object({ overrides: z.record(z.string(), z.number().finite()) }).strict(),
    output: suggestThresholdsSchema,
  }),
  getReviewSummary: defineMethod({
    description:
      'Counts by confirmed tag, the share unreviewed and the agreement matrix proposed × confirmed.',
    input: z.object({ runId: z.number().int() }).strict(),
    output: reviewSummarySchema,
  }),
}
