/**
 * Nothing half-written: every file the tool writes (reports and exports of every format, the user model
 * catalogue, credentials, media, cached embeddings) is written to a temporary file in the same folder, flushed
 * to disk, and renamed over the final name. A crash, a kill or a failed export leaves either the old file or the
 * complete new one, never a truncated one; rename is atomic only within one file system, hence the same folder.
 *
 * Temporary names are `.<name>.<pid>.<random>.tmp` (hidden, and recognisable by `isAtomicTemp`, so a project
 * check can clear the ones a killed process left behind).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** A fresh temporary path beside `file`. */
export function atomicTempPath(file: string): string {
  const abs = path.resolve(file)
  const tag = `${process.pid}.${crypto.randomBytes(4).toString('hex')}`
  return path.join(path.dirname(abs), `.${path.basename(abs)}.${tag}.tmp`)
}

/** True for a name `atomicTempPath` makes (the temporary file of an interrupted write). */
export function isAtomicTemp(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(path.basename(name))
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

function checkFolder(file: string): void {
  const dir = path.dirname(path.resolve(file))
  if (!fs.existsSync(dir)) throw new Error(`cannot write ${file}: folder ${dir} does not exist`)
}

export interface AtomicWriteOptions {
  /** File mode of the new file (set on the temporary file before any byte is written). */
  mode?: number
  /**
   * Flush to disk before the rename (default true), so a power cut cannot leave an empty file under the final
   * name. A killed process needs no flush (its writes are in the page cache), so bulk writers whose files can
   * be re-derived (content-addressed media, checked by `reseg project check`) skip it for speed.
   */
  fsync?: boolean
}

/** Writes `data` to `file` atomically (temporary file in the same folder, fsync, rename). */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): void {
  checkFolder(file)
  const tmp = atomicTempPath(file)
  try {
    fs.writeFileSync(tmp, data, { mode: opts.mode, flag: 'wx' })
    if (opts.mode !== undefined) fs.chmodSync(tmp, opts.mode)
    if (opts.fsync !== false) fsyncFile(tmp)
    fs.renameSync(tmp, file)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw err
  }
}

/**
 * For writers that insist on a path of their own (Chromium's PDF printer): `produce` writes the temporary
 * path it is given; on success that file is flushed and renamed to `file`, on failure deleted.
 */
export async function produceFileAtomic<T>(file: string, produce: (tmp: string) => Promise<T>): Promise<T> {
  checkFolder(file)
  const tmp = atomicTempPath(file)
  try {
    const result = await produce(tmp)
    fsyncFile(tmp)
    fs.renameSync(tmp, file)
    return result
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw err
  }
}

export interface AtomicStream {
  /** The temporary file's write stream: write to it with backpressure, do not end it yourself. */
  stream: fs.WriteStream
  /** Ends the stream, flushes it and renames the file into place. */
  commit(): Promise<void>
  /** Ends the stream and deletes the temporary file. */
  abort(): Promise<void>
}

/** A write stream for large outputs (reports of 100k samples) with the same all-or-nothing guarantee. */
export function createAtomicWriteStream(
  file: string,
  opts: { encoding?: BufferEncoding } = {},
): AtomicStream {
  checkFolder(file)
  const tmp = atomicTempPath(file)
  const stream = fs.createWriteStream(tmp, { encoding: opts.encoding, highWaterMark: 1 << 20, flags: 'wx' })
  let error: Error | null = null
  stream.on('error', (e) => (error = e))
  const ended = () =>
    new Promise<void>((resolve, reject) => {
      if (stream.closed) return error ? reject(error) : resolve()
      stream.end((err?: Error | null) => (err ? reject(err) : resolve()))
    })
  return {
    stream,
    async commit() {
      try {
        await ended()
        if (error) throw error
        fsyncFile(tmp)
        fs.renameSync(tmp, file)
      } catch (err) {
        fs.rmSync(tmp, { force: true })
        throw err
      }
    },
    async abort() {
      await ended().catch(() => undefined)
      fs.rmSync(tmp, { force: true })
    },
  }
}
