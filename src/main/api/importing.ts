/** Handlers for src/shared/contract/importing.ts. */
import path from 'node:path'
import type { importingMethods } from '../../shared/contract/importing'
import { browseFolder, realRoot } from '../importing/browseFolder'
import { confineImportPath, importFolders } from '../importing/importSources'
import { previewImport } from '../importing/previewImport'
import { releaseUpload } from '../importing/uploads'
import type { ApiContext, HandlersFor } from './types'

/** browseFolder's root: the host's (`reseg serve --root`), else the folder the project lives in. */
function importRoot({ host, project }: ApiContext): string {
  return realRoot(host?.importRoot ?? path.dirname(path.resolve(project.dir)))
}

/** The path an import or preview reads: checked against the allowed folders on a confining host. */
export function importSource(ctx: ApiContext, requested: string): string {
  if (!ctx.host?.confineImports) return requested
  return confineImportPath(importFolders(importRoot(ctx), ctx.project.dir), requested)
}

/** Removes an imported upload from the staging folder; the job's message says so (empty otherwise). */
export function released(projectDir: string, source: string): string {
  const removed = releaseUpload(projectDir, source)
  return removed ? `; removed the uploaded copy ${path.basename(removed)} from imports/` : ''
}

export const importingHandlers: HandlersFor<typeof importingMethods> = {
  getImportSources: (_input, ctx) => ({ root: importRoot(ctx), nativeDialog: !!ctx.host?.pickPath }),
  browseFolder: ({ path: requested }, ctx) => browseFolder(importRoot(ctx), requested),
  pickPath: async (req, { host }) => {
    if (!host?.pickPath) return { available: false, path: null }
    return { available: true, path: await host.pickPath(req) }
  },
  previewImport: (input, ctx) =>
    previewImport(ctx.project, { ...input, path: importSource(ctx, input.path) }),
}
