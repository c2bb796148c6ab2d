/**
 * Electron main process: opens the project given with --project (or the demo, created on first run in
 * the user data folder) in a desktop window. Everything it serves comes from the same backend modules
 * as `reseg serve`; only src/main/hosts/electron imports `electron`.
 */
import { app, dialog } from 'electron'
import fs from 'node:fs'
import path from 'node:path'
import { appRoot, defaultDemoDir } from './appPaths'
import { createDemoProject } from './demo/demo'
import { electronSqliteBinding } from './hosts/electron/nativeBinding'
import { openDesktopWindow, registerMediaScheme } from './hosts/electron/window'
import { DB_FILE, openProject } from './store/project'

registerMediaScheme()

function projectArg(argv: string[]): string | undefined {
  const i = argv.indexOf('--project')
  return i >= 0 ? argv[i + 1] : undefined
}

async function main(): Promise<void> {
  await app.whenReady()
  const dir = path.resolve(projectArg(process.argv) ?? defaultDemoDir())
  // The demo is written under Electron too: it needs the Electron-ABI sqlite binary as well.
  const nativeBinding = electronSqliteBinding(appRoot(), process.resourcesPath)
  if (!fs.existsSync(path.join(dir, DB_FILE))) {
    if (projectArg(process.argv)) throw new Error(`${dir} is not a ReSeg project`)
    ;(await createDemoProject(dir, { nativeBinding })).close()
  }
  const project = openProject(dir, { nativeBinding })
  openDesktopWindow({
    project,
    preloadPath: path.join(__dirname, '../preload/index.cjs'),
    rendererUrl: process.env.ELECTRON_RENDERER_URL,
    rendererFile: path.join(__dirname, '../renderer/index.html'),
  })
  app.on('window-all-closed', () => {
    project.close()
    app.quit()
  })
}

main().catch((err: unknown) => {
  dialog.showErrorBox('ReSeg Inspector could not start', err instanceof Error ? err.message : String(err))
  app.exit(1)
})
