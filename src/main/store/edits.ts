/**
 * Prompt-edit history (`prompt_edits`, append-only) and the undo stack over it (`prompt_edit_cursor`).
 * The stack is a list of edit ids — null stands for the model's own prompts — and a position, so undo
 * and redo restore exactly the mask that was shown, and survive a reload. Edits inserted by anyone (the
 * segmentation engine inserts them directly) are pushed onto the stack on the next read.
 */
import type { ObjectResult, PromptEdit } from '../../shared/contract/samples'
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { toCoco, type Rle } from '../../shared/domain/rle'
import type { Db } from './project'
import { createRun, getRun, getRunByName } from './runs'

export interface EditState {
  current: PromptEdit | null
  canUndo: boolean
  canRedo: boolean
}

interface Cursor {
  stack: (number | null)[]
  pos: number
  seenMax: number
}

interface EditRecord {
  id: number
  prompts_json: string
  model: string | null
  mask_rle: string | null
  score: number | null
  intersection: number | null
  union_px: number | null
  iou: number | null
  refine: number | null
  objects_json: string | null
  created_at: string
}

/** An object as stored in `objects_json` (the mask's size is the sample's). */
export type StoredObject = Omit<ObjectResult, 'mask'> & { counts: string }

export function objectsToJson(objects: readonly ObjectResult[]): string {
  return JSON.stringify(objects.map(({ mask, ...o }) => ({ ...o, counts: mask.counts })))
}

export function objectsFromJson(json: string | null, size: [number, number]): ObjectResult[] | null {
  if (json == null) return null
  return (JSON.parse(json) as StoredObject[]).map(({ counts, ...o }) => ({ ...o, mask: { size, counts } }))
}

