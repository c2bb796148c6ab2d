/**
 * `--author NAME` on the table reports: which samples of a run NAME touched, read from the append-only
 * audit_log (the dispatcher writes one row per successful write). A write counts when it names a sample of
 * the run's dataset and either names the run or no run at all (GT edits and flags are per sample, shared by
 * every run), the same rule the per-sample history view uses.
 */
import type { Db } from '../store/project'

/** The formats that can be restricted to one author's samples. */
export const AUTHOR_FORMATS = ['csv', 'json', 'html', 'pdf'] as const

/** A filter that cannot be honoured: bad input from the caller (exit 2 / bad_request), not a crash. */
export class AuthorFilterError extends Error {}

/**
 * Sample id → that author's methods on the sample with the time of their last write, oldest first,
 * e.g. `setSampleTag@2026-11-28T04:00:00.000Z;saveNote@2026-11-28T04:01:00.000Z`.
 */
export function authoredSamples(db: Db, runId: number, author: string): Map<number, string> {
  const rows = db
    .prepare(
      `SELECT a.sample_id, a.method, MAX(a.at) AS last, MAX(a.id) AS last_id FROM audit_log a
       WHERE a.user_name = @author AND (a.run_id = @run OR a.run_id IS NULL)
         AND a.sample_id IN (SELECT s.id FROM samples s JOIN runs r ON r.dataset_id = s.dataset_id WHERE r.id = @run)
       GROUP BY a.sample_id, a.method ORDER BY a.sample_id, last_id`,
    )
    .all({ author, run: runId }) as { sample_id: number; method: string; last: string }[]
  const out = new Map<number, string>()
  for (const r of rows) {
    const prev = out.get(r.sample_id)
    out.set(r.sample_id, `${prev ? `${prev};` : ''}${r.method}@${r.last}`)
  }
  return out
}

/** The author filter of an export, or a clear refusal naming what was wrong. */
export function requireAuthored(
  db: Db,
  run: { id: number; name: string },
  author: string,
  format: string,
): Map<number, string> {
  if (!(AUTHOR_FORMATS as readonly string[]).includes(format))
    throw new AuthorFilterError(
      `--author applies to the ${AUTHOR_FORMATS.join(', ')} formats only, not ${format}`,
    )
  const m = authoredSamples(db, run.id, author)
  if (m.size === 0)
    throw new AuthorFilterError(
      `'${author}' has no audited writes on samples of run '${run.name}' (see \`reseg audit --author ${author}\`)`,
    )
  return m
}
