/** Handlers for src/shared/contract/edits.ts. */
import { ApiError } from '../../shared/contract/define'
import type { editsMethods } from '../../shared/contract/edits'
import {
  type EditState,
  listPromptEdits,
  redoPromptEdit,
  resetPromptEdits,
  saveRunVariant,
  undoPromptEdit,
} from '../store/edits'
import { recomputeProposal } from '../suggest/proposals'
import type { Db } from '../store/project'
import { getSample } from '../store/samples'
import type { ApiContext, HandlersFor } from './types'

function notFound<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw new ApiError('not_found', (err as Error).message)
  }
}

/**
 * Undo, redo or reset: moves through the edit history, then what follows the mask on screen moves with it.
 * The suggested tag is recomputed (it was read from that mask), and the engine's per-object state follows
 * the restored prompts without a decode, so the next click refines the mask now on screen (or starts afresh
 * for the model's own).
 */
function moveHistory(
  ctx: ApiContext,
  runId: number,
  sampleId: number,
  move: (db: Db, runId: number, sampleId: number) => EditState,
): EditState {
  const { db } = ctx.project
  const state = notFound(() => {
    const moved = move(db, runId, sampleId)
    recomputeProposal(db, runId, sampleId)
    return moved
  })
  const e = state.current
  const hash = getSample(db, sampleId)?.media_hash
  ctx.engine.objects.restore(
    `${runId}:${sampleId}`,
    e?.model ?? '',
    hash ?? '',
    e?.model ? e.prompts : [],
    e?.objects?.map((o) => o.id),
  )
  return state
}

export const editsHandlers: HandlersFor<typeof editsMethods> = {
  listPromptEdits: ({ runId, sampleId }, { project }) =>
    notFound(() => listPromptEdits(project.db, runId, sampleId)),
  undoPromptEdit: ({ runId, sampleId }, ctx) => moveHistory(ctx, runId, sampleId, undoPromptEdit),
  redoPromptEdit: ({ runId, sampleId }, ctx) => moveHistory(ctx, runId, sampleId, redoPromptEdit),
  resetPromptEdits: ({ runId, sampleId }, ctx) => moveHistory(ctx, runId, sampleId, resetPromptEdits),
  saveRunVariant: ({ runId, name }, { project }) => {
    try {
      return saveRunVariant(project.db, runId, name)
    } catch (err) {
      const msg = (err as Error).message
      throw new ApiError(msg.startsWith('no run') ? 'not_found' : 'conflict', msg)
    }
  },
}
