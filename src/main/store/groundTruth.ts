/**
 * Ground-truth versions: the original (samples.gt_rle / ignore_rle, never modified) and the corrected GT,
 * built by commands (`gt_commands`, each stored with the state before and after it) whose current result
 * is materialised in `gt_objects` + `gt_revisions` — one row per edited sample for the metrics. Every
 * command, undo and redo is one transaction, so a crash keeps the last complete command.
 */
import type { GroundTruthDto, GtWhich, SampleFlagKind } from '../../shared/contract/gt'
import {
  applyGtOp,
  gtUnion,
  isRevised,
  originalGtState,
  type GtOp,
  type GtState,
} from '../../shared/domain/gtEdit'
import { area, fromCoco, toCoco, type Rle } from '../../shared/domain/rle'
import type { Db } from './project'

export interface GtSampleFlag {
  kind: SampleFlagKind
  reason: string
}

/** What an export or a metric needs of one sample's GT. */
export interface GroundTruthRead {
  /** The objects' masks (the original has one object, or none when its mask is empty). */
  objects: Rle[]
  /** The sample mask: the union of the objects. */
  mask: Rle
  ignore: Rle | null
  /** The corrected GT differs from the original; always false for which = 'original'. */
  revised: boolean
  flag: GtSampleFlag | null
}

interface SampleGtRow {
  id: number
  width: number
  height: number
  gt_rle: string
  ignore_rle: string | null
}

interface RevisionRow {
  sample_id: number
  mask_rle: string
  mask_area: number
  ignore_rle: string | null
  revised: number
  cursor: number
  author: string
  reason: string | null
  tag_id: number | null
  updated_at: string
}

interface ObjectRow {
  obj_id: number
  label: string
  mask_rle: string
}

interface StoredState {
  objects: { id: number; label: string; counts: string }[]
  ignore: string | null
}

/** An invalid GT request the user can fix (unknown sample, bad operation); the API maps it to 4xx. */
export class GtError extends Error {
  constructor(
    readonly code: 'not_found' | 'bad_request',
    message: string,
  ) {
    super(message)
    this.name = 'GtError'
  }
}

function sampleRow(db: Db, sampleId: number): SampleGtRow {
  const s = db
    .prepare('SELECT id, width, height, gt_rle, ignore_rle FROM samples WHERE id = ?')
    .get(sampleId) as SampleGtRow | undefined
  if (!s) throw new GtError('not_found', `no sample with id ${sampleId} in this project`)
  return s
}

function rle(s: SampleGtRow, counts: string): Rle {
  return fromCoco({ size: [s.height, s.width], counts })
}

function originalOf(s: SampleGtRow): GtState {
  return originalGtState(rle(s, s.gt_rle), s.ignore_rle != null ? rle(s, s.ignore_rle) : null)
}

function revisionRow(db: Db, sampleId: number): RevisionRow | undefined {
  return db.prepare('SELECT * FROM gt_revisions WHERE sample_id = ?').get(sampleId) as RevisionRow | undefined
}

/** The corrected state: the materialised objects once the sample has a revision, else the original. */
function correctedOf(db: Db, s: SampleGtRow, rev: RevisionRow | undefined): GtState {
  if (!rev) return originalOf(s)
  const objects = db
    .prepare('SELECT obj_id, label, mask_rle FROM gt_objects WHERE sample_id = ? ORDER BY position')
    .all(s.id) as ObjectRow[]
  return {
    objects: objects.map((o) => ({ id: o.obj_id, label: o.label, mask: rle(s, o.mask_rle) })),
    ignore: rev.ignore_rle != null ? rle(s, rev.ignore_rle) : null,
  }
}

function flagOf(db: Db, sampleId: number) {
  return db
    .prepare('SELECT kind, reason, author, created_at FROM sample_flags WHERE sample_id = ?')
    .get(sampleId) as { kind: SampleFlagKind; reason: string; author: string; created_at: string } | undefined
}

