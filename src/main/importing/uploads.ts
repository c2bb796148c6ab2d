/**
 * Files dropped on the import form in a browser: the serve host streams each upload to disk in the
 * project's staging folder (`<project>/imports/`), from where it goes through the same preview and import as
 * a file picked in the folder browser. The name is the client's and untrusted: one plain file name with a
 * known extension, never a path.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const STAGING_DIR = 'imports'
/** Uploads are run files and parquet shards; ReasonSeg's test split is ~1 GB. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3
const UPLOAD_EXTS = ['.jsonl', '.json', '.parquet']

export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message)
    this.name = 'UploadError'
  }
}

/** The name as given when it is one safe file name with an accepted extension; throws otherwise. */
export function checkUploadName(name: string | null): string {
  if (!name) throw new UploadError(400, 'the upload needs a file name (?name=…)')
  const bad = (why: string) => new UploadError(400, `upload name '${name}' refused: ${why}`)
  if (name.length > 200) throw bad('longer than 200 characters')
  if (/[/\\]/.test(name) || name === '.' || name === '..') throw bad('a file name, not a path')
  if (name.startsWith('.')) throw bad('hidden names are not accepted')
  if (!/^[\w.\-+ ()[\]]+$/u.test(name)) throw bad('letters, digits, spaces and . - _ + ( ) [ ] only')
  if (!UPLOAD_EXTS.some((e) => name.toLowerCase().endsWith(e)))
    throw bad(`only ${UPLOAD_EXTS.join(', ')} files can be imported`)
  return name
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
 * Streams `body` into the staging folder under a free variant of `name` (written to a hidden part file,
 * renamed when complete, so a broken upload never looks like a file to import). Returns the final path.
 */
export async function receiveUpload(
  projectDir: string,
  rawName: string | null,
  body: NodeJS.ReadableStream,
  maxBytes = MAX_UPLOAD_BYTES,
): Promise<{ path: string; size: number }> {
  const name = checkUploadName(rawName)
  const dir = path.join(projectDir, STAGING_DIR)
  fs.mkdirSync(dir, { recursive: true })
  const part = path.join(dir, `.${name}.${process.pid}.${Date.now()}.part`)
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
    if (size > maxBytes) throw new UploadError(413, `upload of ${name} is over ${maxBytes} bytes`)
    const final = path.join(dir, freeName(dir, name))
    fs.renameSync(part, final)
    return { path: final, size }
  } catch (err) {
    fs.rmSync(part, { force: true })
    throw err
  }
}
