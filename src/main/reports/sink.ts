/**
 * A file being written by a report: text goes through a write stream with backpressure (so a 100k-sample
 * export never holds more than a chunk in memory) into a temporary file renamed into place on success
 * (files/atomicWrite), so a failed or cancelled export never leaves a half-written report under the
 * requested name.
 */
import { createAtomicWriteStream } from '../files/atomicWrite'

export interface Sink {
  write(text: string): Promise<void>
  /** Flushes, closes and renames into place. */
  close(): Promise<void>
  /** Closes and deletes the temporary file. */
  abort(): Promise<void>
}

export function openSink(file: string): Sink {
  const { stream, commit, abort } = createAtomicWriteStream(file, { encoding: 'utf8' })
  let failed: Error | null = null
  stream.on('error', (e) => (failed = e))
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
    close: commit,
    abort,
  }
}
