/**
 * The desktop host: one locked-down BrowserWindow over the same dispatcher the serve host uses.
 * The renderer is untrusted: sandboxed, context-isolated, no Node, no navigation, no new windows,
 * and the main process checks that IPC comes from our own page before validating the payload.
 */
import { BrowserWindow, dialog, ipcMain, net, protocol, session, type IpcMainInvokeEvent } from 'electron'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createApiContext } from '../../api/context'
import { createDispatcher } from '../../api/index'
import { mediaPath } from '../../store/media'
import type { Project } from '../../store/project'
import { nativePicker } from './pickPath'

export const MEDIA_SCHEME = 'reseg-media'

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: reseg-media:; connect-src 'self' reseg-media:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/** Must run before the app is ready: the media scheme behaves like a standard, secure origin. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

export interface DesktopOptions {
  project: Project
  preloadPath: string
  /** Dev server URL from electron-vite, or undefined to load the built file. */
  rendererUrl?: string
  rendererFile: string
}

export function secureWebPreferences(preloadPath: string): Electron.WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  }
}

export function openDesktopWindow(opts: DesktopOptions): BrowserWindow {
  // The native dialog opens over the window, which exists by the time the renderer can ask for it.
  let shown: BrowserWindow | null = null
  const ctx = createApiContext(opts.project, { pickPath: nativePicker(dialog, () => shown) })
  const dispatch = createDispatcher(ctx)

  protocol.handle(MEDIA_SCHEME, (request) => {
    const hash = new URL(request.url).pathname.replace(/^\//, '')
    if (!/^[0-9a-f]{64}$/.test(hash)) return new Response('bad media id', { status: 400 })
    try {
      return net.fetch(pathToFileURL(mediaPath(opts.project, hash)).toString())
    } catch {
      return new Response('no such media', { status: 404 })
    }
  })

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))

  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'ReSeg Inspector',
    backgroundColor: '#16181d',
    webPreferences: secureWebPreferences(opts.preloadPath),
  })
  shown = win

  // Same origin for the dev server (a prefix test would accept http://localhost:5173.evil.example), the exact
  // file for the built renderer.
  const ownPage = (url: string) => {
    try {
      if (opts.rendererUrl) return new URL(url).origin === new URL(opts.rendererUrl).origin
      const u = new URL(url)
      u.hash = ''
      u.search = ''
      return u.toString() === pathToFileURL(path.resolve(opts.rendererFile)).toString()
    } catch {
      return false
    }
  }

  ipcMain.handle('api:invoke', (event: IpcMainInvokeEvent, method: unknown, input: unknown) => {
    if (event.senderFrame && !ownPage(event.senderFrame.url)) {
      return { ok: false, error: { code: 'forbidden', message: 'IPC from an unexpected page' } }
    }
    if (typeof method !== 'string')
      return { ok: false, error: { code: 'bad_request', message: 'method must be a string' } }
    return dispatch(method, input)
  })
  const offEvents = ctx.onEvent((e) => {
    if (!win.isDestroyed()) win.webContents.send('api:event', e)
  })

  win.webContents.on('will-navigate', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  win.on('ready-to-show', () => win.show())
  win.on('closed', () => {
    offEvents()
    ipcMain.removeHandler('api:invoke')
    void ctx.dispose()
  })

  if (opts.rendererUrl) void win.loadURL(opts.rendererUrl)
  else void win.loadFile(opts.rendererFile)
  return win
}
