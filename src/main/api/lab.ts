/** Handlers for src/shared/contract/lab.ts. */
import type { labMethods } from '../../shared/contract/lab'
import { LOCAL_ADMIN, sampleHistory } from '../lab/audit'
import type { HandlersFor } from './types'

export const labHandlers: HandlersFor<typeof labMethods> = {
  whoAmI: (_input, { caller = LOCAL_ADMIN }) => ({ user: caller.user, role: caller.role }),
  getSampleHistory: ({ runId, sampleId, limit }, { project }) =>
    sampleHistory(project.db, runId, sampleId, limit),
}
