/**
 * The renderer's view of the backend: a transport (IPC or HTTP+WebSocket, chosen at start-up) wrapped
 * into one typed object with a method per contract entry. Nothing above this layer knows the host.
 */
import { contract, type MethodInput, type MethodName, type MethodOutput } from './index'
import type { ApiEvent } from './events'

/** What a host must provide to the renderer. */
export interface Transport {
  /** Calls one contract method; rejects with an Error whose message is the backend's. */
  invoke(method: string, input: unknown): Promise<unknown>
  /** Receives every backend event; returns an unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void
  /** A URL the renderer can load a stored image from (media hash from the contract). */
  mediaUrl(hash: string): string
  /** Which host this is, for the status bar only. */
  readonly hostName: string
  /**
   * Sends a file to the backend's import staging folder (the serve host's /upload), alone or as `name`
   * (a relative path) inside a dropped `folder`; absent where the backend reads the user's files directly
   * (Electron). Resolves with where the backend stored it; rejects with an Error carrying the wire `code`.
   */
  upload?(
    file: Blob,
    name: string,
    folder?: string,
  ): Promise<{ path: string; size: number; folder: string | null }>
  /**
   * Where a dropped file or folder lies on disk, on a host whose backend reads the user's files directly
   * (Electron); null for a file that has no path (dragged from another app's memory). Absent elsewhere.
   */
  localPath?(file: File): string | null
}

export type ApiClient = { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>> } & {
  subscribe: Transport['subscribe']
  mediaUrl: Transport['mediaUrl']
  hostName: string
  upload?: Transport['upload']
  localPath?: Transport['localPath']
}

export function createClient(transport: Transport): ApiClient {
  const methods: Record<string, (input: unknown) => Promise<unknown>> = {}
  for (const name of Object.keys(contract)) {
    methods[name] = (input: unknown) => transport.invoke(name, input)
  }
  return {
    ...(methods as { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>> }),
    subscribe: (l) => transport.subscribe(l),
    mediaUrl: (h) => transport.mediaUrl(h),
    hostName: transport.hostName,
    ...(transport.upload ? { upload: transport.upload.bind(transport) } : {}),
    ...(transport.localPath ? { localPath: transport.localPath.bind(transport) } : {}),
  }
}

/** The wire format of one call's answer, shared by both hosts. */
export type WireResult =
  { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }
