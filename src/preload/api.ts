/** The object the preload exposes as `window.api`; types only, shared by preload and renderer. */
import type { WireResult } from '../shared/contract/client'
import type { ApiEvent } from '../shared/contract/events'

export interface PreloadApi {
  invoke(method: string, input: unknown): Promise<WireResult>
  subscribe(listener: (event: ApiEvent) => void): () => void
  /** The contract methods the main process serves (checked against the contract in tests). */
  methods: readonly string[]
  /** The disk path of a file or folder dropped on the window ('' when it has none), from Electron's webUtils. */
  pathForFile?(file: File): string
}
