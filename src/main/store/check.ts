/**
 * `reseg project check [--fix]` and the app's check after a crash: is the project whole?
 *
 * - SQLite's own `integrity_check` and `foreign_key_check`;
 * - schema version (older: --fix migrates; newer than this app: cannot be fixed here);
 * - orphaned media: files and folders in media/ that no media row names — the staging folder or temporary
 *   files of a killed import, a thumbnail written just before a crash (--fix deletes them; anything a live
 *   process is still writing, named by its pid, is left alone);
 * - missing media: rows whose file is gone (not fixable here: re-import the dataset);
 * - the write-ahead log: its size, and with --fix a checkpoint that folds it into the database.
 */
import fs from 'node:fs'
import path from 'node:path'
import { processRunning, writerPid } from './mediaStaging'
import { migrations } from './migrations'
import { DB_FILE, migrate, schemaVersion, type Db } from './project'

export interface CheckReport {
  /** True when nothing is left to fix (after the fixes, with `fix`). */
  clean: boolean
  integrity: string[]
  foreignKeyViolations: number
  schema: { version: number; latest: number }
  orphans: { entries: string[]; bytes: number; removed: boolean }
  missing: string[]
  wal: { bytesBefore: number; bytesAfter: number; checkpointed: boolean }
  /** One line per problem found, saying what was done about it. */
  problems: string[]
}

function sizeOf(p: string): number {
  const st = fs.lstatSync(p, { throwIfNoEntry: false })
  if (!st) return 0
  if (!st.isDirectory()) return st.size
  return fs.readdirSync(p).reduce((n, e) => n + sizeOf(path.join(p, e)), 0)
}

export function checkProject(db: Db, projectDir: string, opts: { fix?: boolean } = {}): CheckReport {
  const fix = opts.fix ?? false
  const problems: string[] = []

  // A damaged file can make the check itself fail: that is its finding, not an error of the check.
  const attempt = <T>(fn: () => T, fallback: (message: string) => T): T => {
    try {
      return fn()
    } catch (err) {
      return fallback(err instanceof Error ? err.message : String(err))
    }
  }
  const integrity = attempt(
    () => (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check),
    (message) => [message],
  )
  if (integrity.join() !== 'ok') problems.push(`integrity_check: ${integrity.slice(0, 5).join('; ')}`)
  const fk = attempt(
    () => (db.pragma('foreign_key_check') as unknown[]).length,
    () => 0,
  )
  if (fk > 0) problems.push(`${fk} rows reference rows that do not exist (foreign_key_check)`)

  const latest = migrations[migrations.length - 1].version
  let version = schemaVersion(db)
  if (version < latest) {
    if (fix) {
      migrate(db, migrations)
      problems.push(`schema version ${version} was older than ${latest}: migrated`)
      version = schemaVersion(db)
    } else problems.push(`schema version ${version} is older than ${latest} (--fix migrates)`)
  } else if (version > latest) {
    problems.push(`schema version ${version} is newer than this app (${latest}): update ReSeg Inspector`)
  }

  const mediaDir = path.join(projectDir, 'media')
  const knownList = attempt(
    () => db.prepare("SELECT hash || '.' || ext FROM media").pluck().all() as string[],
    (message) => {
      problems.push(`cannot read the media table (${message}): media not checked`)
      return null
    },
  )
  const known = new Set(knownList ?? [])
  const present = new Set(fs.existsSync(mediaDir) && knownList ? fs.readdirSync(mediaDir) : [])
  const orphanEntries = [...present]
    .filter((name) => !known.has(name))
    .filter((name) => {
      const pid = writerPid(name)
      return pid === null || !processRunning(pid)
    })
    .sort()
  const orphanBytes = orphanEntries.reduce((n, e) => n + sizeOf(path.join(mediaDir, e)), 0)
  if (orphanEntries.length > 0) {
    if (fix)
      for (const e of orphanEntries) fs.rmSync(path.join(mediaDir, e), { recursive: true, force: true })
    problems.push(
      `${orphanEntries.length} orphaned media entries (${(orphanBytes / 1e6).toFixed(1)} MB) no row references${fix ? ': removed' : ' (--fix removes them)'}`,
    )
  }
  const missing = [...known].filter((name) => !present.has(name)).sort()
  if (missing.length > 0)
    problems.push(
      `${missing.length} media files are missing (e.g. media/${missing[0]}); re-import the dataset`,
    )

  const walFile = path.join(projectDir, `${DB_FILE}-wal`)
  const bytesBefore = sizeOf(walFile)
  let checkpointed = false
  if (fix) {
    checkpointed = attempt(
      () => (db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]?.busy === 0,
      (message) => (problems.push(`WAL checkpoint failed: ${message}`), false),
    )
  }
  const bytesAfter = sizeOf(walFile)

  // What remains after the fixes decides `clean`; fixed problems are reported, but no longer count.
  const remaining =
    (integrity.join() !== 'ok' ? 1 : 0) +
    (fk > 0 ? 1 : 0) +
    (version !== latest ? 1 : 0) +
    (knownList ? 0 : 1) +
    (orphanEntries.length > 0 && !fix ? 1 : 0) +
    missing.length
  return {
    clean: remaining === 0,
    integrity,
    foreignKeyViolations: fk,
    schema: { version, latest },
    orphans: { entries: orphanEntries, bytes: orphanBytes, removed: fix && orphanEntries.length > 0 },
    missing,
    wal: { bytesBefore, bytesAfter, checkpointed },
    problems,
  }
}

/** The report as the CLI prints it; `notes` (one line each) go just before the verdict. */
export function formatCheckReport(projectDir: string, r: CheckReport, notes: readonly string[] = []): string {
  const lines = [
    `project ${projectDir}`,
    `  integrity: ${r.integrity.join('; ')}; foreign keys: ${r.foreignKeyViolations === 0 ? 'ok' : `${r.foreignKeyViolations} violations`}`,
    `  schema: version ${r.schema.version} (this app: ${r.schema.latest})`,
    `  media: ${r.orphans.entries.length} orphaned (${(r.orphans.bytes / 1e6).toFixed(1)} MB)${r.orphans.removed ? ', removed' : ''}, ${r.missing.length} missing`,
    `  WAL: ${(r.wal.bytesBefore / 1e6).toFixed(1)} MB${r.wal.checkpointed ? ` → ${(r.wal.bytesAfter / 1e6).toFixed(1)} MB after checkpoint` : ''}`,
    ...r.problems.map((p) => `  problem: ${p}`),
    ...notes,
    r.clean ? 'clean' : 'NOT clean',
  ]
  return `${lines.join('\n')}\n`
}