export function recordPromptEdit(
  db: Db,
  e: {
    runId: number
    sampleId: number
    prompts: ObjectPrompt[]
    model?: string | null
    mask?: Rle | null
    score?: number | null
    intersection?: number | null
    union?: number | null
    iou?: number | null
    /** SAM refinement on/off for this edit (null: not applicable / unknown). */
    refine?: boolean | null
    objects?: readonly ObjectResult[] | null
  },
): number {
  // The edit and the undo stack that shows it change together, or not at all.
  return db.transaction(() => {
    const r = db
      .prepare(
        `INSERT INTO prompt_edits (run_id, sample_id, prompts_json, model, mask_rle, score, intersection, union_px, iou,
           refine, objects_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.runId,
        e.sampleId,
        JSON.stringify(e.prompts),
        e.model ?? null,
        e.mask ? toCoco(e.mask).counts : null,
        e.score ?? null,
        e.intersection ?? null,
        e.union ?? null,
        e.iou ?? null,
        e.refine == null ? null : e.refine ? 1 : 0,
        e.objects ? objectsToJson(e.objects) : null,
      )
    const id = Number(r.lastInsertRowid)
    loadCursor(db, e.runId, e.sampleId)
    return id
  })()
}

/** Reads the cursor, pushing any edits newer than the last one seen; writes it back if that changed it. */
function loadCursor(db: Db, runId: number, sampleId: number): Cursor {
  const row = db
    .prepare('SELECT stack_json, pos, seen_max FROM prompt_edit_cursor WHERE run_id = ? AND sample_id = ?')
    .get(runId, sampleId) as { stack_json: string; pos: number; seen_max: number } | undefined
  const cur: Cursor = row
    ? { stack: JSON.parse(row.stack_json) as (number | null)[], pos: row.pos, seenMax: row.seen_max }
    : { stack: [null], pos: 0, seenMax: 0 }
  const fresh = db
    .prepare('SELECT id FROM prompt_edits WHERE run_id = ? AND sample_id = ? AND id > ? ORDER BY id')
    .pluck()
    .all(runId, sampleId, cur.seenMax) as number[]
  for (const id of fresh) {
    cur.stack = [...cur.stack.slice(0, cur.pos + 1), id]
    cur.pos = cur.stack.length - 1
    cur.seenMax = id
  }
  if (fresh.length > 0) saveCursor(db, runId, sampleId, cur)
  return cur
}

function saveCursor(db: Db, runId: number, sampleId: number, cur: Cursor): void {
  db.prepare(
    `INSERT OR REPLACE INTO prompt_edit_cursor (run_id, sample_id, stack_json, pos, seen_max) VALUES (?, ?, ?, ?, ?)`,
  ).run(runId, sampleId, JSON.stringify(cur.stack), cur.pos, cur.seenMax)
}

function sampleSize(db: Db, sampleId: number): [number, number] {
  const s = db.prepare('SELECT width, height FROM samples WHERE id = ?').get(sampleId) as
    { width: number; height: number } | undefined
  if (!s) throw new Error(`no sample with id ${sampleId}`)
  return [s.height, s.width]
}

function toEdit(r: EditRecord, size: [number, number]): PromptEdit {
  return {
    id: r.id,
    prompts: JSON.parse(r.prompts_json) as ObjectPrompt[],
    model: r.model,
    mask: r.mask_rle != null ? { size, counts: r.mask_rle } : null,
    score: r.score,
    intersection: r.intersection,
    union: r.union_px,
    iou: r.iou,
    refine: r.refine == null ? null : r.refine === 1,
    objects: objectsFromJson(r.objects_json, size),
    createdAt: r.created_at,
  }
}

function stateOf(db: Db, cur: Cursor, size: [number, number]): EditState {
  const id = cur.stack[cur.pos]
  const rec =
    id == null ? undefined : (db.prepare('SELECT * FROM prompt_edits WHERE id = ?').get(id) as EditRecord)
  return {
    current: rec ? toEdit(rec, size) : null,
    canUndo: cur.pos > 0,
    canRedo: cur.pos < cur.stack.length - 1,
  }
}

export function getEditState(
  db: Db,
  runId: number,
  sampleId: number,
  size = sampleSize(db, sampleId),
): EditState {
  return stateOf(db, loadCursor(db, runId, sampleId), size)
}

function move(db: Db, runId: number, sampleId: number, step: (cur: Cursor) => boolean): EditState {
  return db.transaction(() => {
    const cur = loadCursor(db, runId, sampleId)
    if (step(cur)) saveCursor(db, runId, sampleId, cur)
    return stateOf(db, cur, sampleSize(db, sampleId))
  })()
}

export function undoPromptEdit(db: Db, runId: number, sampleId: number): EditState {
  return move(db, runId, sampleId, (c) => c.pos > 0 && (c.pos--, true))
}

export function redoPromptEdit(db: Db, runId: number, sampleId: number): EditState {
  return move(db, runId, sampleId, (c) => c.pos < c.stack.length - 1 && (c.pos++, true))
}

export function resetPromptEdits(db: Db, runId: number, sampleId: number): EditState {
  return move(db, runId, sampleId, (c) => {
    if (c.stack[c.pos] === null) return false
    c.stack = [...c.stack.slice(0, c.pos + 1), null]
    c.pos = c.stack.length - 1
    return true
  })
}

export function listPromptEdits(db: Db, runId: number, sampleId: number): PromptEdit[] {
  const size = sampleSize(db, sampleId)
  const rows = db
    .prepare('SELECT * FROM prompt_edits WHERE run_id = ? AND sample_id = ? ORDER BY id')
    .all(runId, sampleId) as EditRecord[]
  return rows.map((r) => toEdit(r, size))
}

/**
 * Copies a run into a new "variant" run in which every sample whose current state is an edit takes that
 * edit's prompts, mask and scores; the original run is left untouched, so the two can be compared.
 */
export function saveRunVariant(
  db: Db,
  runId: number,
  name?: string,
): { runId: number; name: string; edited: number } {
  const run = getRun(db, runId)
  if (!run) throw new Error(`no run with id ${runId}`)
  return db.transaction(() => {
    let variantName = name
    if (!variantName) {
      for (let i = 1; ; i++) {
        variantName = `${run.name} · edited${i > 1 ? ` ${i}` : ''}`
        if (!getRunByName(db, variantName)) break
      }
    }
    const newId = createRun(db, {
      datasetId: run.dataset_id,
      name: variantName,
      kind: 'variant',
      source: `edits of run '${run.name}'`,
      model: run.model,
      parentRunId: run.id,
    })
    db.prepare(
      `INSERT INTO predictions (run_id, sample_id, raw_output, reasoning, answer, parse_error, prompts_json, mask_rle,
         score, intersection, union_px, iou, bbox_iou, objects_json)
       SELECT ?, sample_id, raw_output, reasoning, answer, parse_error, prompts_json, mask_rle, score, intersection,
         union_px, iou, bbox_iou, objects_json FROM predictions WHERE run_id = ?`,
    ).run(newId, runId)
    const sampleIds = db
      .prepare('SELECT DISTINCT sample_id FROM prompt_edits WHERE run_id = ?')
      .pluck()
      .all(runId) as number[]
    let edited = 0
    for (const sampleId of sampleIds) {
      const cur = loadCursor(db, runId, sampleId)
      const editId = cur.stack[cur.pos]
      if (editId == null) continue
      const e = db.prepare('SELECT * FROM prompt_edits WHERE id = ?').get(editId) as EditRecord
      db.prepare(
        `INSERT INTO predictions (run_id, sample_id, prompts_json, mask_rle, score, intersection, union_px, iou,
           objects_json)
         VALUES (@run, @sample, @prompts, @mask, @score, @i, @u, @iou, @objects)
         ON CONFLICT (run_id, sample_id) DO UPDATE SET prompts_json = excluded.prompts_json,
           mask_rle = excluded.mask_rle, score = excluded.score, intersection = excluded.intersection,
           union_px = excluded.union_px, iou = excluded.iou, objects_json = excluded.objects_json`,
      ).run({
        run: newId,
        sample: sampleId,
        prompts: e.prompts_json,
        mask: e.mask_rle,
        score: e.score,
        i: e.intersection ?? 0,
        u: e.union_px ?? 0,
        iou: e.iou ?? 0,
        objects: e.objects_json,
      })
      edited++
    }
    return { runId: newId, name: variantName as string, edited }
  })()
}
