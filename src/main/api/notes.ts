/** Handlers for src/shared/contract/notes.ts. */
import type { notesMethods } from '../../shared/contract/notes'
import { getNote, saveNote } from '../store/notes'
import type { HandlersFor } from './types'

export const notesHandlers: HandlersFor<typeof notesMethods> = {
  getNote: ({ runId, sampleId }, { project }) => getNote(project.db, runId, sampleId),
  saveNote: ({ runId, sampleId, text }, { project }) => saveNote(project.db, runId, sampleId, text),
}
