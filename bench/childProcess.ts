/**
 * Measuring in a child process, so each measurement's peak RSS is its own: the bench re-runs its own file with
 * a mode argument, the child prints one `RESULT {json}` line, the parent reads it back.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'

/**
 * This process's peak resident set in kB: VmHWM on Linux, the rusage maximum elsewhere. getrusage's maxRSS
 * is not usable in a spawned child on Linux, which carries the parent's high-water mark across fork+exec
 * (and the parent may hold the fixture), while VmHWM belongs to the child's own address space.
 */
export function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1])
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS
}

/** The child's answer to its parent. */
export function report(o: object): void {
  process.stdout.write(`RESULT ${JSON.stringify(o)}\n`)
}

/** Runs `benchFile` (a .ts bench, through tsx) with `args` and resolves with the object its child reported. */
export function runChild(benchFile: string, args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', benchFile, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (code !== 0 || !line) reject(new Error(`child ${args[0]} failed (exit ${code}): ${out}`))
      else resolve(JSON.parse(line.slice(7)) as Record<string, number>)
    })
  })
}
