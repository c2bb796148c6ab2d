/** Handlers for src/shared/contract/tags.ts. */
import { ApiError } from '../../shared/contract/define'
import type { tagsMethods } from '../../shared/contract/tags'
import { deleteTag, listTags, saveTag, setSampleTag } from '../store/tags'
import type { HandlersFor } from './types'

export const tagsHandlers: HandlersFor<typeof tagsMethods> = {
  listTags: (_input, { project }) => listTags(project.db),
  saveTag: (input, { project }) => {
    try {
      return saveTag(project.db, input)
    } catch (err) {
      throw new ApiError('conflict', (err as Error).message)
    }
  },
  deleteTag: ({ id }, { project }) => ({ deleted: deleteTag(project.db, id) }),
  setSampleTag: ({ runId, sampleId, tagId, on }, { project }) => {
    try {
      return { tagIds: setSampleTag(project.db, runId, sampleId, tagId, on) }
    } catch (err) {
      // A foreign-key failure: the run, sample or tag does not exist.
      throw new ApiError(
        'not_found',
        `cannot tag sample ${sampleId} of run ${runId} with tag ${tagId}: ${(err as Error).message}`,
      )
    }
  },
}
