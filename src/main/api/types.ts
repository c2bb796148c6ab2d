/** What every handler receives, and the handler type derived from a contract area. */
import type { z } from 'zod'
import type { ApiEvent } from '../../shared/contract/events'
import type { MethodSpec } from '../../shared/contract/define'
import type { Caller } from '../../shared/contract/access'
import type { Engine } from '../engine/registry'
import type { JobRunner } from '../jobs/jobs'
import type { Project } from '../store/project'

export interface ApiContext {
  project: Project
  jobs: JobRunner
  /** Segmentation models; creating it is cheap, models load on first use. */
  engine: Engine
  emit(event: ApiEvent): void
  /** Who made this call (set per call by the dispatcher). */
  caller?: Caller
  /** What only some hosts can do (a native file dialog) and how they confine file access. */
  host?: HostServices
}

/** Host-specific services behind the contract; a host that lacks one leaves it out. */
export interface HostServices {
  /** The folder browseFolder is confined to; default: the project's parent folder. */
  importRoot?: string
  /**
   * Imports and previews read only under importRoot and the project's staging folder (the serve host,
   * whose users cannot use a native dialog and must not read the server's other files).
   */
  confineImports?: boolean
  /** A native file/folder dialog (the Electron host): the chosen path, or null when cancelled. */
  pickPath?(req: PickPathRequest): Promise<string | null>
}

export interface PickPathRequest {
  kind: 'file' | 'folder'
  title?: string
  filters: { name: string; extensions: string[] }[]
}

export type Handler<S extends MethodSpec> = (
  input: z.output<S['input']>,
  ctx: ApiContext,
) => z.input<S['output']> | Promise<z.input<S['output']>>

export type HandlersFor<T extends Record<string, MethodSpec>> = { [K in keyof T]: Handler<T[K]> }
