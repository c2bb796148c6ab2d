/**
 * Transport for the serve host: calls are HTTP POSTs to /api/<method>, events arrive over a WebSocket.
 * The per-launch token comes from the page URL once, then lives in sessionStorage (and in an HttpOnly
 * cookie the host sets, which is what authorizes <img> loads of /media).
 */
import type { Transport, WireResult } from '../../../shared/contract/client'
import { methodAccess } from '../../../shared/contract/access'
import { apiEventSchema, type ApiEvent } from '../../../shared/contract/events'
import type { MethodName } from '../../../shared/contract/index'

const TOKEN_KEY = 'reseg.token'
/** A 401 from /api or /upload: the page was opened without (or with a stale) token. */
const NOT_AUTHORIZED = 'not authorized: open the URL that `reseg serve` printed (it carries the token)'

export function readToken(): string {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    window.history.replaceState(null, '', url.toString())
    return fromUrl
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function createHttpTransport(token: string): Transport {
  const listeners = new Set<(e: ApiEvent) => void>()
  let socket: WebSocket | null = null
  let retry = 0

  const openSocket = () => {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
    socket = new WebSocket(`${proto}//${window.location.host}/events?token=${encodeURIComponent(token)}`)
    socket.onmessage = (msg) => {
      const parsed = apiEventSchema.safeParse(JSON.parse(String(msg.data)))
      if (parsed.success) for (const l of listeners) l(parsed.data)
    }
    socket.onopen = () => {
      retry = 0
    }
    socket.onclose = () => {
      socket = null
      // A subscribe during the back-off may already have opened a new socket; a second one would deliver
      // every event twice.
      if (listeners.size > 0)
        setTimeout(() => !socket && listeners.size > 0 && openSocket(), Math.min(5000, 250 * 2 ** retry++))
    }
  }

  return {
    hostName: 'browser',
    async invoke(method, input) {
      const body = JSON.stringify(input ?? {})
      const res = await fetch(`/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        // Lets a last write (a note typed just before closing the tab) finish while the page unloads.
        // Reads need not outlive the page, and a keepalive fetch costs Chromium ~1 ms more per call;
        // browsers cap keepalive bodies at 64 KiB.
        keepalive: methodAccess[method as MethodName] !== 'read' && body.length < 60_000,
      })
      if (res.status === 401) throw new Error(NOT_AUTHORIZED)
      const result = (await res.json()) as WireResult
      if (!result.ok) throw new Error(result.error.message)
      return result.value
    },
    subscribe(listener) {
      listeners.add(listener)
      if (!socket) openSocket()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) socket?.close()
      }
    },
    mediaUrl: (hash) => `/media/${hash}`,
    // Streamed to disk by the host (not through /api, whose JSON body limit stays small).
    async upload(file, name, folder) {
      const q = `name=${encodeURIComponent(name)}${folder === undefined ? '' : `&folder=${encodeURIComponent(folder)}`}`
      const res = await fetch(`/upload?${q}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: file,
      })
      if (res.status === 401) throw new Error(NOT_AUTHORIZED)
      const result = (await res.json().catch(() => null)) as WireResult | null
      if (!result) throw new Error(`upload of ${name} failed (HTTP ${res.status})`)
      if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code })
      return result.value as { path: string; size: number; folder: string | null }
    },
  }
}
