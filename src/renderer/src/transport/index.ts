/** Picks the transport for the host the renderer was loaded by; the rest of the app only sees ApiClient. */
import { createClient, type ApiClient } from '../../../shared/contract/client'
import type { PreloadApi } from '../../../preload/api'
import { createHttpTransport, readToken } from './http'
import { createIpcTransport } from './ipc'

declare global {
  interface Window {
    api?: PreloadApi
  }
}

export function connect(): ApiClient {
  if (window.api) return createClient(createIpcTransport(window.api))
  return createClient(createHttpTransport(readToken()))
}
