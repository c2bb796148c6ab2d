/**
 * A file being written by a report: text goes through a write stream with backpressure (so a 100k-sample
 * export never holds more than a chunk in memory) into a temporary file renamed into place on success,
 * so a failed or cancelled export never leaves a half-written report under the requested name.
 */
import fs from 'node:fs'
import path from 'node:path'

export interface Sink {
  write(text: string): Promise<void>
  /** Flushes, closes and renames into place. */
  close(): Promise<void>
  /** Closes and deletes the temporary file. */
  abort(): Promise<void>
}

export function openSink(file: string): Sink {
  const dir = path.dirname(path.resolve(file))
  if (!fs.existsSync(dir)) throw new Error(`cannot write ${file}: folder ${dir} does not exist`)
  const tmp = `${file}.${process.pid}.partial`
  const stream = fs.createWriteStream(tmp, { encoding: 'utf8', highWaterMark: 1 << 20 })
  let failed: Error | null = null
  stream.on('error', (e) => (failed = e))
  const ended = () =>
    new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    )
  return {
    async write(text) {
      if (failed) throw failed
      if (!stream.write(text)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done)
            stream.off('error', done)
            resolve()
          }
          stream.on('drain', done)
          stream.on('error', done)
        })
        if (failed) throw failed
      }
    },
    async close() {
      await ended()
      if (failed) throw failed
      fs.renameSync(tmp, file)
    },
    async abort() {
      await ended().catch(() => undefined)
      fs.rmSync(tmp, { force: true })
    },
  }
}
