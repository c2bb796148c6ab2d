/**
 * Files dropped on the import form in a browser: the serve host streams each upload to disk in the
 * project's staging folder (`<project>/imports/`), from where it goes through the same preview and import as
 * a file picked in the folder browser. A dropped folder (a LISA folder, a parquet layout, images with
 * queries.jsonl) arrives file by file into `imports/<folder>/`. Names are the client's and untrusted: plain
 * name segments with known extensions, never a path that could leave the staging folder.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const STAGING_DIR = 'imports'
/** Uploads are run files and parquet shards; ReasonSeg's test split is ~1 GB. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3
const UPLOAD_EXTS = ['.jsonl', '.json', '.parquet']
/** A dropped folder may also hold its images and mask PNGs. */
const FOLDER_EXTS = [...UPLOAD_EXTS, '.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff']
/** Folders inside a dropped folder (data/, annotations/, masks/…). */
const MAX_DEPTH = 4

export class UploadError extends Error {
  constructor(
    readonly status: 400 | 409 | 413,
    message: string,
  ) {
    super(message)
    this.name = 'UploadError'
  }
}

/** One path segment as given, when it is a plain, visible name; throws otherwise. */
function checkSegment(segment: string, shown: string): string {
  const bad = (why: string) => new UploadError(400, `upload name '${shown}' refused: ${why}`)
  if (segment.length > 200) throw bad('longer than 200 characters')
  if (/[/\\]/.test(segment) || segment === '.' || segment === '..') throw bad('a file name, not a path')
  if (segment.startsWith('.')) throw bad('hidden names are not accepted')
  if (!/^[\w.\-+ ()[\]]+$/u.test(segment)) throw bad('letters, digits, spaces and . - _ + ( ) [ ] only')
  return segment
}

function checkExtension(name: string, exts: string[]): void {
  if (!exts.some((e) => name.toLowerCase().endsWith(e)))
    throw new UploadError(400, `upload name '${name}' refused: only ${exts.join(', ')} files can be imported`)
}

/** The name as given when it is one safe file name with an accepted extension; throws otherwise. */
export function checkUploadName(name: string | null): string {
  if (!name) throw new UploadError(400, 'the upload needs a file name (?name=…)')
  checkSegment(name, name)
  checkExtension(name, UPLOAD_EXTS)
  return name
}

/** A file of a dropped folder: the folder is one safe segment, the file a `/`-separated path of them. */
export function checkFolderUpload(folder: string, rel: string | null): { folder: string; parts: string[] } {
  if (!rel) throw new UploadError(400, 'the upload needs a file name (?name=…)')
  checkSegment(folder, folder)
  const parts = rel.split('/')
  if (parts.length > MAX_DEPTH + 1)
    throw new UploadError(400, `upload name '${rel}' refused: nested too deep`)
  for (const p of parts) checkSegment(p, rel)
  checkExtension(rel, FOLDER_EXTS)
  return { folder, parts }
}

/** `name`, or `stem-2.ext`, `stem-3.ext`… : an upload never replaces an earlier one. */
function freeName(dir: string, name: string): string {
  const ext = path.extname(name)
  const stem = name.slice(0, name.length - ext.length)
  for (let k = 1; ; k++) {
    const candidate = k === 1 ? name : `${stem}-${k}${ext}`
    if (!fs.existsSync(path.join(dir, candidate))) return candidate
  }
}

/**
 * Streams `body` into the staging folder: a single file under a free variant of `name`, or a folder's file
 * at `folder/name` (refused when that file is already there: a folder is uploaded once, into a new name).
 * It is written to a hidden part file and renamed when complete, so a broken upload never looks like a
 * file to import. Returns the final path, and for a folder's file the folder's.
 */
export async function receiveUpload(
  projectDir: string,
  target: { name: string | null; folder?: string | null },
  body: NodeJS.ReadableStream,
  maxBytes = MAX_UPLOAD_BYTES,
): Promise<{ path: string; size: number; folder: string | null }> {
  const staging = path.join(projectDir, STAGING_DIR)
  let dir: string
  let finalName: () => string
  let folderPath: string | null = null
  if (target.folder != null) {
    const { folder, parts } = checkFolderUpload(target.folder, target.name)
    folderPath = path.join(staging, folder)
    dir = path.join(folderPath, ...parts.slice(0, -1))
    const file = parts[parts.length - 1]
    finalName = () => {
      if (fs.existsSync(path.join(dir, file)))
        throw new UploadError(
          409,
          `${folder}/${parts.join('/')} is already uploaded; upload the folder under a new name`,
        )
      return file
    }
    finalName()
  } else {
    const name = checkUploadName(target.name)
    dir = staging
    finalName = () => freeName(dir, name)
  }
  fs.mkdirSync(dir, { recursive: true })
  const part = path.join(
    dir,
    `.upload.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.part`,
  )
  let size = 0
  // Past the limit the rest is read and dropped rather than the request torn down: the client then gets to
  // read the 413 (as the serve host's JSON body limit does).
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length
      done(null, size > maxBytes ? undefined : chunk)
    },
  })
  try {
    await pipeline(body, limit, fs.createWriteStream(part, { flags: 'wx' }))
    if (size > maxBytes) throw new UploadError(413, `upload of ${target.name} is over ${maxBytes} bytes`)
    const final = path.join(dir, finalName())
    fs.renameSync(part, final)
    return { path: final, size, folder: folderPath }
  } catch (err) {
    fs.rmSync(part, { force: true })
    throw err
  }
}

/**
 * After a successful import from the staging folder, the uploaded copy has done its job (the project now
 * holds the rows and the images), so the top-level upload it came from (`imports/x.jsonl`, or the whole
 * `imports/<folder>/` of a dropped folder) is removed; a failed import keeps it for another try. A source
 * outside the staging folder, or the staging folder itself, is never touched. Returns the path removed.
 */
export function releaseUpload(projectDir: string, source: string): string | null {
  let staging: string
  let real: string
  try {
    staging = fs.realpathSync(path.join(projectDir, STAGING_DIR))
    real = fs.realpathSync(source)
  } catch {
    return null
  }
  const rel = path.relative(staging, real)
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null
  const top = path.join(staging, rel.split(path.sep)[0])
  fs.rmSync(top, { recursive: true, force: true })
  return top
}
