/** Handlers for src/shared/contract/samples.ts. */
import { ApiError } from '../../shared/contract/define'
import type { samplesMethods } from '../../shared/contract/samples'
import { getSampleDetail, listSamplesPage, locateSample } from '../store/browse'
import { getThumbnails } from '../store/thumbs'
import type { HandlersFor } from './types'

export const samplesHandlers: HandlersFor<typeof samplesMethods> = {
  listSamples: ({ offset, limit, around, ...q }, { project }) =>
    listSamplesPage(project.db, q, offset, limit, around),
  locateSample: ({ sampleId, ...q }, { project }) => locateSample(project.db, q, sampleId),
  getSampleDetail: ({ sampleId, runId, compareRunId }, { project }) => {
    const d = getSampleDetail(project.db, sampleId, runId, compareRunId)
    if (!d) throw new ApiError('not_found', `no sample with id ${sampleId} in this project`)
    return d
  },
  getThumbnails: async ({ runId, sampleIds }, { project }) => ({
    items: await getThumbnails(project, runId ?? null, sampleIds),
  }),
}