/** Reads one sample's GT in either version: the call gt-export and the metrics make. */
export function readGroundTruth(db: Db, sampleId: number, which: GtWhich): GroundTruthRead {
  const s = sampleRow(db, sampleId)
  const rev = which === 'corrected' ? revisionRow(db, sampleId) : undefined
  const state = which === 'corrected' ? correctedOf(db, s, rev) : originalOf(s)
  const f = flagOf(db, sampleId)
  return {
    objects: state.objects.map((o) => o.mask),
    mask: rev ? rle(s, rev.mask_rle) : gtUnion(state, s.height, s.width),
    ignore: state.ignore,
    revised: rev ? rev.revised === 1 : false,
    flag: f ? { kind: f.kind, reason: f.reason } : null,
  }
}

/** Revised and flagged samples of a dataset, in sample-id order. */
export function listGtChanges(
  db: Db,
  datasetId: number,
): { revised: number[]; flagged: { sampleId: number; kind: SampleFlagKind; reason: string }[] } {
  const revised = db
    .prepare(
      `SELECT r.sample_id FROM gt_revisions r JOIN samples s ON s.id = r.sample_id
       WHERE s.dataset_id = ? AND r.revised = 1 ORDER BY r.sample_id`,
    )
    .pluck()
    .all(datasetId) as number[]
  const flagged = db
    .prepare(
      `SELECT f.sample_id AS sampleId, f.kind, f.reason FROM sample_flags f JOIN samples s ON s.id = f.sample_id
       WHERE s.dataset_id = ? ORDER BY f.sample_id`,
    )
    .all(datasetId) as { sampleId: number; kind: SampleFlagKind; reason: string }[]
  return { revised, flagged }
}

/**
 * The corrected union + ignore of every revised sample of a dataset, keyed by sample id — what the
 * metrics substitute for the original GT (unrevised samples keep theirs).
 */
export function correctedMasks(db: Db, datasetId: number): Map<number, { gt: Rle; ignore: Rle | null }> {
  const rows = db
    .prepare(
      `SELECT r.sample_id, r.mask_rle, r.ignore_rle, s.width, s.height FROM gt_revisions r
       JOIN samples s ON s.id = r.sample_id WHERE s.dataset_id = ? AND r.revised = 1`,
    )
    .all(datasetId) as {
    sample_id: number
    mask_rle: string
    ignore_rle: string | null
    width: number
    height: number
  }[]
  const out = new Map<number, { gt: Rle; ignore: Rle | null }>()
  for (const r of rows) {
    const size: [number, number] = [r.height, r.width]
    out.set(r.sample_id, {
      gt: fromCoco({ size, counts: r.mask_rle }),
      ignore: r.ignore_rle != null ? fromCoco({ size, counts: r.ignore_rle }) : null,
    })
  }
  return out
}

/** Flagged sample ids of a dataset (for --exclude-flagged). */
export function flaggedSampleIds(db: Db, datasetId: number): Set<number> {
  return new Set(listGtChanges(db, datasetId).flagged.map((f) => f.sampleId))
}

function commandCount(db: Db, sampleId: number): number {
  return (
    (db.prepare('SELECT COUNT(*) FROM gt_commands WHERE sample_id = ?').pluck().get(sampleId) as number) ?? 0
  )
}

/** The view the API returns. */
export function getGroundTruth(db: Db, sampleId: number, which: GtWhich): GroundTruthDto {
  const s = sampleRow(db, sampleId)
  const rev = revisionRow(db, sampleId)
  const state = which === 'corrected' ? correctedOf(db, s, rev) : originalOf(s)
  const union = which === 'corrected' && rev ? rle(s, rev.mask_rle) : gtUnion(state, s.height, s.width)
  const total = commandCount(db, sampleId)
  const position = rev?.cursor ?? 0
  const f = flagOf(db, sampleId)
  const tagName =
    rev?.tag_id != null
      ? ((db.prepare('SELECT name FROM tags WHERE id = ?').pluck().get(rev.tag_id) as string | undefined) ??
        null)
      : null
  return {
    sampleId,
    which,
    size: [s.height, s.width],
    objects: state.objects.map((o) => ({
      id: o.id,
      label: o.label,
      mask: toCoco(o.mask),
      area: area(o.mask),
    })),
    ignore: state.ignore ? toCoco(state.ignore) : null,
    union: toCoco(union),
    unionArea: area(union),
    revised: which === 'corrected' && rev?.revised === 1,
    revision: rev
      ? { author: rev.author, updatedAt: rev.updated_at, reason: rev.reason, tagId: rev.tag_id, tagName }
      : null,
    flag: f ? { kind: f.kind, reason: f.reason, author: f.author, createdAt: f.created_at } : null,
    canUndo: position > 0,
    canRedo: position < total,
    position,
    commands: total,
  }
}

