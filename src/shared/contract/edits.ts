/**
 * Prompt-edit history and its undo/redo cursor. Edits are created by `segmentSample` (segment area); this
 * area moves the cursor through them and turns the current edits of a run into a new "variant" run.
 */
import { z } from 'zod'
import { defineMethod } from './define'
import { promptEditSchema } from './samples'

const editStateSchema = z.object({
  /** The edit now shown, or null for the model's own prompts and mask. */
  current: promptEditSchema.nullable(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
})
export type EditState = z.infer<typeof editStateSchema>

const target = { runId: z.number().int(), sampleId: z.number().int() }

export const editsMethods = {
  listPromptEdits: defineMethod({
    description: 'Every prompt edit made on a sample for one run, oldest first.',
    input: z.object(target).strict(),
    output: z.array(promptEditSchema),
  }),
  undoPromptEdit: defineMethod({
    description:
      'Steps back to the previous edit (or to the model prompts); persisted, so it survives a reload.',
    input: z.object(target).strict(),
    output: editStateSchema,
  }),
  redoPromptEdit: defineMethod({
    description: 'Steps forward again along the most recent branch of edits.',
    input: z.object(target).strict(),
    output: editStateSchema,
  }),
  resetPromptEdits: defineMethod({
    description: "Shows the model's own prompts and mask again; undo returns to the edit that was current.",
    input: z.object(target).strict(),
    output: editStateSchema,
  }),
  saveRunVariant: defineMethod({
    description:
      'Copies a run into a new run (kind "variant") where every sample with a current prompt edit takes the edited prompts, mask and IoU.',
    input: z.object({ runId: z.number().int(), name: z.string().trim().min(1).max(200).optional() }).strict(),
    output: z.object({ runId: z.number().int(), name: z.string(), edited: z.number().int() }),
  }),
}
