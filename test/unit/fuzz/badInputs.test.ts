/**
 * 1,000+ malformed inputs (test/fuzz/cases.ts, fixed seed) through the real importers and validators in
 * a child process (test/fuzz/runner.ts): none may crash it or run past 5 s, every refusal must name the
 * file (and line) or API method at fault, and a refused import must leave the project database and media
 * byte-for-byte as they were. Prints `fuzz: N inputs, C crashes, H hangs`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCases, type FuzzCase, type FuzzReply } from '../../fuzz/cases'

const SEED = 20261128
const TIMEOUT_MS = 5000
const runner = fileURLToPath(new URL('../../fuzz/runner.ts', import.meta.url))
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-fuzz-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

interface Result {
  c: FuzzCase
  reply: FuzzReply | null
  crash: string | null
  hang: boolean
}

class Child {
  private proc: ChildProcess | null = null
  private pending: ((m: Record<string, unknown> | null) => void) | null = null
  lastCrash: string | null = null

  async start(): Promise<void> {
    const proc = fork(runner, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    this.proc = proc
    let stderr = ''
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    await new Promise<void>((resolve, reject) => {
      const onReady = (m: { ready?: boolean }) => {
        if (m.ready) {
          proc.off('message', onReady)
          resolve()
        }
      }
      proc.on('message', onReady)
      proc.once('exit', (code) =>
        reject(new Error(`fuzz runner exited (${code}) before it was ready: ${stderr}`)),
      )
    })
    proc.on('message', (m: Record<string, unknown>) => {
      if (typeof m.crash === 'string') this.lastCrash = m.crash
      else if (this.pending) this.pending(m)
    })
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = null
      this.pending?.(null)
    })
  }

  /** The reply, 'hang' after the timeout (the child is killed), or null if the child died. */
  async run(id: number, c: FuzzCase): Promise<FuzzReply | 'hang' | null> {
    if (!this.proc) await this.start()
    const proc = this.proc as ChildProcess
    this.lastCrash = null
    const reply = new Promise<Record<string, unknown> | null>((resolve) => (this.pending = resolve))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), TIMEOUT_MS)))
    proc.send({ id, op: c.op })
    const got = await Promise.race([reply, timeout])
    clearTimeout(timer)
    this.pending = null
    if (got === 'hang') {
      this.proc = null
      proc.kill('SIGKILL')
      return 'hang'
    }
    return got as FuzzReply | null
  }

  stop(): void {
    this.proc?.kill('SIGKILL')
    this.proc = null
  }
}

describe('1,000 bad inputs', () => {
  let cases: FuzzCase[]
  const results: Result[] = []

  beforeAll(async () => {
    cases = await generateCases(tmp, SEED)
    const child = new Child()
    try {
      for (const [id, c] of cases.entries()) {
        const got = await child.run(id, c)
        if (got === 'hang') results.push({ c, reply: null, crash: null, hang: true })
        else if (got === null) {
          results.push({
            c,
            reply: null,
            crash: child.lastCrash ?? 'the runner died without a reply',
            hang: false,
          })
        } else results.push({ c, reply: got, crash: null, hang: false })
      }
    } finally {
      child.stop()
    }
    if (process.env.FUZZ_REPORT) fs.writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(results, null, 1))
    const crashes = results.filter((x) => x.crash).length
    const hangs = results.filter((x) => x.hang).length
    console.log(`fuzz: ${results.length} inputs, ${crashes} crashes, ${hangs} hangs`)
    const byKind = new Map<string, { n: number; rejected: number }>()
    for (const x of results) {
      const k = byKind.get(x.c.kind) ?? { n: 0, rejected: 0 }
      k.n++
      if (x.reply?.outcome === 'rejected') k.rejected++
      byKind.set(x.c.kind, k)
    }
    console.log([...byKind].map(([k, v]) => `  ${k}: ${v.n} inputs, ${v.rejected} rejected`).join('\n'))
  }, 170_000)

  it('generates at least 1,000 inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1000)
    expect(results.length).toBe(cases.length)
  })

  it('no input crashes the process or runs past 5 s', () => {
    const bad = results
      .filter((x) => x.crash || x.hang)
      .map((x) => `${x.c.kind} ${JSON.stringify(x.c.op).slice(0, 200)}: ${x.crash ?? 'hang'}`)
    expect(bad).toEqual([])
  })

  it('inputs that cannot be valid are refused', () => {
    const bad = results
      .filter((x) => x.c.expect === 'reject' && x.reply?.outcome === 'accepted')
      .map((x) => `${x.c.kind} ${JSON.stringify(x.c.op).slice(0, 300)}`)
    expect(bad).toEqual([])
  })

  it('every refusal names the file (and line) or the API method, and says what was wrong', () => {
    const bad: string[] = []
    for (const x of results) {
      if (x.reply?.outcome !== 'rejected') continue
      const m = x.reply.message
      const names = m.includes(x.c.names)
      const line =
        x.c.line === undefined ||
        !/line|:\d+:/.test(m) ||
        m.includes(`:${x.c.line}:`) ||
        !m.includes(x.c.names)
      // The message is more than the name: it says what was wrong or expected.
      const says = m.replace(x.c.names, '').replace(/[^a-z]/gi, '').length >= 12
      if (!names || !line || !says)
        bad.push(`${x.c.kind} (${x.c.names}${x.c.line ? `:${x.c.line}` : ''}): ${m.slice(0, 300)}`)
    }
    expect(bad).toEqual([])
  })

  it('a refused import leaves the project database and media byte-for-byte unchanged', () => {
    const bad = results
      .filter((x) => x.reply?.outcome === 'rejected' && !x.reply.unchanged)
      .map((x) => `${x.c.kind} ${x.c.names}: ${x.reply?.message.slice(0, 200)}`)
    expect(bad).toEqual([])
  })
})