function serialize(state: GtState): string {
  const stored: StoredState = {
    objects: state.objects.map((o) => ({ id: o.id, label: o.label, counts: toCoco(o.mask).counts })),
    ignore: state.ignore ? toCoco(state.ignore).counts : null,
  }
  return JSON.stringify(stored)
}

function deserialize(s: SampleGtRow, json: string): GtState {
  const stored = JSON.parse(json) as StoredState
  return {
    objects: stored.objects.map((o) => ({ id: o.id, label: o.label, mask: rle(s, o.counts) })),
    ignore: stored.ignore != null ? rle(s, stored.ignore) : null,
  }
}

/** Writes a state as the sample's current corrected GT (objects + revision row). */
function writeState(db: Db, s: SampleGtRow, state: GtState, cursor: number, author: string | null): void {
  const union = gtUnion(state, s.height, s.width)
  const unionCounts = toCoco(union).counts
  const unionArea = area(union)
  const ignoreCounts = state.ignore ? toCoco(state.ignore).counts : null
  // An authored sample's drawn GT is its original (there is no imported GT to keep): keep samples in step.
  const authored = db.prepare('SELECT 1 FROM authored_samples WHERE sample_id = ?').get(s.id) !== undefined
  if (authored) {
    db.prepare('UPDATE samples SET gt_rle = ?, gt_area = ?, ignore_rle = ? WHERE id = ?').run(
      unionCounts,
      unionArea,
      ignoreCounts,
      s.id,
    )
  }
  const revised = !authored && isRevised(state, originalOf(s), s.height, s.width) ? 1 : 0
  db.prepare('DELETE FROM gt_objects WHERE sample_id = ?').run(s.id)
  const ins = db.prepare(
    'INSERT INTO gt_objects (sample_id, obj_id, position, label, mask_rle, area) VALUES (?, ?, ?, ?, ?, ?)',
  )
  state.objects.forEach((o, i) => ins.run(s.id, o.id, i, o.label, toCoco(o.mask).counts, area(o.mask)))
  db.prepare(
    `INSERT INTO gt_revisions (sample_id, mask_rle, mask_area, ignore_rle, revised, cursor, author)
     VALUES (@id, @mask, @area, @ignore, @revised, @cursor, @author)
     ON CONFLICT (sample_id) DO UPDATE SET mask_rle = excluded.mask_rle, mask_area = excluded.mask_area,
       ignore_rle = excluded.ignore_rle, revised = excluded.revised, cursor = excluded.cursor,
       author = COALESCE(@setAuthor, author), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  ).run({
    id: s.id,
    mask: unionCounts,
    area: unionArea,
    ignore: ignoreCounts,
    revised,
    cursor,
    author: author ?? 'unknown',
    setAuthor: author,
  })
}

/**
 * Applies one operation as a new command after the cursor (dropping any redo branch) and makes its result
 * the current corrected GT. A MaskOpError from the operation leaves the database untouched.
 */
export function applyGtCommand(db: Db, sampleId: number, op: GtOp, author: string): void {
  db.transaction(() => {
    const s = sampleRow(db, sampleId)
    const rev = revisionRow(db, sampleId)
    const before = correctedOf(db, s, rev)
    const after = applyGtOp(before, op, originalOf(s), s.height, s.width)
    const cursor = rev?.cursor ?? 0
    db.prepare('DELETE FROM gt_commands WHERE sample_id = ? AND seq > ?').run(sampleId, cursor)
    db.prepare(
      'INSERT INTO gt_commands (sample_id, seq, op_json, author, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(sampleId, cursor + 1, JSON.stringify(op), author, serialize(before), serialize(after))
    writeState(db, s, after, cursor + 1, author)
  })()
}

/** Moves the cursor one command back (undo) or forward (redo); false when there is nothing to move to. */
export function moveGtCursor(db: Db, sampleId: number, direction: 'undo' | 'redo'): boolean {
  return db.transaction(() => {
    const s = sampleRow(db, sampleId)
    const rev = revisionRow(db, sampleId)
    const cursor = rev?.cursor ?? 0
    const seq = direction === 'undo' ? cursor : cursor + 1
    if (seq < 1) return false
    const cmd = db
      .prepare('SELECT before_json, after_json FROM gt_commands WHERE sample_id = ? AND seq = ?')
      .get(sampleId, seq) as { before_json: string; after_json: string } | undefined
    if (!cmd) return false
    const state = deserialize(s, direction === 'undo' ? cmd.before_json : cmd.after_json)
    writeState(db, s, state, direction === 'undo' ? cursor - 1 : cursor + 1, null)
    return true
  })()
}

export function listGtCommands(
  db: Db,
  sampleId: number,
): { seq: number; op: GtOp; author: string; createdAt: string; applied: boolean }[] {
  sampleRow(db, sampleId)
  const cursor = revisionRow(db, sampleId)?.cursor ?? 0
  const rows = db
    .prepare('SELECT seq, op_json, author, created_at FROM gt_commands WHERE sample_id = ? ORDER BY seq')
    .all(sampleId) as { seq: number; op_json: string; author: string; created_at: string }[]
  return rows.map((r) => ({
    seq: r.seq,
    op: JSON.parse(r.op_json) as GtOp,
    author: r.author,
    createdAt: r.created_at,
    applied: r.seq <= cursor,
  }))
}

/** Sets the revision's reason / failure tag / author; creates the revision row (unrevised) if needed. */
export function setGtRevisionInfo(
  db: Db,
  sampleId: number,
  info: { reason?: string | null; tagId?: number | null; author?: string },
  defaultAuthor: string,
): void {
  db.transaction(() => {
    const s = sampleRow(db, sampleId)
    if (info.tagId != null && !db.prepare('SELECT 1 FROM tags WHERE id = ?').get(info.tagId)) {
      throw new GtError('not_found', `no tag with id ${info.tagId} in this project`)
    }
    if (!revisionRow(db, sampleId)) writeState(db, s, originalOf(s), 0, info.author ?? defaultAuthor)
    const sets: string[] = []
    const params: Record<string, unknown> = { id: sampleId }
    if (info.reason !== undefined) {
      sets.push('reason = @reason')
      params.reason = info.reason
    }
    if (info.tagId !== undefined) {
      sets.push('tag_id = @tag')
      params.tag = info.tagId
    }
    if (info.author !== undefined) {
      sets.push('author = @author')
      params.author = info.author
    }
    if (sets.length > 0) {
      db.prepare(
        `UPDATE gt_revisions SET ${sets.join(', ')}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE sample_id = @id`,
      ).run(params)
    }
  })()
}

/** The author a new command gets when the caller names none: the revision's author if set, else `fallback`. */
export function revisionAuthor(db: Db, sampleId: number, fallback: string): string {
  return revisionRow(db, sampleId)?.author ?? fallback
}

export function flagSample(
  db: Db,
  sampleId: number,
  kind: SampleFlagKind,
  reason: string,
  author: string,
): { kind: SampleFlagKind; reason: string; author: string; createdAt: string } {
  sampleRow(db, sampleId)
  db.prepare(`INSERT OR REPLACE INTO sample_flags (sample_id, kind, reason, author) VALUES (?, ?, ?, ?)`).run(
    sampleId,
    kind,
    reason,
    author,
  )
  const f = flagOf(db, sampleId) as {
    kind: SampleFlagKind
    reason: string
    author: string
    created_at: string
  }
  return { kind: f.kind, reason: f.reason, author: f.author, createdAt: f.created_at }
}

export function unflagSample(db: Db, sampleId: number): boolean {
  sampleRow(db, sampleId)
  return db.prepare('DELETE FROM sample_flags WHERE sample_id = ?').run(sampleId).changes > 0
}
