/**
 * All handlers, merged, and the dispatcher both hosts call: it is the one place where an untrusted
 * payload meets the backend, so it validates the method name and the input against the contract.
 */
import { ZodError } from 'zod'
import { contract, type Contract } from '../../shared/contract'
import { ApiError } from '../../shared/contract/define'
import type { WireResult } from '../../shared/contract/client'
import { projectHandlers } from './project'
import { samplesHandlers } from './samples'
import { tagsHandlers } from './tags'
import { notesHandlers } from './notes'
import { editsHandlers } from './edits'
import { metricsHandlers } from './metrics'
import { analysisHandlers } from './analysis'
import { reasonHandlers } from './reason'
import { segmentHandlers } from './segment'
import { datasetsHandlers } from './datasets'
import { runsHandlers } from './runs'
import { gtHandlers } from './gt'
import { authorHandlers } from './author'
import { exportDatasetHandlers } from './exportDataset'
import { suggestHandlers } from './suggest'
import { rolloutsHandlers } from './rollouts'
import { maintenanceHandlers } from './maintenance'
import { labHandlers } from './lab'
import { importingHandlers } from './importing'
import { createWriteRecorder, LOCAL_ADMIN } from '../lab/audit'
import type { Caller } from '../../shared/contract/access'
import type { ApiContext, HandlersFor } from './types'

export const handlers: HandlersFor<Contract> = {
  ...projectHandlers,
  ...samplesHandlers,
  ...tagsHandlers,
  ...notesHandlers,
  ...editsHandlers,
  ...metricsHandlers,
  ...analysisHandlers,
  ...reasonHandlers,
  ...segmentHandlers,
  ...datasetsHandlers,
  ...runsHandlers,
  ...gtHandlers,
  ...authorHandlers,
  ...exportDatasetHandlers,
  ...suggestHandlers,
  ...rolloutsHandlers,
  ...maintenanceHandlers,
  ...labHandlers,
  ...importingHandlers,
}

/** caller: who is asking (serve host); absent means the local desktop user, an admin. */
export type Dispatch = (method: string, input: unknown, caller?: Caller) => Promise<WireResult>

export function createDispatcher(ctx: ApiContext): Dispatch {
  const writes = createWriteRecorder(ctx.project.db, (e) => ctx.emit(e))
  return async (method, input, caller = LOCAL_ADMIN) => {
    try {
      if (!Object.hasOwn(contract, method)) throw new ApiError('not_found', `unknown API method '${method}'`)
      const name = method as keyof Contract
      writes.authorize(name, caller)
      const parsed = contract[name].input.parse(input ?? {})
      const handler = handlers[name] as (i: unknown, c: ApiContext) => unknown
      const before = writes.before(name, parsed)
      const value = await handler(parsed, { ...ctx, caller })
      return { ok: true, value: writes.record(name, parsed, value, caller, before) }
    } catch (err) {
      return { ok: false, error: toWireError(err, method) }
    }
  }
}

function toWireError(err: unknown, method: string): { code: string; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message }
  if (err instanceof ZodError) {
    // Named method and field paths, so a caller sees which call and which field was wrong.
    const issues = err.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')
    return { code: 'bad_request', message: `invalid request to ${method}: ${issues}` }
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) }
}
