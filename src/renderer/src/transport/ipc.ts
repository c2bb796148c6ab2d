/** Transport for the Electron host: the preload's `window.api` (contextBridge) over IPC. */
import type { Transport } from '../../../shared/contract/client'
import type { PreloadApi } from '../../../preload/api'

export function createIpcTransport(bridge: PreloadApi): Transport {
  return {
    hostName: 'electron',
    async invoke(method, input) {
      const result = await bridge.invoke(method, input)
      if (!result.ok) throw new Error(result.error.message)
      return result.value
    },
    subscribe: (listener) => bridge.subscribe(listener),
    mediaUrl: (hash) => `reseg-media://media/${hash}`,
    ...(bridge.pathForFile ? { localPath: (file: File) => bridge.pathForFile?.(file) || null } : {}),
  }
}
