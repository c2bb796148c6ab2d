/**
 * Events the backend pushes to the renderer (IPC `api:event` in Electron, the WebSocket in the serve
 * host). Each event is one member of this discriminated union; add a member to add an event.
 */
import { z } from 'zod'

export const jobSchema = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string().nullable(),
})
export type Job = z.infer<typeof jobSchema>

export const apiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: jobSchema }),
  // Text of a running reaskSample as the model generates it; reset: text shown so far is void (a retry began).
  z.object({ type: z.literal('reason.delta'), requestId: z.string(), text: z.string(), reset: z.boolean() }),
  // A write succeeded (lab live sync): views showing that run/sample refetch; overwrote names whose newer
  // note text a stale save replaced.
  z.object({
    type: z.literal('changed'),
    method: z.string(),
    runId: z.number().int().nullable(),
    sampleId: z.number().int().nullable(),
    user: z.string(),
    overwrote: z.object({ user: z.string(), at: z.string().nullable() }).nullable(),
  }),
])
export type ApiEvent = z.infer<typeof apiEventSchema>
