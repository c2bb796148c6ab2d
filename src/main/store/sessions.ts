/**
 * Unclean-shutdown detection: every process that opens a project leaves a small marker file in
 * `<project>/.reseg-sessions/` and removes it when it closes the project. A marker whose process is gone
 * (same host, pid no longer running) means that process died with the project open — a crash, a kill -9, a
 * power cut — so the app offers `reseg project check` (orphaned media of a killed import, a torn WAL).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { processRunning } from './mediaStaging'

export const SESSIONS_DIR = '.reseg-sessions'

export interface SessionMarker {
  pid: number
  host: string
  startedAt: string
  /** The command line that opened the project (what was interrupted). */
  command: string
}

export interface OpenSession {
  /** Markers of processes that died with the project open, found (and cleared) when this one opened it. */
  stale: SessionMarker[]
  release(): void
}

function readMarker(file: string): SessionMarker | null {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SessionMarker>
    if (typeof m.pid !== 'number' || typeof m.host !== 'string') return null
    return {
      pid: m.pid,
      host: m.host,
      startedAt: String(m.startedAt ?? ''),
      command: String(m.command ?? ''),
    }
  } catch {
    // A marker torn by the very crash it records: still proof of an unclean exit.
    return { pid: 0, host: os.hostname(), startedAt: '', command: '' }
  }
}

// A process that exits without closing its projects (an error exit of the CLI) did not crash: one exit hook
// removes whatever markers it still holds.
const ownMarkers = new Set<string>()
process.on('exit', () => {
  for (const f of ownMarkers) fs.rmSync(f, { force: true })
})

/** Markers of processes on this host that died with the project open; `clear` deletes them. */
export function staleSessions(projectDir: string, opts: { clear?: boolean } = {}): SessionMarker[] {
  const dir = path.join(projectDir, SESSIONS_DIR)
  if (!fs.existsSync(dir)) return []
  const stale: SessionMarker[] = []
  const host = os.hostname()
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name)
    const m = readMarker(file)
    // Another host's process cannot be probed (a shared folder): leave its marker alone.
    if (!m || m.host !== host || (m.pid !== 0 && processRunning(m.pid))) continue
    stale.push(m)
    if (opts.clear) fs.rmSync(file, { force: true })
  }
  return stale
}

/** Records that this process has the project open; collects (and clears) markers of dead processes. */
export function openSession(projectDir: string): OpenSession {
  const dir = path.join(projectDir, SESSIONS_DIR)
  fs.mkdirSync(dir, { recursive: true })
  const stale = staleSessions(projectDir, { clear: true })
  const host = os.hostname()
  const own = path.join(dir, `${process.pid}.${crypto.randomBytes(4).toString('hex')}.json`)
  const marker: SessionMarker = {
    pid: process.pid,
    host,
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 500),
  }
  fs.writeFileSync(own, JSON.stringify(marker))
  ownMarkers.add(own)
  const release = () => {
    ownMarkers.delete(own)
    fs.rmSync(own, { force: true })
  }
  return { stale, release }
}
