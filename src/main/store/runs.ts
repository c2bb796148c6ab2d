/** The `runs` and `predictions` tables: a model's outputs over a dataset, one prediction per sample. */
import type { ObjectPrompt } from '../../shared/domain/prompts'
import type { Rle } from '../../shared/domain/rle'
import { toCoco } from '../../shared/domain/rle'
import type { Db } from './project'

export type RunKind = 'imported' | 'segmented' | 'reasoned' | 'variant' | 'demo'

export interface RunRow {
  id: number
  dataset_id: number
  name: string
  kind: RunKind
  source: string | null
  model: string | null
  parent_run_id: number | null
  meta_json: string | null
  created_at: string
}

export function createRun(
  db: Db,
  r: {
    datasetId: number
    name: string
    kind: RunKind
    source?: string | null
    model?: string | null
    parentRunId?: number | null
    meta?: unknown
  },
): number {
  if (getRunByName(db, r.name))
    throw new Error(`a run named '${r.name}' already exists (use --replace to overwrite it)`)
  const res = db
    .prepare(
      'INSERT INTO runs (dataset_id, name, kind, source, model, parent_run_id, meta_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      r.datasetId,
      r.name,
      r.kind,
      r.source ?? null,
      r.model ?? null,
      r.parentRunId ?? null,
      r.meta === undefined ? null : JSON.stringify(r.meta),
    )
  return Number(res.lastInsertRowid)
}

export function getRunByName(db: Db, name: string): RunRow | undefined {
  return db.prepare('SELECT * FROM runs WHERE name = ?').get(name) as RunRow | undefined
}

export function getRun(db: Db, id: number): RunRow | undefined {
  return db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
}

export function listRuns(db: Db): RunRow[] {
  return db.prepare('SELECT * FROM runs ORDER BY id').all() as RunRow[]
}

export function deleteRun(db: Db, id: number): void {
  db.prepare('DELETE FROM runs WHERE id = ?').run(id)
}

/**
 * SQL over a predictions row aliased `alias`: it holds prompts but no mask (e.g. a raw model output parsed
 * into boxes and points that nobody has segmented yet). Its stored I = 0 is not a score: such a prediction
 * is "not segmented" and shows no IoU until it is segmented.
 */
export function notSegmentedSql(alias: string): string {
  return `(${alias}.mask_rle IS NULL AND ${alias}.prompts_json IS NOT NULL AND ${alias}.prompts_json <> '[]')`
}

/** How many predictions of a run are not segmented (see notSegmentedSql). */
export function countNotSegmented(db: Db, runId: number): number {
  return db
    .prepare(`SELECT COUNT(*) FROM predictions p WHERE p.run_id = ? AND ${notSegmentedSql('p')}`)
    .pluck()
    .get(runId) as number
}

export interface NewPrediction {
  runId: number
  sampleId: number
  rawOutput?: string | null
  reasoning?: string | null
  answer?: string | null
  parseError?: string | null
  prompts?: ObjectPrompt[] | null
  mask?: Rle | null
  score?: number | null
  intersection: number
  union: number
  iou: number
  bboxIou?: number | null
  /** Per-object results as stored by store/edits `objectsToJson` (multi-object answers). */
  objectsJson?: string | null
}

export function upsertPrediction(db: Db, p: NewPrediction): void {
  db.prepare(
    `INSERT OR REPLACE INTO predictions
       (run_id, sample_id, raw_output, reasoning, answer, parse_error, prompts_json, mask_rle, score,
        intersection, union_px, iou, bbox_iou, objects_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    p.runId,
    p.sampleId,
    p.rawOutput ?? null,
    p.reasoning ?? null,
    p.answer ?? null,
    p.parseError ?? null,
    p.prompts == null ? null : JSON.stringify(p.prompts),
    p.mask ? toCoco(p.mask).counts : null,
    p.score ?? null,
    p.intersection,
    p.union,
    p.iou,
    p.bboxIou ?? null,
    p.objectsJson ?? null,
  )
}
