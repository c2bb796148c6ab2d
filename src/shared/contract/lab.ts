/** The team view of a served project: who is calling, and who did what to a sample. */
import { z } from 'zod'
import { defineMethod } from './define'

export const historyEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  user: z.string(),
  method: z.string(),
  summary: z.string(),
})
export type HistoryEntry = z.infer<typeof historyEntrySchema>

export const noteVersionSchema = z.object({
  text: z.string(),
  author: z.string().nullable(),
  writtenAt: z.string().nullable(),
  replacedBy: z.string(),
  replacedAt: z.string(),
})
export type NoteVersion = z.infer<typeof noteVersionSchema>

export const labMethods = {
  whoAmI: defineMethod({
    description: 'The calling user and role (the local user is an admin in the desktop app).',
    input: z.object({}).strict(),
    output: z.object({ user: z.string(), role: z.enum(['viewer', 'annotator', 'admin']) }),
  }),
  getSampleHistory: defineMethod({
    description:
      'Who changed a sample and when (audit log, newest first, writes on this run or on no run), and the earlier texts of its note.',
    input: z
      .object({
        runId: z.number().int(),
        sampleId: z.number().int(),
        limit: z.number().int().min(1).max(500).optional(),
      })
      .strict(),
    output: z.object({ entries: z.array(historyEntrySchema), noteVersions: z.array(noteVersionSchema) }),
  }),
}
