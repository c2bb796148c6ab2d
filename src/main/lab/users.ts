/**
 * Users of a served project. A personal token is `rs_<id>_<secret>`: the id finds the row without trying
 * every hash, the secret is checked against a salted scrypt hash with a constant-time compare. Only the
 * hash is stored; the token is shown once by `reseg users add`.
 */
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import type { Role } from '../../shared/contract/access'
import type { Db } from '../store/project'

const scrypt = promisify(crypto.scrypt) as (secret: string, salt: Buffer, keylen: number) => Promise<Buffer>
const KEY_LEN = 32
const TOKEN_RE = /^rs_(\d+)_([A-Za-z0-9_-]{43})$/

export interface UserRow {
  id: number
  name: string
  role: Role
  createdAt: string
  revokedAt: string | null
}

export async function addUser(db: Db, name: string, role: Role): Promise<{ user: UserRow; token: string }> {
  const existing = db.prepare('SELECT revoked_at FROM users WHERE name = ?').get(name) as
    { revoked_at: string | null } | undefined
  if (existing)
    throw new Error(
      `a user named '${name}' already exists${existing.revoked_at ? ' (revoked; choose another name)' : ''}`,
    )
  const secret = crypto.randomBytes(32).toString('base64url')
  const salt = crypto.randomBytes(16)
  const hash = await scrypt(secret, salt, KEY_LEN)
  const id = Number(
    db
      .prepare('INSERT INTO users (name, role, token_salt, token_hash) VALUES (?, ?, ?, ?)')
      .run(name, role, salt, hash).lastInsertRowid,
  )
  return { user: getUser(db, id)!, token: `rs_${id}_${secret}` }
}

export function listUsers(db: Db): UserRow[] {
  return (
    db.prepare('SELECT id, name, role, created_at, revoked_at FROM users ORDER BY id').all() as {
      id: number
      name: string
      role: Role
      created_at: string
      revoked_at: string | null
    }[]
  ).map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at }))
}

function getUser(db: Db, id: number): UserRow | null {
  return listUsers(db).find((u) => u.id === id) ?? null
}

/** Revokes by name; true when an active user was revoked. Their rows in the audit log stay. */
export function revokeUser(db: Db, name: string): boolean {
  const r = db
    .prepare(
      "UPDATE users SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ? AND revoked_at IS NULL",
    )
    .run(name)
  return r.changes > 0
}

export function activeUserCount(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM users WHERE revoked_at IS NULL').get() as { n: number }).n
}

/**
 * Checks tokens for the serve host. scrypt is deliberately slow (tens of ms), so a verified token is
 * remembered by its SHA-256 for this process; the row is re-read on every call so a revocation or a role
 * change applies at once.
 */
export function createTokenVerifier(db: Db): (token: string) => Promise<{ name: string; role: Role } | null> {
  const verified = new Map<string, number>()
  const row = db.prepare('SELECT name, role, token_salt, token_hash, revoked_at FROM users WHERE id = ?')
  return async (token) => {
    const m = TOKEN_RE.exec(token)
    if (!m) return null
    const id = Number(m[1])
    const r = row.get(id) as
      | { name: string; role: Role; token_salt: Buffer; token_hash: Buffer; revoked_at: string | null }
      | undefined
    if (!r || r.revoked_at) return null
    const digest = crypto.createHash('sha256').update(token).digest('base64')
    if (verified.get(digest) !== id) {
      const hash = await scrypt(m[2], r.token_salt, KEY_LEN)
      if (hash.length !== r.token_hash.length || !crypto.timingSafeEqual(hash, r.token_hash)) return null
      verified.set(digest, id)
    }
    return { name: r.name, role: r.role }
  }
}
