/** The serve host as a team server: personal tokens, roles per method class, audit, live sync, jobs. */
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServeHost, type ServeHandle } from '../../../../../src/main/hosts/serve/server'
import { addUser, revokeUser } from '../../../../../src/main/lab/users'
import type { ApiEvent } from '../../../../../src/shared/contract/events'
import { createBrowseProject, type BrowseProject } from '../../../../fixtures/browseProject'

let dir: string
let bp: BrowseProject
let served: ServeHandle
let readOnly: ServeHandle
const tokens: Record<string, string> = {}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-lab-'))
  bp = await createBrowseProject(dir, { samples: 6, seed: 3 })
  tokens.vic = (await addUser(bp.project.db, 'vic', 'viewer')).token
  tokens.ana = (await addUser(bp.project.db, 'ana', 'annotator')).token
  tokens.adm = (await addUser(bp.project.db, 'adm', 'admin')).token
  tokens.gone = (await addUser(bp.project.db, 'gone', 'admin')).token
  const rendererDir = path.join(dir, 'renderer')
  fs.mkdirSync(rendererDir)
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><div id="root"></div>')
  served = await startServeHost({ project: bp.project, rendererDir })
  readOnly = await startServeHost({ project: bp.project, rendererDir, readOnly: true })
})

afterAll(async () => {
  await served.close()
  await readOnly.close()
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function call(h: ServeHandle, token: string, method: string, body: unknown) {
  const res = await fetch(`${h.baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each probe reads its own response shape
  return { status: res.status, body: (await res.json().catch(() => null)) as { ok: boolean; value?: any } }
}

function listen(h: ServeHandle, token: string): Promise<{ ws: WebSocket; events: ApiEvent[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/events`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const events: ApiEvent[] = []
  ws.on('message', (d) => events.push(JSON.parse(String(d)) as ApiEvent))
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, events }))
    ws.on('error', reject)
  })
}

/** fetch() cannot set Host; a reverse proxy does, so these requests go through node:http. */
function raw(
  h: ServeHandle,
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.port, method, path: pathname, headers }, (res) => {
      res.resume()
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '') }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function until(ok: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now()
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
  return Date.now() - t0
}

