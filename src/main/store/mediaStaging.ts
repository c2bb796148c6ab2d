/**
 * Where an import writes the images of its transaction: `media/.staging-<pid>-<random>/`, moved into media/
 * right after the COMMIT. The order makes a kill safe at every point:
 * - before the COMMIT, nothing references the staged images: the folder (named by the dead pid) is an
 *   orphan that `reseg project check --fix` removes, and media/ holds no loose files;
 * - after the COMMIT, committed rows reference images still in the folder: the next open of the project
 *   finishes the move (`recoverMediaStaging`), so no committed row points at a missing file.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { isAtomicTemp } from '../files/atomicWrite'
import type { Db } from './project'

export interface MediaStaging {
  dir: string
  /** Final path → staged path of every image written so far. */
  files: Map<string, string>
}

export const STAGING_PREFIX = '.staging-'

export function beginMediaStaging(mediaDir: string): MediaStaging {
  const dir = path.join(mediaDir, `${STAGING_PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`)
  fs.mkdirSync(dir)
  return { dir, files: new Map() }
}

/** Moves the staged images into media/ (call right after COMMIT) and removes the staging folder. */
export function publishMediaStaging(staging: MediaStaging): void {
  for (const [file, staged] of staging.files) fs.renameSync(staged, file)
  staging.files.clear()
  fs.rmSync(staging.dir, { recursive: true, force: true })
}

export function discardMediaStaging(staging: MediaStaging): void {
  staging.files.clear()
  fs.rmSync(staging.dir, { recursive: true, force: true })
}

/** The pid an in-progress name carries (`.staging-<pid>-…`, `.<name>.<pid>.<hex>.tmp`), if any. */
export function writerPid(name: string): number | null {
  const m = name.startsWith(STAGING_PREFIX)
    ? /^\.staging-(\d+)-/.exec(name)
    : isAtomicTemp(name)
      ? /\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)
      : null
  return m ? Number(m[1]) : null
}

/** Whether a process with this pid runs on this host (EPERM: it does, but belongs to someone else). */
export function processRunning(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Finishes the move of a killed import that had committed: every image in a dead process's staging folder
 * that a committed `media` row names, and that media/ lacks, is moved into place. Uncommitted images stay
 * where they are, for the check to remove. Returns how many images were moved.
 */
export function recoverMediaStaging(db: Db, mediaDir: string): number {
  const dead = fs
    .readdirSync(mediaDir)
    .filter((name) => name.startsWith(STAGING_PREFIX))
    .filter((name) => {
      const pid = writerPid(name)
      return pid !== null && !processRunning(pid)
    })
  if (dead.length === 0) return 0
  const known = db.prepare("SELECT 1 FROM media WHERE hash || '.' || ext = ?").pluck()
  let moved = 0
  for (const folder of dead) {
    const dir = path.join(mediaDir, folder)
    if (!fs.statSync(dir).isDirectory()) continue
    for (const name of fs.readdirSync(dir)) {
      const target = path.join(mediaDir, name)
      if (isAtomicTemp(name) || !known.get(name) || fs.existsSync(target)) continue
      fs.renameSync(path.join(dir, name), target)
      moved++
    }
  }
  return moved
}
