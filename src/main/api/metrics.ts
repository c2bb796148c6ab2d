/** Handlers for src/shared/contract/metrics.ts. */
import { ApiError } from '../../shared/contract/define'
import type { metricsMethods } from '../../shared/contract/metrics'
import { runMetrics } from '../metrics/runMetrics'
import { getRun } from '../store/runs'
import type { HandlersFor } from './types'

export const metricsHandlers: HandlersFor<typeof metricsMethods> = {
  getRunMetrics: ({ runId, convention, gt, excludeFlagged }, { project }) => {
    const run = getRun(project.db, runId)
    if (!run) throw new ApiError('not_found', `no run with id ${runId}`)
    const m = runMetrics(project.db, run, convention ?? 'segzero', {
      gt: gt ?? 'original',
      excludeFlagged: excludeFlagged ?? false,
    })
    return {
      runId: m.runId,
      run: m.run,
      convention: m.convention,
      n: m.n,
      missing: m.missing,
      notSegmented: m.notSegmented,
      gIoU: m.gIoU,
      cIoU: m.cIoU,
      samples: m.samples,
      gt: m.gt,
    }
  },
}
