/** Handlers for src/shared/contract/runs.ts. */
import type { runsMethods } from '../../shared/contract/runs'
import { importRun } from '../runs/importRun'
import { openProject } from '../store/project'
import { importSource, released } from './importing'
import type { HandlersFor } from './types'

export const runsHandlers: HandlersFor<typeof runsMethods> = {
  importRun: ({ path: requested, name, format, dataset, model, replace, skipBad }, ctx) => {
    const { project, jobs } = ctx
    const path = importSource(ctx, requested)
    const jobId = jobs.start(`Import run ${name}`, async (ctl) => {
      // A connection of its own, as for dataset imports: the import's transaction must not interleave
      // with writes other handlers make on the shared connection meanwhile.
      const own = openProject(project.dir, { nativeBinding: project.nativeBinding })
      try {
        const r = await importRun(own, {
          path,
          name,
          format,
          dataset,
          model,
          replace,
          skipBad,
          onProgress: (p) => ctl.progress(p.done, p.total, p.phase),
        })
        const skipped = r.skipped.length
          ? `; skipped ${r.skipped.length} bad line${r.skipped.length === 1 ? '' : 's'} (first: ${String(r.skipped[0])})`
          : ''
        return (
          `run '${r.name}' on '${r.dataset}': ${r.imported} predictions, ${r.missing} samples without one, ` +
          `${r.parseErrors} unparsed answers${skipped}${released(project.dir, path)}`
        )
      } finally {
        own.close()
      }
    })
    return { jobId }
  },
}
