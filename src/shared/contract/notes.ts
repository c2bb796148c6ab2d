/** Free-text notes per (run, sample); the inspector autosaves them while the user types. */
import { z } from 'zod'
import { defineMethod } from './define'

export const notesMethods = {
  getNote: defineMethod({
    description: "The note on a sample for one run ('' when there is none).",
    input: z.object({ runId: z.number().int(), sampleId: z.number().int() }).strict(),
    output: z.object({ text: z.string(), updatedAt: z.string().nullable() }),
  }),
  saveNote: defineMethod({
    description: 'Replaces the note on a sample for one run; an empty text deletes it.',
    input: z
      .object({
        runId: z.number().int(),
        sampleId: z.number().int(),
        text: z.string().max(100_000),
        // updatedAt of the note this edit started from; a stale save still wins, and says whom it overwrote.
        basedOn: z.string().nullable().optional(),
      })
      .strict(),
    output: z.object({
      updatedAt: z.string().nullable(),
      overwrote: z.object({ user: z.string(), at: z.string().nullable() }).nullable().optional(),
    }),
  }),
}
