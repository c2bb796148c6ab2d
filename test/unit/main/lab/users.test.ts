import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addUser, createTokenVerifier, listUsers, revokeUser } from '../../../../src/main/lab/users'
import { DB_FILE, openProject } from '../../../../src/main/store/project'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-users-'))
const project = openProject(dir, { create: true })
afterAll(() => {
  project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('users', () => {
  it('stores only a salted scrypt hash of the token and verifies it', async () => {
    const { user, token } = await addUser(project.db, 'ana', 'annotator')
    const { token: token2 } = await addUser(project.db, 'bo', 'viewer')
    expect(user).toMatchObject({ name: 'ana', role: 'annotator', revokedAt: null })
    const secret = token.replace(/^rs_\d+_/, '')
    const row = project.db.prepare('SELECT token_salt, token_hash FROM users WHERE name = ?').get('ana') as {
      token_salt: Buffer
      token_hash: Buffer
    }
    // Independently recomputed hash: scrypt(secret, salt) with Node's defaults.
    expect(crypto.scryptSync(secret, row.token_salt, 32).equals(row.token_hash)).toBe(true)
    const dump = JSON.stringify(project.db.prepare('SELECT * FROM users').all())
    expect(dump).not.toContain(secret)
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith(DB_FILE)))
      expect(fs.readFileSync(path.join(dir, f)).includes(Buffer.from(secret))).toBe(false)

    const verify = createTokenVerifier(project.db)
    expect(await verify(token)).toEqual({ name: 'ana', role: 'annotator' })
    expect(await verify(token)).toEqual({ name: 'ana', role: 'annotator' }) // cached path
    expect(await verify(token2)).toEqual({ name: 'bo', role: 'viewer' })
    expect(await verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull()
    // ana's secret presented with bo's id
    expect(await verify(`rs_${token2.split('_')[1]}_${secret}`)).toBeNull()
    expect(await verify('garbage')).toBeNull()

    expect(revokeUser(project.db, 'ana')).toBe(true)
    expect(revokeUser(project.db, 'ana')).toBe(false)
    expect(await verify(token)).toBeNull()
    expect(listUsers(project.db).map((u) => [u.name, u.revokedAt !== null])).toEqual([
      ['ana', true],
      ['bo', false],
    ])
    await expect(addUser(project.db, 'bo', 'admin')).rejects.toThrow(/already exists/)
  })
})
