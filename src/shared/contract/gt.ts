/**
 * Ground-truth annotation: corrected GT as undoable commands, GT versions (original = the imported GT,
 * never modified; corrected = original + the sample's applied commands), revision info and sample flags.
 * Every edit is one command, stored in its own transaction the moment it is applied.
 */
import { z } from 'zod'
import { defineMethod } from './define'
import { cocoRleSchema, objectPromptSchema } from './samples'
import type { GtOp } from '../domain/gtEdit'

export const gtWhichSchema = z.enum(['original', 'corrected'])
export type GtWhich = z.infer<typeof gtWhichSchema>

/** The GT choice every metric, analysis and report method takes (default: original, all samples). */
export const gtOptionsInput = {
  gt: gtWhichSchema.optional(),
  excludeFlagged: z.boolean().optional(),
}

/** How a result used the GT; `statement` is the sentence every output shows. */
export const gtUsageSchema = z.object({
  gt: gtWhichSchema,
  excludeFlagged: z.boolean(),
  /** Revised samples scored against their corrected GT. */
  corrected: z.number().int(),
  /** Revised samples whose prediction has no stored mask (original I/U kept). */
  notApplicable: z.number().int(),
  /** Flagged samples left out. */
  excluded: z.number().int(),
  statement: z.string(),
})
export type GtUsageDto = z.infer<typeof gtUsageSchema>

export const sampleFlagKindSchema = z.enum(['ambiguous', 'invalid', 'duplicate'])
export type SampleFlagKind = z.infer<typeof sampleFlagKindSchema>

export const combineModeSchema = z.enum(['add', 'subtract', 'replace'])

const MAX_POINTS = 100_000
const coord = z.number().finite().min(-1e6).max(1e6)
const point = z.tuple([coord, coord])
/** An object id, the ignore mask (LISA's label 255), or a new object the edit creates. */
const target = z.union([z.number().int().positive(), z.literal('ignore'), z.literal('new')])
const existingTarget = z.union([z.number().int().positive(), z.literal('ignore')])
const label = z.string().trim().min(1).max(200)

/** Operations as stored in the command log (segment ops are stored resolved, as `mask` + provenance). */
export const gtOpSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('brush'),
      target,
      /** Polyline in image pixels; one point paints a disc. */
      points: z.array(point).min(1).max(MAX_POINTS),
      radius: z.number().finite().positive().max(10_000),
      /** true = eraser (subtract). */
      erase: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      kind: z.literal('polygon'),
      target,
      /** Vertices; the polygon closes itself. Fewer than 3 is refused with a clear message. */
      points: z.array(point).max(MAX_POINTS),
      mode: combineModeSchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('mask'),
      target,
      mask: cocoRleSchema,
      mode: combineModeSchema,
      segment: z.object({ prompt: objectPromptSchema, model: z.string() }).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('fillHoles'), target: existingTarget }).strict(),
  z
    .object({
      kind: z.literal('removeSpecks'),
      target: existingTarget,
      minArea: z.number().int().min(0).max(1e9),
    })
    .strict(),
  z.object({ kind: z.literal('addObject'), label: label.optional() }).strict(),
  z.object({ kind: z.literal('deleteObject'), objectId: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('renameObject'), objectId: z.number().int().positive(), label }).strict(),
  z.object({ kind: z.literal('reset') }).strict(),
])

/** What `applyGtEdit` takes: every stored op, plus `segment` which the backend runs through the engine. */
export const gtEditOpSchema = z.union([
  gtOpSchema,
  z
    .object({
      kind: z.literal('segment'),
      target,
      /** A box and/or points in image pixels, as for `segmentSample`. */
      prompt: objectPromptSchema,
      mode: combineModeSchema,
      /** Segmentation model; defaults to the engine's selected model. */
      modelId: z.string().optional(),
    })
    .strict(),
])
export type GtEditOp = z.infer<typeof gtEditOpSchema>

// The stored-op schema and the domain type must agree; a drift is a compile error here.
type Assert<T extends true> = T
type StoredOp = z.infer<typeof gtOpSchema>
export type GtOpSchemaMatches = Assert<StoredOp extends GtOp ? (GtOp extends StoredOp ? true : false) : false>

export const gtFlagSchema = z.object({
  kind: sampleFlagKindSchema,
  reason: z.string(),
  author: z.string(),
  createdAt: z.string(),
})

export const gtRevisionSchema = z.object({
  author: z.string(),
  updatedAt: z.string(),
  reason: z.string().nullable(),
  tagId: z.number().int().nullable(),
  tagName: z.string().nullable(),
})

export const groundTruthSchema = z.object({
  sampleId: z.number().int(),
  which: gtWhichSchema,
  /** [h, w] */
  size: z.tuple([z.number().int(), z.number().int()]),
  objects: z.array(
    z.object({ id: z.number().int(), label: z.string(), mask: cocoRleSchema, area: z.number().int() }),
  ),
  ignore: cocoRleSchema.nullable(),
  /** The sample mask metrics use: the union of the objects. */
  union: cocoRleSchema,
  unionArea: z.number().int(),
  /** The corrected GT differs from the original (union, ignore or number of objects). */
  revised: z.boolean(),
  /** Who corrected it, when, and why; null until the first edit. */
  revision: gtRevisionSchema.nullable(),
  flag: gtFlagSchema.nullable(),
  /** The corrected history's undo/redo state (also given for which = original). */
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  /** Commands applied / stored in the corrected history. */
  position: z.number().int(),
  commands: z.number().int(),
})
export type GroundTruthDto = z.infer<typeof groundTruthSchema>

