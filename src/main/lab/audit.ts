/**
 * Authorship without touching the stores: the dispatcher calls `authorize` before a handler and `record`
 * after it succeeds. Every non-read call lands in the append-only audit_log with the caller, the target
 * run/sample taken from the validated input and a compact, secret-free summary of it; a note save also
 * keeps the text it replaced (notes_history) and says whose newer text it overwrote; every write is
 * announced to all connected browsers as a `changed` event.
 */
import { ApiError } from '../../shared/contract/define'
import { methodAccess, roleAllows, type Caller } from '../../shared/contract/access'
import type { ApiEvent } from '../../shared/contract/events'
import type { HistoryEntry, NoteVersion } from '../../shared/contract/lab'
import type { Db } from '../store/project'

const SECRET_KEY = /token|secret|password|api_?key|authorization|credential/i
const MAX_STRING = 80
const MAX_SUMMARY = 600

export const LOCAL_ADMIN: Caller = { user: 'local', role: 'admin', remote: null }

export interface Overwrote {
  user: string
  at: string | null
}

export interface WriteRecorder {
  /** Throws `forbidden` when the caller's role may not call the method. */
  authorize(method: string, caller: Caller): void
  /** State a write needs from before the handler ran (the previous note); null for the rest. */
  before(method: string, input: unknown): unknown
  /** Logs a successful write, emits `changed`, and returns the value the caller gets. */
  record(method: string, input: unknown, value: unknown, caller: Caller, before: unknown): unknown
}

/** Anything not classified as a read is audited, an unclassified method (from another branch) included. */
export function isWrite(method: string): boolean {
  return (methodAccess as Record<string, string | undefined>)[method] !== 'read'
}

export function createWriteRecorder(db: Db, emit: (e: ApiEvent) => void): WriteRecorder {
  const insert = db.prepare(
    'INSERT INTO audit_log (user_name, role, method, run_id, sample_id, summary, remote) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const noteRow = db.prepare('SELECT text, updated_at FROM notes WHERE run_id = ? AND sample_id = ?')
  const lastNoteAuthor = db.prepare(
    "SELECT user_name FROM audit_log WHERE method = 'saveNote' AND run_id = ? AND sample_id = ? ORDER BY id DESC LIMIT 1",
  )
  const keepNote = db.prepare(
    'INSERT INTO notes_history (run_id, sample_id, text, author, written_at, replaced_by) VALUES (?, ?, ?, ?, ?, ?)',
  )
  return {
    authorize(method, caller) {
      const cls = (methodAccess as Record<string, 'read' | 'annotate' | 'admin' | undefined>)[method]
      // An unclassified method (added on another branch) is admin-only until someone classifies it.
      if (!roleAllows(caller.role, cls ?? 'admin'))
        throw new ApiError('forbidden', `${caller.user} (${caller.role}) may not call ${method}`)
    },
    before(method, input) {
      if (method !== 'saveNote') return null
      const { runId, sampleId } = input as { runId: number; sampleId: number }
      const row = noteRow.get(runId, sampleId) as { text: string; updated_at: string } | undefined
      const author = lastNoteAuthor.get(runId, sampleId) as { user_name: string } | undefined
      return { text: row?.text ?? '', updatedAt: row?.updated_at ?? null, author: author?.user_name ?? null }
    },
    record(method, input, value, caller, before) {
      if (!isWrite(method)) return value
      const { runId, sampleId } = targetOf(input)
      let overwrote: Overwrote | null = null
      db.transaction(() => {
        insert.run(caller.user, caller.role, method, runId, sampleId, summarize(input), caller.remote ?? null)
        if (method === 'saveNote' && before) {
          const prev = before as { text: string; updatedAt: string | null; author: string | null }
          const next = input as { text: string; basedOn?: string | null }
          if (prev.text.trim() !== '' && prev.text !== next.text)
            keepNote.run(runId, sampleId, prev.text, prev.author, prev.updatedAt, caller.user)
          // Last writer wins, but a save based on an older version than the stored one tells its author
          // whose text it replaced (that text is in notes_history).
          if (
            next.basedOn !== undefined &&
            next.basedOn !== prev.updatedAt &&
            prev.author !== null &&
            prev.author !== caller.user
          )
            overwrote = { user: prev.author, at: prev.updatedAt }
        }
      })()
      emit({ type: 'changed', method, runId, sampleId, user: caller.user, overwrote })
      return method === 'saveNote' && value && typeof value === 'object' ? { ...value, overwrote } : value
    },
  }
}

/** The run and sample a call is about, read from the validated input's usual field names. */
export function targetOf(input: unknown): { runId: number | null; sampleId: number | null } {
  const o = (input ?? {}) as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null)
  return { runId: num(o.runId) ?? num(o.baseRunId), sampleId: num(o.sampleId) }
}

/** Compact JSON of an input: long strings cut, secret-looking keys redacted, the whole capped. */
export function summarize(input: unknown): string {
  const text = JSON.stringify(input ?? {}, (key, v: unknown) => {
    if (key && SECRET_KEY.test(key)) return '[redacted]'
    if (typeof v === 'string' && v.length > MAX_STRING)
      return `${v.slice(0, MAX_STRING)}… (${v.length} chars)`
    if (Array.isArray(v) && v.length > 20) return [...v.slice(0, 20), `… (${v.length} items)`]
    return v
  })
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text
}

export function sampleHistory(
  db: Db,
  runId: number,
  sampleId: number,
  limit = 100,
): { entries: HistoryEntry[]; noteVersions: NoteVersion[] } {
  const entries = db
    .prepare(
      `SELECT id, at, user_name AS user, method, summary FROM audit_log
       WHERE sample_id = ? AND (run_id = ? OR run_id IS NULL) ORDER BY id DESC LIMIT ?`,
    )
    .all(sampleId, runId, limit) as HistoryEntry[]
  const noteVersions = db
    .prepare(
      `SELECT text, author, written_at AS writtenAt, replaced_by AS replacedBy, replaced_at AS replacedAt
       FROM notes_history WHERE sample_id = ? AND run_id = ? ORDER BY id DESC LIMIT ?`,
    )
    .all(sampleId, runId, limit) as NoteVersion[]
  return { entries, noteVersions }
}
