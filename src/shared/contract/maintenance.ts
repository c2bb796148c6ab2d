/**
 * Project maintenance: whether the project was left open by a process that died (a crash, a killed import),
 * and the project check the app offers then (the same as `reseg project check`).
 */
import { z } from 'zod'
import { defineMethod } from './define'

const sessionSchema = z.object({ pid: z.number().int(), startedAt: z.string(), command: z.string() })

export const checkReportSchema = z.object({
  clean: z.boolean(),
  integrity: z.array(z.string()),
  foreignKeyViolations: z.number().int(),
  schema: z.object({ version: z.number().int(), latest: z.number().int() }),
  orphans: z.object({ entries: z.array(z.string()), bytes: z.number(), removed: z.boolean() }),
  missing: z.array(z.string()),
  wal: z.object({ bytesBefore: z.number(), bytesAfter: z.number(), checkpointed: z.boolean() }),
  problems: z.array(z.string()),
})
export type CheckReportDto = z.infer<typeof checkReportSchema>

export const maintenanceMethods = {
  getProjectHealth: defineMethod({
    description:
      'Processes that died with this project open (found when it was opened); empty after a clean shutdown.',
    input: z.object({}).strict(),
    output: z.object({ uncleanShutdown: z.array(sessionSchema) }),
  }),
  checkProject: defineMethod({
    description:
      'Integrity check, schema version, orphaned and missing media, WAL size; with fix, removes orphans, migrates and checkpoints.',
    input: z.object({ fix: z.boolean().default(false) }).strict(),
    output: checkReportSchema,
  }),
}