const sampleInput = z.object({ sampleId: z.number().int() }).strict()

export const gtMethods = {
  getGroundTruth: defineMethod({
    description:
      "A sample's ground truth: 'original' (imported, never modified) or 'corrected' (default; the original when never edited).",
    input: z.object({ sampleId: z.number().int(), which: gtWhichSchema.default('corrected') }).strict(),
    output: groundTruthSchema,
  }),
  applyGtEdit: defineMethod({
    description:
      'Applies one GT edit to the corrected GT as an undoable command, saved at once; returns the corrected GT.',
    input: z
      .object({
        sampleId: z.number().int(),
        op: gtEditOpSchema,
        /** Defaults to the revision's author, else the OS user name. */
        author: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    output: groundTruthSchema,
  }),
  undoGtEdit: defineMethod({
    description: 'Undoes the last applied GT command (persisted: survives a reload).',
    input: sampleInput,
    output: groundTruthSchema,
  }),
  redoGtEdit: defineMethod({
    description: 'Re-applies the next GT command after an undo.',
    input: sampleInput,
    output: groundTruthSchema,
  }),
  resetGtToOriginal: defineMethod({
    description: 'Sets the corrected GT back to the original, as a command (undo restores the edits).',
    input: sampleInput,
    output: groundTruthSchema,
  }),
  listGtCommands: defineMethod({
    description: "The sample's GT command log, oldest first; `applied` is false for commands undone.",
    input: sampleInput,
    output: z.array(
      z.object({
        seq: z.number().int(),
        op: gtOpSchema,
        author: z.string(),
        createdAt: z.string(),
        applied: z.boolean(),
      }),
    ),
  }),
  setGtRevisionInfo: defineMethod({
    description:
      'Sets why the GT was corrected (free text, and the failure tag it came from) and optionally the author.',
    input: z
      .object({
        sampleId: z.number().int(),
        reason: z.string().max(5000).nullable().optional(),
        tagId: z.number().int().nullable().optional(),
        author: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    output: groundTruthSchema,
  }),
  flagSample: defineMethod({
    description:
      'Flags a sample as ambiguous, invalid or duplicate, with a reason (replaces an earlier flag).',
    input: z
      .object({
        sampleId: z.number().int(),
        kind: sampleFlagKindSchema,
        reason: z.string().max(5000).default(''),
        author: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    output: gtFlagSchema,
  }),
  unflagSample: defineMethod({
    description: "Removes a sample's flag (no-op when it has none).",
    input: sampleInput,
    output: z.object({ sampleId: z.number().int(), removed: z.boolean() }),
  }),
  analyzeGtChanges: defineMethod({
    description:
      'Label noise of a dataset: per revised sample the pixels added / removed, and per run gIoU / cIoU on the original ' +
      'vs the corrected GT with a paired bootstrap 95% interval of the difference (corrected − original).',
    input: z
      .object({
        datasetId: z.number().int(),
        runIds: z.array(z.number().int()).max(1000).optional(),
        seed: z.number().int().optional(),
        iterations: z.number().int().min(10).max(100_000).optional(),
      })
      .strict(),
    output: z.object({
      datasetId: z.number().int(),
      dataset: z.string(),
      samples: z.number().int(),
      changed: z.array(
        z.object({
          sampleId: z.number().int(),
          imageId: z.string(),
          annId: z.string(),
          query: z.string(),
          originalArea: z.number().int(),
          correctedArea: z.number().int(),
          added: z.number().int(),
          removed: z.number().int(),
          ignoreChanged: z.number().int(),
          objects: z.number().int(),
          author: z.string().nullable(),
          reason: z.string().nullable(),
        }),
      ),
      flagged: z.array(
        z.object({ sampleId: z.number().int(), imageId: z.string(), kind: z.string(), reason: z.string() }),
      ),
      runs: z.array(
        z.object({
          runId: z.number().int(),
          run: z.string(),
          n: z.number().int(),
          original: z.object({ gIoU: z.number(), cIoU: z.number() }),
          corrected: z.object({ gIoU: z.number(), cIoU: z.number() }),
          gIoUDiff: z.object({ value: z.number(), lo: z.number(), hi: z.number() }),
          cIoUDiff: z.object({ value: z.number(), lo: z.number(), hi: z.number() }),
          gt: gtUsageSchema,
        }),
      ),
      bootstrap: z.object({ iterations: z.number().int(), seed: z.number().int() }),
    }),
  }),
  listGtChanges: defineMethod({
    description: 'Sample ids of a dataset whose corrected GT differs from the original, and flagged samples.',
    input: z.object({ datasetId: z.number().int() }).strict(),
    output: z.object({
      revised: z.array(z.number().int()),
      flagged: z.array(
        z.object({ sampleId: z.number().int(), kind: sampleFlagKindSchema, reason: z.string() }),
      ),
    }),
  }),
}
