/**
 * The folder browser behind the import form on hosts without a native dialog: it lists one folder at a time
 * and never anything outside its root. Paths are compared after realpath, so neither ".." nor a symlink
 * (to a folder or inside a listing) leads out of the root.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ApiError } from '../../shared/contract/define'
import type { FolderEntry, FormatHint } from '../../shared/contract/importing'

/** Entries listed per folder; a bigger folder is cut (and says so), the browser is for picking, not audits. */
export const MAX_ENTRIES = 2000
const IMAGE_EXT = /\.(jpe?g|png|webp|bmp|tiff?)$/i

export interface FolderListing {
  root: string
  path: string
  parent: string | null
  entries: FolderEntry[]
  truncated: boolean
}

/** The root as a real path; it must exist and be a folder. */
export function realRoot(root: string): string {
  let real: string
  try {
    real = fs.realpathSync(root)
  } catch {
    throw new ApiError('not_found', `import root ${root} does not exist`)
  }
  if (!fs.statSync(real).isDirectory())
    throw new ApiError('bad_request', `import root ${root} is not a folder`)
  return real
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/**
 * Resolves `requested` (absolute, or relative to the root) to a real path inside the root, or throws a
 * `forbidden` error naming the root. A path that does not exist is `not_found` (when its nearest existing
 * folder is inside the root: a link out of the root cannot be hidden behind a missing last component).
 */
export function confine(root: string, requested: string | undefined): string {
  const realRootDir = realRoot(root)
  const target = path.resolve(realRootDir, requested ?? '.')
  let real: string
  try {
    real = fs.realpathSync(target)
  } catch {
    // Say "outside" before "missing": whether a path outside the root exists is none of the caller's business.
    if (!inside(realRootDir, realAncestor(target))) throw outside(requested ?? target, realRootDir)
    throw new ApiError('not_found', `${requested}: no such file or folder`)
  }
  if (!inside(realRootDir, real)) throw outside(requested ?? target, realRootDir)
  return real
}

/** The real path of the nearest folder above `p` that exists. */
function realAncestor(p: string): string {
  let dir = path.dirname(p)
  for (;;) {
    try {
      return fs.realpathSync(dir)
    } catch {
      const up = path.dirname(dir)
      if (up === dir) return dir
      dir = up
    }
  }
}

function outside(requested: string, root: string): ApiError {
  return new ApiError(
    'forbidden',
    `${requested} is outside the folder imports may be browsed in (${root}); start \`reseg serve --root DIR\` to browse another folder`,
  )
}

export function browseFolder(root: string, requested: string | undefined): FolderListing {
  const realRootDir = realRoot(root)
  const dir = confine(realRootDir, requested)
  if (!fs.statSync(dir).isDirectory()) throw new ApiError('bad_request', `${dir} is not a folder`)
  const dirents = fs.readdirSync(dir, { withFileTypes: true })
  const entries: FolderEntry[] = []
  for (const d of dirents) {
    const full = path.join(dir, d.name)
    let real = full
    let stat: fs.Stats
    try {
      if (d.isSymbolicLink()) {
        real = fs.realpathSync(full)
        // A link out of the root is not listed: following it would be browsing outside.
        if (!inside(realRootDir, real)) continue
      }
      stat = fs.statSync(real)
    } catch {
      continue // a dangling link, or a file that vanished meanwhile
    }
    if (stat.isDirectory())
      entries.push({ name: d.name, path: real, kind: 'dir', size: null, hint: folderHint(real) })
    else if (stat.isFile())
      entries.push({ name: d.name, path: real, kind: 'file', size: stat.size, hint: fileHint(d.name) })
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1))
  return {
    root: realRootDir,
    path: dir,
    parent: dir === realRootDir ? null : path.dirname(dir),
    entries: entries.slice(0, MAX_ENTRIES),
    truncated: entries.length > MAX_ENTRIES,
  }
}

/** By name only: a listing must not parse every file it shows. */
export function fileHint(name: string): FormatHint | null {
  const lower = name.toLowerCase()
  if (lower.endsWith('.parquet')) return 'hf-parquet'
  if (lower.endsWith('.jsonl')) return 'run-jsonl'
  if (/^output_.*\.json$/.test(lower)) return 'run-eval'
  if (lower.endsWith('.json')) return 'json'
  if (IMAGE_EXT.test(lower)) return 'image'
  return null
}

/** The layouts the importers detect, told apart by the folder's file names (one readdir). */
export function folderHint(dir: string): FormatHint | null {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return null
  }
  if (names.some((n) => n.endsWith('.parquet'))) return 'hf-parquet'
  if (names.includes('data')) {
    try {
      if (fs.readdirSync(path.join(dir, 'data')).some((n) => n.endsWith('.parquet'))) return 'hf-parquet'
    } catch {
      // not a folder
    }
  }
  if (names.includes('queries.jsonl')) return 'folder'
  if (names.some((n) => /^output_.*\.json$/.test(n))) return 'run-eval'
  const have = new Set(names)
  const lisa = names.some(
    (n) => n.endsWith('.json') && ['.jpg', '.jpeg', '.png'].some((e) => have.has(n.slice(0, -5) + e)),
  )
  return lisa ? 'lisa' : null
}
