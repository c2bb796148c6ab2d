import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  atomicTempPath,
  createAtomicWriteStream,
  isAtomicTemp,
  produceFileAtomic,
  writeFileAtomic,
} from '../../../../src/main/files/atomicWrite'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-atomic-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
const ls = (d: string) => fs.readdirSync(d).sort()

describe('atomic writes', () => {
  it('writeFileAtomic replaces the file whole, with the mode asked for, and leaves no temporary file', () => {
    const d = fs.mkdtempSync(path.join(dir, 'w-'))
    const file = path.join(d, 'credentials.json')
    writeFileAtomic(file, 'old')
    writeFileAtomic(file, 'new content', { mode: 0o600 })
    expect(fs.readFileSync(file, 'utf8')).toBe('new content')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(ls(d)).toEqual(['credentials.json'])
  })

  it('names temporaries in the same folder, hidden, recognisable', () => {
    const t = atomicTempPath(path.join(dir, 'report.html'))
    expect(path.dirname(t)).toBe(dir)
    expect(path.basename(t)).toMatch(/^\.report\.html\.\d+\.[0-9a-f]{8}\.tmp$/)
    expect(isAtomicTemp(t)).toBe(true)
    expect(isAtomicTemp('report.html')).toBe(false)
    expect(isAtomicTemp('abc.jpg')).toBe(false)
  })

  it('a failed producer keeps the old file and removes its temporary file', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'p-'))
    const file = path.join(d, 'report.pdf')
    fs.writeFileSync(file, 'previous report')
    await expect(
      produceFileAtomic(file, async (tmp) => {
        fs.writeFileSync(tmp, 'half a PDF')
        throw new Error('Chromium crashed')
      }),
    ).rejects.toThrow('Chromium crashed')
    expect(fs.readFileSync(file, 'utf8')).toBe('previous report')
    expect(ls(d)).toEqual(['report.pdf'])
    await produceFileAtomic(file, async (tmp) => fs.writeFileSync(tmp, 'new report'))
    expect(fs.readFileSync(file, 'utf8')).toBe('new report')
  })

  it('names a missing folder', () => {
    expect(() => writeFileAtomic(path.join(dir, 'nope', 'x.json'), '{}')).toThrow(
      /cannot write .*x\.json: folder .*nope does not exist/,
    )
  })

  it('an aborted stream keeps the old file; a committed one replaces it', async () => {
    const d = fs.mkdtempSync(path.join(dir, 's-'))
    const file = path.join(d, 'rows.csv')
    fs.writeFileSync(file, 'old')
    const a = createAtomicWriteStream(file, { encoding: 'utf8' })
    a.stream.write('partial')
    await a.abort()
    expect(fs.readFileSync(file, 'utf8')).toBe('old')
    expect(ls(d)).toEqual(['rows.csv'])
    const b = createAtomicWriteStream(file, { encoding: 'utf8' })
    b.stream.write('a,b\n')
    b.stream.write('1,2\n')
    await b.commit()
    expect(fs.readFileSync(file, 'utf8')).toBe('a,b\n1,2\n')
    expect(ls(d)).toEqual(['rows.csv'])
  })

  it('a process killed mid-write leaves the old file whole and only a recognisable temporary file', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'k-'))
    const file = path.join(d, 'export.json')
    fs.writeFileSync(file, '{"old":true}')
    const script = `
      import { createAtomicWriteStream } from ${JSON.stringify(path.resolve('src/main/files/atomicWrite.ts'))}
      const { stream } = createAtomicWriteStream(${JSON.stringify(file)}, { encoding: 'utf8' })
      stream.write('[' + 'x'.repeat(1 << 16))
      console.log('writing')
      setInterval(() => stream.write('x'.repeat(1 << 16)), 1)`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
    await new Promise((r) => setTimeout(r, 100))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    expect(fs.readFileSync(file, 'utf8')).toBe('{"old":true}')
    const rest = ls(d).filter((n) => n !== 'export.json')
    expect(rest).toHaveLength(1)
    expect(isAtomicTemp(rest[0])).toBe(true)
    expect(fs.statSync(path.join(d, rest[0])).size).toBeGreaterThan(1 << 16)
  }, 60_000)
})
