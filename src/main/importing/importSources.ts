/**
 * Which paths an import may read on a host that confines imports (the serve host, whose users pick files
 * through the folder browser): the browse root and the project's staging folder for uploads. The desktop
 * host does not confine them, its user picks files in a native dialog.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ApiError } from '../../shared/contract/define'
import { confine } from './browseFolder'
import { STAGING_DIR } from './uploads'

/** The folders imports may read: the root, then the staging folder when it exists. */
export function importFolders(root: string, projectDir: string): string[] {
  const staging = path.join(projectDir, STAGING_DIR)
  return fs.existsSync(staging) ? [root, staging] : [root]
}

/**
 * The absolute path to hand to the importer when `requested` lies in one of `folders` (a missing path there
 * is left for the importer to report); throws `forbidden` otherwise. hf:// sources are not paths.
 */
export function confineImportPath(folders: string[], requested: string): string {
  if (requested.startsWith('hf://')) return requested
  let missing: string | null = null
  for (const folder of folders) {
    try {
      return confine(folder, requested)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      if (err.code === 'not_found' && missing === null) missing = path.resolve(folder, requested)
    }
  }
  if (missing !== null) return missing
  throw new ApiError(
    'forbidden',
    `${requested}: this server imports only from ${folders.join(' or ')} (choose the file in the import form's folder browser, drop it on the form, or start \`reseg serve --root DIR\`)`,
  )
}
