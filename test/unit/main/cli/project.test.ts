/** `reseg serve --root`: the import form's browse root is checked at start, not at the first listing. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openProject } from '../../../../src/main/store/project'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-serve-root-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('reseg serve --root', () => {
  it('refuses a root that is not a folder, and serves with one that is', () => {
    const dir = path.join(tmp, 'p')
    openProject(dir, { create: true }).close()
    const renderer = path.join(tmp, 'renderer')
    fs.mkdirSync(renderer)
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><div id="root"></div>')
    const missing = path.join(tmp, 'no-such-folder')
    const bad = reseg('serve', '--project', dir, '--renderer', renderer, '--root', missing, '--check')
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain(`--root ${missing}: no such folder`)
    const ok = reseg('serve', '--project', dir, '--renderer', renderer, '--root', tmp, '--check')
    expect(ok.stderr).toBe('')
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/-> OK\n$/)
  })
})
