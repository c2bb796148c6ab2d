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

/**
 * After undo, redo or reset the shown prompts changed without a decode: the engine's per-object state
 * follows, so the next click refines the mask now on screen (or starts afresh for the model's own).
 */
function followEngine(ctx: ApiContext, runId: number, sampleId: number, state: EditState): EditState {
  const e = state.current
  const hash = getSample(ctx.project.db, sampleId)?.media_hash
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
  // Moving through the edit history changes the mask the suggested tag was read from, and the engine's
  // per-object refinement state follows the mask on screen.
  undoPromptEdit: ({ runId, sampleId }, ctx) =>
    followEngine(
      ctx,
      runId,
      sampleId,
      notFound(() =>
        withProposal(ctx.project.db, runId, sampleId, undoPromptEdit(ctx.project.db, runId, sampleId)),
      ),
    ),
  redoPromptEdit: ({ runId, sampleId }, ctx) =>
    followEngine(
      ctx,
      runId,
      sampleId,
      notFound(() =>
        withProposal(ctx.project.db, runId, sampleId, redoPromptEdit(ctx.project.db, runId, sampleId)),
      ),
    ),
  resetPromptEdits: ({ runId, sampleId }, ctx) =>
    followEngine(
      ctx,
      runId,
      sampleId,
      notFound(() =>
        withProposal(ctx.project.db, runId, sampleId, resetPromptEdits(ctx.project.db, runId, sampleId)),
      ),
    ),
  saveRunVariant: ({ runId, name }, { project }) => {
    try {
      return saveRunVariant(project.db, runId, name)
    } catch (err) {
      const msg = (err as Error).message
      throw new ApiError(msg.startsWith('no run') ? 'not_found' : 'conflict', msg)
    }
  },
}