describe('lab server', () => {
  it('allows and refuses each role per class through the HTTP host', async () => {
    const s = bp.specs[0].id
    const tag = (await call(served, served.token, 'listTags', {})).body.value[0].id as number
    const probes = {
      read: () => ({ method: 'getSampleDetail', body: { runId: bp.runA, sampleId: s } }),
      annotate: () => ({
        method: 'setSampleTag',
        body: { runId: bp.runA, sampleId: s, tagId: tag, on: true },
      }),
      admin: () => ({ method: 'saveTag', body: { name: `t-${Math.random()}` } }),
    }
    const expected: Record<string, [number, number, number]> = {
      vic: [200, 403, 403],
      ana: [200, 200, 403],
      adm: [200, 200, 200],
    }
    for (const [user, want] of Object.entries(expected)) {
      const got = []
      for (const p of [probes.read(), probes.annotate(), probes.admin()])
        got.push((await call(served, tokens[user], p.method, p.body)).status)
      expect([user, ...got]).toEqual([user, ...want])
    }
    // The launch token is the local owner: an admin.
    expect((await call(served, served.token, 'saveTag', { name: 'owner-tag' })).status).toBe(200)
    expect((await call(served, tokens.ana, 'whoAmI', {})).body.value).toEqual({
      user: 'ana',
      role: 'annotator',
    })
    const refused = await call(served, tokens.vic, 'saveNote', { runId: bp.runA, sampleId: s, text: 'x' })
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect((await call(served, 'rs_1_' + 'A'.repeat(43), 'getProjectInfo', {})).status).toBe(401)
  })

  it('--read-only serves everyone, the launch token too, as a viewer', async () => {
    const s = bp.specs[1].id
    for (const t of [readOnly.token, tokens.adm, tokens.ana]) {
      expect((await call(readOnly, t, 'getNote', { runId: bp.runA, sampleId: s })).status).toBe(200)
      expect((await call(readOnly, t, 'saveNote', { runId: bp.runA, sampleId: s, text: 'no' })).status).toBe(
        403,
      )
      expect((await call(readOnly, t, 'saveTag', { name: 'no' })).status).toBe(403)
    }
    expect((await call(readOnly, tokens.adm, 'whoAmI', {})).body.value).toEqual({
      user: 'adm',
      role: 'viewer',
    })
  })

  it('a personal link sets the HttpOnly cookie, and revocation applies at once', async () => {
    const page = await fetch(`${served.baseUrl}/?token=${tokens.gone}`)
    expect(page.status).toBe(200)
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/)
    const again = await fetch(`${served.baseUrl}/api/whoAmI`, {
      method: 'POST',
      headers: { cookie },
      body: '{}',
    })
    expect(await again.json()).toMatchObject({ ok: true, value: { user: 'gone', role: 'admin' } })
    revokeUser(bp.project.db, 'gone')
    expect((await call(served, tokens.gone, 'getProjectInfo', {})).status).toBe(401)
    expect((await fetch(`${served.baseUrl}/`, { headers: { cookie } })).status).toBe(401)
  })

  it('tells every browser about a write within 1 s, keeps overwritten notes and tells the loser', async () => {
    const s = bp.specs[2].id
    const viewer = await listen(served, tokens.vic)
    // ana opens the sample (no note yet), adm writes a note, then ana saves from her stale copy.
    const seen = (await call(served, tokens.ana, 'getNote', { runId: bp.runA, sampleId: s })).body.value
    expect(seen).toEqual({ text: '', updatedAt: null })
    const first = await call(served, tokens.adm, 'saveNote', {
      runId: bp.runA,
      sampleId: s,
      text: 'adm: mask leaks into the sky',
      basedOn: seen.updatedAt,
    })
    expect(first.body.value.overwrote).toBeNull()
    const ms = await until(
      () => viewer.events.some((e) => e.type === 'changed' && e.sampleId === s && e.user === 'adm'),
      1000,
    )
    expect(ms).toBeLessThan(1000)
    const second = await call(served, tokens.ana, 'saveNote', {
      runId: bp.runA,
      sampleId: s,
      text: 'ana: wrong object',
      basedOn: seen.updatedAt,
    })
    expect(second.body.value.overwrote).toEqual({ user: 'adm', at: first.body.value.updatedAt })
    await until(
      () => viewer.events.some((e) => e.type === 'changed' && e.user === 'ana' && e.sampleId === s),
      1000,
    )
    const ev = viewer.events.find((e) => e.type === 'changed' && e.user === 'ana' && e.sampleId === s)
    expect(ev).toEqual({
      type: 'changed',
      method: 'saveNote',
      runId: bp.runA,
      sampleId: s,
      user: 'ana',
      overwrote: { user: 'adm', at: first.body.value.updatedAt },
    })
    // Last writer wins; the earlier text is in the history with its author.
    expect((await call(served, tokens.vic, 'getNote', { runId: bp.runA, sampleId: s })).body.value.text).toBe(
      'ana: wrong object',
    )
    const hist = (await call(served, tokens.vic, 'getSampleHistory', { runId: bp.runA, sampleId: s })).body
      .value
    expect(hist.noteVersions).toEqual([
      {
        text: 'adm: mask leaks into the sky',
        author: 'adm',
        writtenAt: first.body.value.updatedAt,
        replacedBy: 'ana',
        replacedAt: expect.any(String),
      },
    ])
    expect(hist.entries.map((e: { user: string; method: string }) => [e.user, e.method])).toEqual([
      ['ana', 'saveNote'],
      ['adm', 'saveNote'],
    ])
    // A save based on the current version overwrites nobody.
    const third = await call(served, tokens.adm, 'saveNote', {
      runId: bp.runA,
      sampleId: s,
      text: 'adm: agreed',
      basedOn: second.body.value.updatedAt,
    })
    expect(third.body.value.overwrote).toBeNull()
    viewer.ws.close()
  })

  it('a job started by one user shows progress to all and survives its browser closing', async () => {
    const starter = await listen(served, tokens.adm)
    const watcher = await listen(served, tokens.vic)
    const started = await call(served, tokens.adm, 'startSegmentRun', {
      fromRunId: bp.runA,
      outRun: 'team-gc',
      prompts: 'gt-box',
    })
    expect(started.status).toBe(200)
    const jobId = started.body.value.jobId as string
    starter.ws.terminate() // the starter's browser goes away at once
    await until(
      () => watcher.events.some((e) => e.type === 'job' && e.job.id === jobId && e.job.status !== 'running'),
      60_000,
    )
    const last = watcher.events.filter((e) => e.type === 'job' && e.job.id === jobId).at(-1)
    expect(last).toMatchObject({ job: { status: 'done', done: bp.specs.length, total: bp.specs.length } })
    const jobs = (await call(served, tokens.vic, 'listJobs', {})).body.value as {
      id: string
      status: string
    }[]
    expect(jobs.find((j) => j.id === jobId)?.status).toBe('done')
    watcher.ws.close()
  })

  it('--trust-proxy honours X-Forwarded-For/-Proto from a loopback proxy, and only then', async () => {
    const proxied = await startServeHost({
      project: bp.project,
      rendererDir: path.join(dir, 'renderer'),
      trustProxy: true,
    })
    const viaProxy = {
      host: 'lab.example.org',
      'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      'x-forwarded-proto': 'https',
    }
    try {
      const page = await raw(proxied, 'GET', `/?token=${tokens.ana}`, viaProxy)
      expect(page.status).toBe(200)
      expect(page.cookie).toMatch(/; Secure$/)
      const s = bp.specs[3].id
      const res = await raw(
        proxied,
        'POST',
        '/api/saveNote',
        { ...viaProxy, authorization: `Bearer ${tokens.ana}` },
        JSON.stringify({ runId: bp.runA, sampleId: s, text: 'via proxy' }),
      )
      expect(res.status).toBe(200)
      const row = bp.project.db
        .prepare("SELECT remote FROM audit_log WHERE method = 'saveNote' AND sample_id = ?")
        .get(s) as { remote: string }
      expect(row.remote).toBe('203.0.113.9')
      // Without --trust-proxy the same headers are a foreign Host on a loopback server.
      expect((await raw(served, 'GET', `/?token=${tokens.ana}`, viaProxy)).status).toBe(403)
      // and without the proxy's headers, a foreign Host is refused by the proxied server too.
      expect((await raw(proxied, 'GET', `/?token=${tokens.ana}`, { host: 'evil.example' })).status).toBe(403)
    } finally {
      await proxied.close()
    }
  })

  it('records every write with its author, and never a token', () => {
    const rows = bp.project.db.prepare('SELECT user_name, method, summary, remote FROM audit_log').all() as {
      user_name: string
      method: string
      summary: string
      remote: string
    }[]
    expect(rows.filter((r) => r.method === 'setSampleTag').map((r) => r.user_name)).toEqual(['ana', 'adm'])
    expect(rows.find((r) => r.method === 'startSegmentRun')).toMatchObject({ user_name: 'adm' })
    expect(rows.every((r) => ['127.0.0.1', '::ffff:127.0.0.1', '203.0.113.9'].includes(r.remote))).toBe(true)
    const dump = JSON.stringify(bp.project.db.prepare('SELECT * FROM audit_log').all())
    const history = JSON.stringify(bp.project.db.prepare('SELECT * FROM notes_history').all())
    for (const t of [...Object.values(tokens), served.token, readOnly.token]) {
      expect(dump).not.toContain(t)
      expect(history).not.toContain(t)
    }
    expect(() => bp.project.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
  })
})
