import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoProject } from '../../../../src/main/demo/demo'
import { SESSIONS_DIR } from '../../../../src/main/store/sessions'

let dir: string
let dead: number
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-check-'))
  ;(await createDemoProject(dir, { images: 2, seed: 9 })).close()
  dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout)
  // What a killed `reseg import` leaves: its session marker and its staging folder (3 MB of images).
  fs.writeFileSync(
    path.join(dir, SESSIONS_DIR, `${dead}.0123abcd.json`),
    JSON.stringify({
      pid: dead,
      host: os.hostname(),
      startedAt: '2026-11-28T03:00:00Z',
      command: 'reseg import',
    }),
  )
  const staging = path.join(dir, 'media', `.staging-${dead}-0badc0de`)
  fs.mkdirSync(staging)
  for (const n of ['a.jpg', 'b.jpg', 'c.jpg'])
    fs.writeFileSync(path.join(staging, n), Buffer.alloc(1_000_000))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const reseg = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })

describe('reseg project check', () => {
  it('reports what a killed import left and exits 1; --fix removes it and exits 0; then clean', () => {
    const before = reseg('project', 'check', '--project', dir)
    expect(before.status).toBe(1)
    expect(before.stdout).toContain('media: 1 orphaned (3.0 MB), 0 missing')
    expect(before.stdout).toContain(`unclean shutdown: pid ${dead} (reseg import)`)
    expect(before.stdout.trim().split('\n').pop()).toBe('NOT clean')
    expect(fs.existsSync(path.join(dir, 'media', `.staging-${dead}-0badc0de`))).toBe(true)

    const fix = reseg('project', 'check', '--project', dir, '--fix')
    expect(fix.status, fix.stderr).toBe(0)
    expect(fix.stdout).toMatch(/1 orphaned media entries \(3\.0 MB\) no row references: removed/)
    expect(fs.existsSync(path.join(dir, 'media', `.staging-${dead}-0badc0de`))).toBe(false)

    const after = JSON.parse(reseg('project', 'check', '--project', dir, '--json').stdout) as {
      clean: boolean
      problems: string[]
      uncleanShutdown: unknown[]
      integrity: string[]
    }
    expect(after).toMatchObject({ clean: true, problems: [], uncleanShutdown: [], integrity: ['ok'] })
  })

  it('names a folder that is not a project', () => {
    const r = reseg('project', 'check', '--project', path.join(dir, 'media'))
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toMatch(/^reseg: .*media is not a ReSeg project \(no project\.sqlite\)$/)
  })
})
