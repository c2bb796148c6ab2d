/** The `datasets` table: one row per imported benchmark split. */
import type { Db } from './project'

export interface DatasetRow {
  id: number
  name: string
  format: string
  source: string | null
  split: string | null
  created_at: string
}

export function createDataset(
  db: Db,
  d: { name: string; format: string; source?: string | null; split?: string | null },
): number {
  const existing = getDatasetByName(db, d.name)
  if (existing) throw new Error(`a dataset named '${d.name}' already exists in this project`)
  const r = db
    .prepare('INSERT INTO datasets (name, format, source, split) VALUES (?, ?, ?, ?)')
    .run(d.name, d.format, d.source ?? null, d.split ?? null)
  return Number(r.lastInsertRowid)
}

export function getDataset(db: Db, id: number): DatasetRow | undefined {
  return db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
}

export function getDatasetByName(db: Db, name: string): DatasetRow | undefined {
  return db.prepare('SELECT * FROM datasets WHERE name = ?').get(name) as DatasetRow | undefined
}

export function listDatasets(db: Db): (DatasetRow & { samples: number })[] {
  return db
    .prepare(
      `SELECT d.*, (SELECT COUNT(*) FROM samples s WHERE s.dataset_id = d.id) AS samples
       FROM datasets d ORDER BY d.id`,
    )
    .all() as (DatasetRow & { samples: number })[]
}
