/**
 * The serve host: the built renderer and the API contract over HTTP + WebSocket for a browser.
 * Loopback only unless --host says otherwise; every request needs the per-launch token (query string
 * once, then an HttpOnly cookie or an Authorization header); Host is checked so a DNS-rebinding page
 * cannot reach us through a name that resolves to 127.0.0.1. A project with users (`reseg users`) also
 * accepts each person's own token, and the dispatcher gates every method by that person's role.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { WebSocketServer } from 'ws'
import { methodNames } from '../../../shared/contract'
import { createApiContext } from '../../api/context'
import { createDispatcher } from '../../api/index'
import { mediaPath } from '../../store/media'
import type { Project } from '../../store/project'
import type { Caller } from '../../../shared/contract/access'
import { createTokenVerifier } from '../../lab/users'
import { roleAllows } from '../../../shared/contract/access'
import { MAX_UPLOAD_BYTES, receiveUpload, UploadError } from '../../importing/uploads'

export interface ServeOptions {
  project: Project
  rendererDir: string
  port?: number
  host?: string
  token?: string
  /** Everyone is served as a viewer. */
  readOnly?: boolean
  /** Behind a reverse proxy on this machine: honour X-Forwarded-For/-Proto from a loopback peer. */
  trustProxy?: boolean
  /** The folder the import form may browse (`reseg serve --root`); default: the project's parent. */
  importRoot?: string
  /** Largest file the import form may upload (default MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number
}

export interface ServeHandle {
  url: string
  baseUrl: string
  token: string
  port: number
  close(): Promise<void>
}

const MAX_BODY = 32 * 1024 * 1024
const UPLOAD_CODES = { 400: 'bad_request', 409: 'conflict', 413: 'too_large' } as const
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])

export async function startServeHost(opts: ServeOptions): Promise<ServeHandle> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url')
  const ctx = createApiContext(opts.project, { importRoot: opts.importRoot, confineImports: true })
  const dispatch = createDispatcher(ctx)
  const rendererDir = path.resolve(opts.rendererDir)
  let port = 0

  const cookieName = () => `reseg_token_${port}`
  const tokenOk = (candidate: string | null | undefined) => {
    if (!candidate) return false
    const a = Buffer.from(candidate)
    const b = Buffer.from(token)
    return a.length === b.length && crypto.timingSafeEqual(a, b)
  }
  const requestToken = (req: http.IncomingMessage, url: URL) => {
    const auth = req.headers.authorization
    if (auth?.startsWith('Bearer ')) return auth.slice(7)
    const q = url.searchParams.get('token')
    if (q) return q
    const cookies = Object.fromEntries(
      (req.headers.cookie ?? '').split(';').map((c) => {
        const i = c.indexOf('=')
        return [c.slice(0, i).trim(), safeDecode(c.slice(i + 1).trim())]
      }),
    )
    return cookies[cookieName()] ?? null
  }
  const verifyUser = createTokenVerifier(opts.project.db)
  const fromProxy = (req: http.IncomingMessage) =>
    !!opts.trustProxy && isLoopbackPeer(req.socket.remoteAddress)
  /** The caller a presented token stands for: the per-launch token is the local owner, an admin. */
  const authenticate = async (req: http.IncomingMessage, url: URL): Promise<Caller | null> => {
    const presented = requestToken(req, url)
    let caller: Caller | null = null
    if (tokenOk(presented)) caller = { user: 'local', role: 'admin' }
    else if (presented) {
      const user = await verifyUser(presented)
      if (user) caller = { user: user.name, role: user.role }
    }
    if (!caller) return null
    const forwarded = fromProxy(req)
      ? String(req.headers['x-forwarded-for'] ?? '')
          .split(',')[0]
          .trim()
      : ''
    return {
      ...caller,
      role: opts.readOnly ? 'viewer' : caller.role,
      remote: forwarded || req.socket.remoteAddress || null,
    }
  }
  const hostHeaderOk = (req: http.IncomingMessage) => {
    if (!LOOPBACK_HOSTS.has(host)) return true
    // The proxy checked the public name; the Host it forwards is that name, not ours.
    if (fromProxy(req) && req.headers['x-forwarded-for']) return true
    const h = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
    return LOOPBACK_HOSTS.has(h)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, 'text/plain', `internal error: ${err instanceof Error ? err.message : err}`)
    })
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!hostHeaderOk(req)) return send(res, 403, 'text/plain', 'forbidden host')
    const caller = await authenticate(req, url)
    if (!caller)
      return send(
        res,
        401,
        'text/plain',
        'missing or wrong token: use the URL printed by `reseg serve` or your personal link',
      )
    const linkToken = url.searchParams.get('token')
    if (linkToken) {
      const secure = fromProxy(req) && req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : ''
      res.setHeader(
        'set-cookie',
        `${cookieName()}=${encodeURIComponent(linkToken)}; HttpOnly; SameSite=Strict; Path=/${secure}`,
      )
    }

    if (url.pathname === '/api/_methods' && req.method === 'GET') {
      return send(res, 200, 'application/json', JSON.stringify(methodNames))
    }
    if (url.pathname === '/upload') return upload(req, res, url, caller)
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST')
      const method = decodeURIComponent(url.pathname.slice(5))
      let body: unknown
      try {
        body = JSON.parse((await readBody(req)) || '{}')
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        if (err instanceof BodyTooLarge) return sendError(res, 413, 'too_large', message)
        return sendError(res, 400, 'bad_request', message)
      }
      const result = await dispatch(method, body, caller)
      const status = result.ok
        ? 200
        : result.error.code === 'not_found'
          ? 404
          : result.error.code === 'bad_request'
            ? 400
            : result.error.code === 'forbidden'
              ? 403
              : 200
      return send(res, status, 'application/json', JSON.stringify(result))
    }
    if (url.pathname.startsWith('/media/')) {
      const hash = url.pathname.slice(7)
      if (!/^[0-9a-f]{64}$/.test(hash)) return send(res, 400, 'text/plain', 'bad media id')
      let file: string
      try {
        file = mediaPath(opts.project, hash)
      } catch {
        return send(res, 404, 'text/plain', 'no such media')
      }
      return sendFile(res, file, 'public, max-age=31536000, immutable')
    }
    return serveStatic(url.pathname, res)
  }

  /**
   * A file dropped on the import form, streamed to the project's staging folder (not through the API's JSON
   * body, whose limit stays small). Importing is an admin action, so is uploading.
   */
  async function upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, caller: Caller) {
    const fail = (status: number, code: string, message: string) => {
      req.resume()
      sendError(res, status, code, message)
    }
    if (req.method !== 'POST') return fail(405, 'bad_request', 'use POST')
    if (!roleAllows(caller.role, 'admin'))
      return fail(403, 'forbidden', `uploading needs the admin role (you are ${caller.role})`)
    const max = opts.maxUploadBytes ?? MAX_UPLOAD_BYTES
    if (Number(req.headers['content-length'] ?? 0) > max)
      return fail(413, 'too_large', `upload over ${max} bytes`)
    try {
      const target = { name: url.searchParams.get('name'), folder: url.searchParams.get('folder') }
      const stored = await receiveUpload(opts.project.dir, target, req, max)
      return send(res, 200, 'application/json', JSON.stringify({ ok: true, value: stored }))
    } catch (err) {
      if (err instanceof UploadError) return fail(err.status, UPLOAD_CODES[err.status], err.message)
      throw err
    }
  }

  function serveStatic(pathname: string, res: http.ServerResponse) {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return send(res, 400, 'text/plain', 'malformed URL')
    }
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
    const file = path.resolve(rendererDir, rel)
    if (!file.startsWith(rendererDir + path.sep)) return send(res, 403, 'text/plain', 'forbidden')
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
        return send(
          res,
          500,
          'text/plain',
          `renderer not built: ${rendererDir}/index.html missing (run npm run build)`,
        )
      }
      return send(res, 404, 'text/plain', 'not found')
    }
    return sendFile(res, file, rel === 'index.html' ? 'no-store' : 'no-cache')
  }

  function sendFile(res: http.ServerResponse, file: string, cache: string) {
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': cache,
      ...securityHeaders(),
    })
    fs.createReadStream(file).pipe(res)
  }

  function send(res: http.ServerResponse, status: number, type: string, body: string) {
    res.writeHead(status, { 'content-type': type, ...securityHeaders() })
    res.end(body)
  }

  /** An error in the API's wire shape; a 413 answers, then closes: the rest of the body is dropped, not kept. */
  function sendError(res: http.ServerResponse, status: number, code: string, message: string) {
    if (status === 413) res.setHeader('connection', 'close')
    send(res, status, 'application/json', JSON.stringify({ ok: false, error: { code, message } }))
  }

  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const refuse = () => {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
    }
    if (url.pathname !== '/events' || !hostHeaderOk(req)) return refuse()
    // Browsers send the page's origin with every WebSocket upgrade and do not apply the same-origin policy
    // to it: only our own page may listen to the project's events (clients without Origin are not browsers).
    // Behind a trusted TLS proxy the page's origin is https and the proxy forwards its public Host.
    const origin = req.headers.origin
    const scheme = fromProxy(req) && req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'
    if (origin !== undefined && origin !== `${scheme}://${req.headers.host ?? ''}`) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    authenticate(req, url).then(
      (caller) =>
        caller ? wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)) : refuse(),
      refuse,
    )
  })
  const offEvents = ctx.onEvent((event) => {
    const text = JSON.stringify(event)
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  const baseUrl = `http://${shownHost}:${port}`
  return {
    url: `${baseUrl}/?token=${token}`,
    baseUrl,
    token,
    port,
    async close() {
      offEvents()
      await ctx.dispose()
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

function isLoopbackPeer(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1'
}

/** Cookies on localhost are shared by every port: another app's malformed value must not throw here. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  }
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new BodyTooLarge(`request body over ${MAX_BODY} bytes`)
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      reject(tooLarge())
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      if (over) return
      size += c.length
      if (size > MAX_BODY) {
        // Keep draining (and dropping) what the client still sends, so it gets to read the 413.
        over = true
        chunks.length = 0
        reject(tooLarge())
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
