/**
 * A project is a folder holding `project.sqlite` and `media/`. Opening one applies pending migrations,
 * each in its own transaction; WAL keeps readers (the UI) unblocked while an import writes, and a crash
 * mid-write leaves the last committed state.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { migrations, type Migration } from './migrations'
import { openSession, type SessionMarker } from './sessions'
import { recoverMediaStaging } from './mediaStaging'

export type Db = Database.Database

export interface Project {
  dir: string
  db: Db
  mediaDir: string
  /** The better-sqlite3 binary it was opened with, so a second connection (an import job's) loads the same. */
  nativeBinding?: string
  /**
   * Processes that died with this project open (found when it was opened): a crash or kill, after which
   * `reseg project check` (store/check.ts) is worth running. Empty after a clean shutdown.
   */
  uncleanShutdown: SessionMarker[]
  close(): void
}

export const DB_FILE = 'project.sqlite'

export function openProject(dir: string, opts: { create?: boolean; nativeBinding?: string } = {}): Project {
  const dbPath = path.join(dir, DB_FILE)
  if (!fs.existsSync(dbPath)) {
    if (!opts.create)
      throw new Error(
        `${dir} is not a ReSeg project (no ${DB_FILE}); create one with 'reseg demo' or an import`,
      )
    fs.mkdirSync(dir, { recursive: true })
  }
  const mediaDir = path.join(dir, 'media')
  fs.mkdirSync(mediaDir, { recursive: true })
  const db = new Database(dbPath, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {})
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  try {
    migrate(db, migrations)
    // An import killed between its COMMIT and moving its images into media/: finish the move.
    recoverMediaStaging(db, mediaDir)
  } catch (err) {
    // The caller never gets a Project to close; a refused (e.g. newer-schema) database must not stay open.
    db.close()
    throw err
  }
  const session = openSession(dir)
  return {
    dir,
    db,
    mediaDir,
    nativeBinding: opts.nativeBinding,
    uncleanShutdown: session.stale,
    close: () => {
      db.close()
      session.release()
    },
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

/** Applies every migration newer than the database, in order, one transaction each. */
export function migrate(db: Db, list: readonly Migration[], upTo = Infinity): void {
  const current = schemaVersion(db)
  const latest = list.length > 0 ? list[list.length - 1].version : 0
  if (current > latest) {
    throw new Error(
      `project database is schema version ${current}, newer than this app (${latest}); update ReSeg Inspector`,
    )
  }
  for (const m of list) {
    if (m.version <= current || m.version > upTo) continue
    db.transaction(() => {
      db.exec(m.sql)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}
