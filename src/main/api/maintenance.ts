/** Handlers for src/shared/contract/maintenance.ts. */
import type { maintenanceMethods } from '../../shared/contract/maintenance'
import { checkProject } from '../store/check'
import type { HandlersFor } from './types'

export const maintenanceHandlers: HandlersFor<typeof maintenanceMethods> = {
  getProjectHealth: (_input, { project }) => ({
    uncleanShutdown: project.uncleanShutdown.map(({ pid, startedAt, command }) => ({
      pid,
      startedAt,
      command,
    })),
  }),
  checkProject: ({ fix }, { project }) => {
    const report = checkProject(project.db, project.dir, { fix })
    // Checked and clean after the fixes: the app stops offering the check for that crash.
    if (fix && report.clean) project.uncleanShutdown = []
    return report
  },
}
