/**
 * better-sqlite3 is a native addon built for one ABI. The CLI, the serve host and the tests run under
 * plain Node and use the copy npm built in node_modules; the desktop app runs under Electron's ABI and
 * uses a second copy built by `npm run desktop:native` into .electron-native/. Choosing the binary at
 * open time (better-sqlite3's `nativeBinding` option) lets both coexist in one checkout.
 */
import fs from 'node:fs'
import path from 'node:path'

export function electronSqliteBinding(appRoot: string, resourcesPath?: string): string | undefined {
  const candidates = [
    resourcesPath ? path.join(resourcesPath, 'better_sqlite3.node') : null,
    path.join(appRoot, '.electron-native', 'better_sqlite3.node'),
  ].filter((p): p is string => p !== null)
  return candidates.find((p) => fs.existsSync(p))
}
