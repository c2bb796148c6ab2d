/**
 * Progress on stderr for long commands: a redrawn bar on a terminal, a line every few seconds otherwise
 * (CI logs, pipes), so stdout stays clean for results.
 */
export interface Progress {
  update(done: number, total?: number | null, note?: string): void
  finish(note?: string): void
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY)
  const started = Date.now()
  let last = 0
  const line = (done: number, total: number | null | undefined, note?: string) => {
    const secs = (Date.now() - started) / 1000
    if (total) {
      const frac = Math.min(1, done / total)
      const eta = frac > 0 ? (secs / frac - secs).toFixed(0) : '?'
      const bar = tty ? `[${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] ` : ''
      return `${label} ${bar}${done}/${total} (${(frac * 100).toFixed(0)}%, ${secs.toFixed(1)}s, eta ${eta}s)${note ? ` ${note}` : ''}`
    }
    return `${label} ${done} (${secs.toFixed(1)}s)${note ? ` ${note}` : ''}`
  }
  return {
    update(done, total, note) {
      const now = Date.now()
      if (tty) {
        if (now - last < 80) return
        last = now
        stream.write(`\r\x1b[2K${line(done, total, note)}`)
      } else if (now - last >= 2000 || (total != null && done === total)) {
        last = now
        stream.write(`${line(done, total, note)}\n`)
      }
    },
    finish(note) {
      const secs = ((Date.now() - started) / 1000).toFixed(1)
      stream.write(`${tty ? '\r\x1b[2K' : ''}${label} done in ${secs}s${note ? `: ${note}` : ''}\n`)
    },
  }
}
