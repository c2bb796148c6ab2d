/**
 * Runs sandboxed with contextIsolation: exposes one narrow object and nothing of ipcRenderer itself.
 * Payloads are validated in the main process, not here — the renderer is untrusted either way.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { WireResult } from '../shared/contract/client'
import type { ApiEvent } from '../shared/contract/events'
import { methodNames } from '../shared/contract'
import type { PreloadApi } from './api'

const api: PreloadApi = {
  invoke: (method, input) => ipcRenderer.invoke('api:invoke', method, input) as Promise<WireResult>,
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, event: ApiEvent) => listener(event)
    ipcRenderer.on('api:event', handler)
    return () => ipcRenderer.removeListener('api:event', handler)
  },
  methods: methodNames,
  // Sandboxed renderers no longer see File.path; the backend reads dropped files in place, so it needs it.
  pathForFile: (file) => webUtils.getPathForFile(file),
}

contextBridge.exposeInMainWorld('api', api)
