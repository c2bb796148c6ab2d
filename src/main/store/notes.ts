/** Notes per (run, sample): one free-text row each; an empty note is no row. */
import type { Db } from './project'

export function getNote(db: Db, runId: number, sampleId: number): { text: string; updatedAt: string | null } {
  const r = db
    .prepare('SELECT text, updated_at FROM notes WHERE run_id = ? AND sample_id = ?')
    .get(runId, sampleId) as { text: string; updated_at: string } | undefined
  return r ? { text: r.text, updatedAt: r.updated_at } : { text: '', updatedAt: null }
}

export function getNoteText(db: Db, runId: number, sampleId: number): string {
  return getNote(db, runId, sampleId).text
}

export function saveNote(
  db: Db,
  runId: number,
  sampleId: number,
  text: string,
): { updatedAt: string | null } {
  if (text.trim() === '') {
    db.prepare('DELETE FROM notes WHERE run_id = ? AND sample_id = ?').run(runId, sampleId)
    return { updatedAt: null }
  }
  db.prepare(
    `INSERT INTO notes (run_id, sample_id, text) VALUES (?, ?, ?)
     ON CONFLICT (run_id, sample_id) DO UPDATE SET text = excluded.text,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  ).run(runId, sampleId, text)
  return { updatedAt: getNote(db, runId, sampleId).updatedAt }
}
