import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, it, vi } from 'vitest'

// `electron` is mocked at the module boundary: the host's wiring is what is under test.
const state = vi.hoisted(() => ({
  ipcHandlers: new Map<string, (...args: unknown[]) => unknown>(),
  windows: [] as {
    options: Record<string, unknown>
    events: Map<string, (...a: unknown[]) => void>
    openHandler?: () => unknown
    sent: unknown[]
  }[],
  exposed: new Map<string, unknown>(),
  protocolHandlers: new Map<string, (req: { url: string }) => unknown>(),
  dialogCalls: [] as unknown[][],
}))

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      const entry = {
        options,
        events: new Map<string, (...a: unknown[]) => void>(),
        sent: [] as unknown[],
        openHandler: undefined as undefined | (() => unknown),
      }
      state.windows.push(entry)
      this.webContents = {
        on: (name: string, fn: (...a: unknown[]) => void) => entry.events.set(name, fn),
        setWindowOpenHandler: (fn: () => unknown) => {
          entry.openHandler = fn
        },
        send: (...a: unknown[]) => entry.sent.push(a),
      }
    }
    on() {}
    isDestroyed() {
      return false
    }
    loadURL() {
      return Promise.resolve()
    }
    loadFile() {
      return Promise.resolve()
    }
  }
  return {
    BrowserWindow,
    ipcMain: {
      handle: (ch: string, fn: (...a: unknown[]) => unknown) => state.ipcHandlers.set(ch, fn),
      removeHandler: (ch: string) => state.ipcHandlers.delete(ch),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: (scheme: string, fn: (req: { url: string }) => unknown) =>
        state.protocolHandlers.set(scheme, fn),
    },
    net: { fetch: vi.fn((url: string) => ({ fetched: url })) },
    session: {
      defaultSession: { webRequest: { onHeadersReceived: vi.fn() }, setPermissionRequestHandler: vi.fn() },
    },
    dialog: {
      showOpenDialog: (...a: unknown[]) => {
        state.dialogCalls.push(a)
        return Promise.resolve({ canceled: false, filePaths: ['/data/picked.jsonl'] })
      },
    },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => state.exposed.set(key, value) },
    ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
    webUtils: { getPathForFile: (f: { name: string }) => `/disk/${f.name}` },
  }
})

import { methodNames } from '../../../../../src/shared/contract'
import { openDesktopWindow } from '../../../../../src/main/hosts/electron/window'
import { openProject } from '../../../../../src/main/store/project'
import { putMedia } from '../../../../../src/main/store/media'

describe('electron host', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-electron-'))
  const rendererFile = path.join(dir, 'renderer', 'index.html')
  const project = openProject(dir, { create: true })
  const hash = putMedia(project, Buffer.from('img'), { ext: 'png', width: 1, height: 1 })

  beforeEach(() => {
    state.ipcHandlers.clear()
    state.windows.length = 0
    openDesktopWindow({ project, preloadPath: '/app/preload.cjs', rendererFile })
  })

  it('creates a sandboxed, context-isolated window without Node integration', () => {
    const prefs = state.windows[0].options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      preload: '/app/preload.cjs',
    })
  })

  it('blocks navigation and new windows', () => {
    const w = state.windows[0]
    const event = { preventDefault: vi.fn() }
    w.events.get('will-navigate')?.(event, 'https://example.com')
    expect(event.preventDefault).toHaveBeenCalled()
    expect(w.openHandler?.()).toEqual({ action: 'deny' })
  })

  it('dispatches IPC from our page through the validating dispatcher', async () => {
    const handler = state.ipcHandlers.get('api:invoke')!
    const own = { senderFrame: { url: pathToFileURL(rendererFile).toString() } }
    const ok = (await handler(own, 'getProjectInfo', {})) as { ok: boolean; value: { schemaVersion: number } }
    expect(ok.ok).toBe(true)
    expect(ok.value.schemaVersion).toBeGreaterThanOrEqual(1)
    const bad = (await handler(own, 'cancelJob', { jobId: 7 })) as { ok: boolean; error: { code: string } }
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const unknown = (await handler(own, 'deleteEverything', {})) as { ok: boolean; error: { code: string } }
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('refuses IPC from any other page', async () => {
    const handler = state.ipcHandlers.get('api:invoke')!
    const foreign = { senderFrame: { url: 'https://evil.example/' } }
    expect(await handler(foreign, 'getProjectInfo', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    // A file beside ours whose name merely starts with the renderer's path is not our page.
    const sibling = { senderFrame: { url: pathToFileURL(rendererFile + '.evil.html').toString() } }
    expect(await handler(sibling, 'getProjectInfo', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
  })

  it("answers pickPath with the native dialog's choice, opened over the window", async () => {
    const handler = state.ipcHandlers.get('api:invoke')!
    const own = { senderFrame: { url: pathToFileURL(rendererFile).toString() } }
    state.dialogCalls.length = 0
    const r = await handler(own, 'pickPath', {
      kind: 'file',
      filters: [{ name: 'Runs', extensions: ['jsonl'] }],
    })
    expect(r).toEqual({ ok: true, value: { available: true, path: '/data/picked.jsonl' } })
    expect(state.dialogCalls).toHaveLength(1)
    const [parent, options] = state.dialogCalls[0]
    expect((parent as { webContents: unknown }).webContents).toBeDefined()
    expect(options).toEqual({
      title: undefined,
      properties: ['openFile'],
      filters: [{ name: 'Runs', extensions: ['jsonl'] }],
    })
    expect(await handler(own, 'getImportSources', {})).toMatchObject({
      ok: true,
      value: { nativeDialog: true },
    })
  })

  it('serves media by content hash only', async () => {
    const media = state.protocolHandlers.get('reseg-media')!
    expect(media({ url: `reseg-media://media/${hash}` })).toEqual({
      fetched: pathToFileURL(path.join(dir, 'media', `${hash}.png`)).toString(),
    })
    const bad = media({ url: 'reseg-media://media/..%2F..%2Fetc%2Fpasswd' }) as Response
    expect(bad.status).toBe(400)
  })

  it('preload exposes one api object listing exactly the contract methods', async () => {
    await import('../../../../../src/preload/index')
    const api = state.exposed.get('api') as { methods: string[]; invoke: unknown; subscribe: unknown }
    expect([...api.methods]).toEqual([...methodNames])
    expect(Object.keys(api).sort()).toEqual(['invoke', 'methods', 'pathForFile', 'subscribe'])
    // The one non-IPC member: a dropped file's disk path, straight from Electron's webUtils.
    expect(
      (api as unknown as { pathForFile(f: { name: string }): string }).pathForFile({ name: 'a.jsonl' }),
    ).toBe('/disk/a.jsonl')
  })
})
