/** Handlers for src/shared/contract/datasets.ts. */
import type { datasetsMethods } from '../../shared/contract/datasets'
import { importDataset } from '../datasets/importDataset'
import type { DatasetRow } from '../store/datasets'
import { openProject } from '../store/project'
import { importSource, released } from './importing'
import type { HandlersFor } from './types'

export const datasetsHandlers: HandlersFor<typeof datasetsMethods> = {
  listDatasets: (_input, { project }) => {
    const rows = project.db
      .prepare(
        `SELECT d.id, d.name, d.format, d.source, d.split, d.created_at,
                COUNT(s.id) AS samples, COUNT(DISTINCT s.media_hash) AS images
         FROM datasets d LEFT JOIN samples s ON s.dataset_id = d.id
         GROUP BY d.id ORDER BY d.id`,
      )
      .all() as (DatasetRow & { samples: number; images: number })[]
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      format: r.format,
      source: r.source,
      split: r.split,
      samples: r.samples,
      images: r.images,
      createdAt: r.created_at,
    }))
  },
  importDataset: ({ source: requested, format, name, split }, ctx) => {
    const { project, jobs } = ctx
    const source = importSource(ctx, requested)
    const jobId = jobs.start(`Import dataset ${source}`, async (ctl) => {
      // A connection of its own: the import's long transaction must not swallow (or roll back) writes
      // that other handlers make on the shared connection meanwhile.
      const own = openProject(project.dir, { nativeBinding: project.nativeBinding })
      try {
        const r = await importDataset(own, source, {
          format,
          name,
          split: split ?? null,
          signal: ctl.signal,
          onProgress: (done, total) => ctl.progress(done, total),
          onDownload: (file, done, total) => ctl.progress(done, total, `downloading ${file}`),
        })
        return `dataset '${r.name}': ${r.samples} samples, ${r.images} images${released(project.dir, source)}`
      } finally {
        own.close()
      }
    })
    return { jobId }
  },
}
