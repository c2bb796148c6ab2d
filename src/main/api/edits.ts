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
import type { HandlersFor } from './types'

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
  undoPromptEdit: ({ runId, sampleId }, { project }) =>
    notFound(() => undoPromptEdit(project.db, runId, sampleId)),
  redoPromptEdit: ({ runId, sampleId }, { project }) =>
    notFound(() => redoPromptEdit(project.db, runId, sampleId)),
  resetPromptEdits: ({ runId, sampleId }, { project }) =>
    notFound(() => resetPromptEdits(project.db, runId, sampleId)),
  saveRunVariant: ({ runId, name }, { project }) => {
    try {
      return saveRunVariant(project.db, runId, name)
    } catch (err) {
      const msg = (err as Error).message
      throw new ApiError(msg.startsWith('no run') ? 'not_found' : 'conflict', msg)
    }
  },
}
