/** Handlers for src/shared/contract/project.ts. */
import path from 'node:path'
import type { projectMethods } from '../../shared/contract/project'
import { listDatasets } from '../store/datasets'
import { schemaVersion } from '../store/project'
import { notSegmentedSql } from '../store/runs'
import type { HandlersFor } from './types'

export const projectHandlers: HandlersFor<typeof projectMethods> = {
  getProjectInfo: (_input, { project }) => {
    const runs = project.db
      .prepare(
        `SELECT r.*, (SELECT COUNT(*) FROM predictions p WHERE p.run_id = r.id) AS n,
           (SELECT COUNT(*) FROM predictions p WHERE p.run_id = r.id AND ${notSegmentedSql('p')}) AS unseg
         FROM runs r ORDER BY r.id`,
      )
      .all() as {
      id: number
      name: string
      dataset_id: number
      kind: string
      model: string | null
      parent_run_id: number | null
      n: number
      unseg: number
      created_at: string
    }[]
    return {
      name: path.basename(path.resolve(project.dir)),
      dir: path.resolve(project.dir),
      schemaVersion: schemaVersion(project.db),
      datasets: listDatasets(project.db).map((d) => ({
        id: d.id,
        name: d.name,
        format: d.format,
        split: d.split,
        samples: d.samples,
      })),
      runs: runs.map((r) => ({
        id: r.id,
        name: r.name,
        datasetId: r.dataset_id,
        kind: r.kind,
        model: r.model,
        parentRunId: r.parent_run_id,
        predictions: r.n,
        notSegmented: r.unseg,
        createdAt: r.created_at,
      })),
    }
  },
  listJobs: (_input, { jobs }) => jobs.list(),
  cancelJob: ({ jobId }, { jobs }) => ({ cancelled: jobs.cancel(jobId) }),
}
