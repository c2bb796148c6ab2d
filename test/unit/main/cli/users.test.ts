/** `reseg users` as an operator runs it: a link printed once, a list without tokens, revocation. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher } from '../../../../src/main/api/index'
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
    // Writes by two authors, through the dispatcher as the serve host calls it; reads are not logged.
    const p2 = openProject(dir)
    const ctx = createApiContext(p2)
    const dispatch = createDispatcher(ctx)
    await dispatch('saveTag', { name: 'by-ana' }, { user: 'ana', role: 'admin' })
    await dispatch('saveTag', { name: 'by-bo, "quoted"' }, { user: 'bo', role: 'admin' })
    await dispatch('listTags', {}, { user: 'bo', role: 'admin' })
    await ctx.dispose()
    p2.close()
    const csv = reseg('audit', '--project', dir, '--author', 'bo').stdout.trim().split('\n')
    expect(csv[0]).toBe('id,at,user,role,method,runId,sampleId,summary')
    expect(csv.length).toBe(2)
    const summary = JSON.stringify({ name: 'by-bo, "quoted"' })
    expect(csv[1]).toMatch(/^2,\S+,bo,admin,saveTag,,,/)
    expect(csv[1].endsWith(`,"${summary.replace(/"/g, '""')}"`)).toBe(true)
    const json = reseg('audit', '--project', dir, '--json')
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; summary: string })
    expect(json.map((r) => [r.user, r.summary])).toEqual([
      ['ana', '{"name":"by-ana"}'],
      ['bo', summary],
    ])

    // With users, serve keeps the launch token (an admin) off stdout; --check still passes through it.
    const renderer = path.join(tmp, 'renderer')
    fs.mkdirSync(renderer)
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><div id="root"></div>')
    // Every user revoked: back to single-user mode, the launch URL printed.
    expect(reseg('serve', '--project', dir, '--renderer', renderer, '--check').stdout).toMatch(
      /Open: .*\?token=/,
    )
    expect(reseg('users', 'add', '--project', dir, 'Noor').status).toBe(0)
    const serve = reseg('serve', '--project', dir, '--renderer', renderer, '--check', '--read-only')
    expect(serve.status).toBe(0)
    expect(serve.stdout).toMatch(/serving .* to 1 users at http:\/\/127\.0\.0\.1:\d+ \(read-only\)\n/)
    expect(serve.stdout).not.toContain('token=')
    expect(serve.stdout).toMatch(/-> OK\n$/)

    const again = reseg('users', 'revoke', '--project', dir, 'Mia')
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/no active user named 'Mia'/)
  })
})
