/** `reseg users` as an operator runs it: a link printed once, a list without tokens, revocation. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '../../../../src/main/lab/users'
import { openProject } from '../../../../src/main/store/project'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-users-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('reseg users', () => {
  it('adds a user with a personal link, lists without tokens, revokes', async () => {
    const dir = path.join(tmp, 'p')
    openProject(dir, { create: true }).close()
    const add = reseg(
      'users',
      'add',
      '--project',
      dir,
      '--role',
      'viewer',
      '--url',
      'https://lab.example.org/',
      'Mia',
    )
    expect(add.stderr).toBe('')
    expect(add.status).toBe(0)
    const link = /https:\/\/lab\.example\.org\/\?token=(rs_\d+_[\w-]{43})\n/.exec(add.stdout)
    expect(link).not.toBeNull()
    const token = link![1]
    const project = openProject(dir)
    expect(await createTokenVerifier(project.db)(token)).toEqual({ name: 'Mia', role: 'viewer' })
    project.close()

    const list = reseg('users', 'list', '--project', dir)
    expect(list.stdout).toMatch(/^Mia\tviewer\tadded \S+\n1 active\n$/)
    expect(list.stdout).not.toContain(token)

    const bad = reseg('users', 'add', '--project', dir, '--role', 'owner', 'Zed')
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/expected one of viewer, annotator, admin, got 'owner'/)
    expect(reseg('users', 'add', '--project', dir, 'Mia').stderr).toMatch(/already exists/)

    expect(reseg('users', 'revoke', '--project', dir, 'Mia').stdout).toBe('revoked Mia\n')
    expect(reseg('users', 'list', '--project', dir).stdout).toMatch(/revoked .*\n0 active\n$/)
    const again = reseg('users', 'revoke', '--project', dir, 'Mia')
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/no active user named 'Mia'/)
  })
})
