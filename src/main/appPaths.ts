/** Where the app keeps things on disk: the user data folder (demo project) and the built renderer. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository (or installed package) root: the folder holding package.json. */
export function appRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir)
      throw new Error('cannot find the ReSeg Inspector package root (no package.json above the code)')
    dir = up
  }
  return dir
}

/** Per-user data folder, following each platform's convention (same place Electron's userData points to). */
export function userDataDir(): string {
  if (process.env.RESEG_DATA_DIR) return process.env.RESEG_DATA_DIR
  const home = os.homedir()
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'reseg-inspector')
  if (process.platform === 'darwin')
    return path.join(home, 'Library', 'Application Support', 'reseg-inspector')
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'reseg-inspector')
}

export function defaultDemoDir(): string {
  return path.join(userDataDir(), 'demo-project')
}

export function rendererDir(): string {
  return path.join(appRoot(), 'out', 'renderer')
}
