import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { methodNames } from '../../../../../src/shared/contract'
import { startServeHost, type ServeHandle } from '../../../../../src/main/hosts/serve/server'
import { openProject, type Project } from '../../../../../src/main/store/project'
import { putMedia } from '../../../../../src/main/store/media'

let project: Project
let served: ServeHandle
let rendererDir: string
let mediaHash: string

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-serve-'))
  // The renderer folder sits next to a secret file, so a path traversal would find it.
  const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-out-'))
  rendererDir = path.join(outer, 'renderer')
  fs.mkdirSync(rendererDir)
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>stub renderer</title>')
  fs.writeFileSync(path.join(outer, 'secret.txt'), 'not for the browser')
  project = openProject(dir, { create: true })
  mediaHash = putMedia(project, Buffer.from('fake image bytes'), { ext: 'png', width: 1, height: 1 })
  served = await startServeHost({ project, rendererDir })
})

afterAll(async () => {
  await served.close()
  project.close()
})

const post = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${served.baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
const auth = () => ({ authorization: `Bearer ${served.token}` })

/** A POST written in 1 MiB chunks, as a client that keeps sending would; resolves with the answer. */
function rawPost(body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${served.baseUrl}/api/getProjectInfo`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...auth(), ...headers } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    let at = 0
    const writeMore = () => {
      while (at < body.length) {
        const chunk = body.subarray(at, at + (1 << 20))
        at += chunk.length
        if (!req.write(chunk)) return void req.once('drain', writeMore)
      }
      req.end()
    }
    writeMore()
  })
}

describe('serve host', () => {
  it('binds to loopback and prints a URL with a long random token', () => {
    expect(served.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(served.url).toBe(`${served.baseUrl}/?token=${served.token}`)
    expect(served.token.length).toBeGreaterThanOrEqual(24)
  })

  it('refuses every kind of request without the token', async () => {
    expect((await fetch(`${served.baseUrl}/`)).status).toBe(401)
    expect((await fetch(`${served.baseUrl}/index.html`)).status).toBe(401)
    expect((await post('getProjectInfo', {})).status).toBe(401)
    expect((await fetch(`${served.baseUrl}/media/${mediaHash}`)).status).toBe(401)
    expect((await fetch(`${served.baseUrl}/api/_methods`)).status).toBe(401)
    expect((await post('getProjectInfo', {}, { authorization: 'Bearer wrong-token' })).status).toBe(401)
    // One character off (never the same character: a random token can end in 'x' itself).
    const off = served.token.slice(0, -1) + (served.token.endsWith('x') ? 'y' : 'x')
    expect((await fetch(`${served.baseUrl}/?token=${off}`)).status).toBe(401)
  })

  it('refuses a WebSocket upgrade without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/events`)
    const result = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'))
      ws.on('error', (e) => resolve(String(e.message)))
    })
    expect(result).toContain('401')
    const ok = new WebSocket(`ws://127.0.0.1:${served.port}/events?token=${served.token}`)
    await new Promise<void>((resolve, reject) => {
      ok.on('open', () => resolve())
      ok.on('error', reject)
    })
    ok.close()
  })

  it("refuses a WebSocket upgrade from another page's origin, even with the token", async () => {
    const open = (origin: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${served.port}/events?token=${served.token}`, { origin })
        ws.on('open', () => {
          ws.close()
          resolve('open')
        })
        ws.on('error', (e) => resolve(String(e.message)))
      })
    expect(await open('http://evil.example')).toContain('403')
    expect(await open(`http://localhost:${served.port}`)).toContain('403')
    expect(await open(`http://127.0.0.1:${served.port + 1}`)).toContain('403')
    expect(await open(`http://127.0.0.1:${served.port}`)).toBe('open')
  })

  it('answers 413 with a JSON error to a body over the limit, sized or streamed', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024 + 1, 0x20)
    const sized = await rawPost(big, { 'content-length': String(big.length) })
    expect(sized.status).toBe(413)
    expect(JSON.parse(sized.body)).toEqual({
      ok: false,
      error: { code: 'too_large', message: 'request body over 33554432 bytes' },
    })
    const streamed = await rawPost(big, { 'transfer-encoding': 'chunked' })
    expect(streamed.status).toBe(413)
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'too_large' } })
    // The server is fine afterwards.
    expect((await post('getProjectInfo', {}, auth())).status).toBe(200)
  })

  it('serves the page with the token and sets an HttpOnly cookie that authorizes later loads', async () => {
    const first = await fetch(served.url)
    expect(first.status).toBe(200)
    expect(await first.text()).toContain('stub renderer')
    const cookie = first.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self'")
    const media = await fetch(`${served.baseUrl}/media/${mediaHash}`, {
      headers: { cookie: cookie.split(';')[0] },
    })
    expect(media.status).toBe(200)
    expect(Buffer.from(await media.arrayBuffer()).toString()).toBe('fake image bytes')
  })

  it("accepts its cookie next to another localhost app's malformed one, over HTTP and WebSocket", async () => {
    // Browsers send every localhost cookie to every port; '100%' is not valid percent-encoding.
    const cookie = `other=100%; reseg_token_${served.port}=${encodeURIComponent(served.token)}`
    const page = await fetch(`${served.baseUrl}/`, { headers: { cookie } })
    expect(page.status).toBe(200)
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/events`, { headers: { cookie } })
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve())
      ws.on('error', reject)
    })
    ws.close()
  })

  it('rejects a Host header that is not loopback (DNS rebinding)', async () => {
    const http = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: served.port,
            path: `/?token=${served.token}`,
            headers: { host: 'evil.example:80' },
          },
          (r) => resolve(r.statusCode ?? 0),
        )
        .end()
    })
    expect(status).toBe(403)
  })

  it('exposes exactly the contract methods', async () => {
    const res = await fetch(`${served.baseUrl}/api/_methods`, { headers: auth() })
    expect(await res.json()).toEqual([...methodNames])
  })

  it('validates payloads against the contract and names the bad field', async () => {
    const res = await post('cancelJob', { jobId: 42 }, auth())
    expect(res.status).toBe(400)
    const body = (await res.json()) as { ok: boolean; error: { message: string } }
    expect(body.ok).toBe(false)
    expect(body.error.message).toContain('jobId')
    const unknown = await post('dropAllTables', {}, auth())
    expect(unknown.status).toBe(404)
    const extra = await post('getProjectInfo', { sneaky: 1 }, auth())
    expect(extra.status).toBe(400)
  })

  it('answers a valid call', async () => {
    const res = await post('getProjectInfo', {}, auth())
    const body = (await res.json()) as { ok: boolean; value: { schemaVersion: number; runs: unknown[] } }
    expect(body.ok).toBe(true)
    expect(body.value.schemaVersion).toBeGreaterThanOrEqual(1)
    expect(body.value.runs).toEqual([])
  })

  it('does not serve files outside the renderer folder', async () => {
    const res = await fetch(`${served.baseUrl}/..%2Fsecret.txt`, { headers: auth() })
    expect([403, 404]).toContain(res.status)
    expect(await res.text()).not.toContain('not for the browser')
    const bad = await fetch(`${served.baseUrl}/media/..%2F..%2Fsecret.txt`, { headers: auth() })
    expect(bad.status).toBe(400)
    const malformed = await fetch(`${served.baseUrl}/%E0%A4%A`, { headers: auth() })
    expect(malformed.status).toBe(400)
  })
})
