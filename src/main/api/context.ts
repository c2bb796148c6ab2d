/** Builds the one ApiContext a host serves: the open project, the job runner and the event fan-out. */
import type { ApiEvent } from '../../shared/contract/events'
import { createEngine } from '../engine/registry'
import { JobRunner } from '../jobs/jobs'
import type { Project } from '../store/project'
import type { ApiContext, HostServices } from './types'

export function createApiContext(
  project: Project,
  host: HostServices = {},
): ApiContext & {
  onEvent(listener: (e: ApiEvent) => void): () => void
  dispose(): Promise<void>
} {
  const listeners = new Set<(e: ApiEvent) => void>()
  const emit = (e: ApiEvent) => {
    for (const l of listeners) l(e)
  }
  const jobs = new JobRunner(emit)
  const engine = createEngine({ projectDir: project.dir })
  return {
    project,
    jobs,
    engine,
    emit,
    host,
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async dispose() {
      jobs.cancelAll()
      await engine.dispose()
    },
  }
}
