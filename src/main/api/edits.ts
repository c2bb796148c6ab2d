/** Handlers for src/shared/contract/edits.ts. */
import { ApiError } from '../../shared/contract/define'
import type { editsMethods } from '../../shared/contract/edits'
import {
  listPromptEdits,
  redoPromptEdit,
  resetPromptEdits,
  saveRunVariant,
  undoPromptEdit,
} from '../store/edits'
import { recomputeProposal } from '../suggest/proposals'
import type { Db } from '../store/project'
import type { HandlersFor } from './types'

function withProposal<T>(db: Db, runId: number, sampleId: number, result: T): T {
  recomputeProposal(db, runId, sampleId)
  return result
}

function notFound<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw new ApiError('not_found', (err as Error).message)
  }
}

export const editsHandlers: HandlersFor<typeof editsMethods> = {
  listPromptEdits: ({ runId, sampleId }, { project }) =>
    notFound(() => listPromptEdits(project.db, runId, sampleId)),
  // Moving through the edit history changes the mask the suggested tag was read from.
  undoPromptEdit: ({ runId, sampleId }, { project }) =>
    notFound(() => withProposal(project.db, runId, sampleId, undoPromptEdit(project.db, runId, sampleId))),
  redoPromptEdit: ({ runId, sampleId }, { project }) =>
    notFound(() => withProposal(project.db, runId, sampleId, redoPromptEdit(project.db, runId, sampleId))),
  resetPromptEdits: ({ runId, sampleId }, { project }) =>
    notFound(() => withProposal(project.db, runId, sampleId, resetPromptEdits(project.db, runId, sampleId))),
  saveRunVariant: ({ runId, name }, { project }) => {
    try {
      return saveRunVariant(project.db, runId, name)
    } catch (err) {
      const msg = (err as Error).message
      throw new ApiError(msg.startsWith('no run') ? 'not_found' : 'conflict', msg)
    }
  },
}
