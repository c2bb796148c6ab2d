/** Handlers for src/shared/contract/exportDataset.ts. */
import { ApiError } from '../../shared/contract/define'
import type { exportDatasetMethods } from '../../shared/contract/exportDataset'
import { checkOut, exportDataset } from '../datasets/export/exportDataset'
import { getDatasetByName } from '../store/datasets'
import type { HandlersFor } from './types'

export const exportDatasetHandlers: HandlersFor<typeof exportDatasetMethods> = {
  exportDataset: (input, { project, jobs }) => {
    // The quick refusals answer the call itself; the rest is reported by the job.
    if (!getDatasetByName(project.db, input.dataset)) {
      throw new ApiError('not_found', `no dataset named '${input.dataset}'`)
    }
    try {
      checkOut(input.out, input.force)
    } catch (err) {
      throw new ApiError('conflict', (err as Error).message)
    }
    const jobId = jobs.start(`Export dataset ${input.dataset} as ${input.format}`, async (ctl) => {
      const r = await exportDataset(project, {
        ...input,
        signal: ctl.signal,
        onProgress: (done, total) => ctl.progress(done, total),
      })
      return `exported ${r.samples} samples (${r.gt} GT) to ${r.out}`
    })
    return { jobId }
  },
}
