#!/usr/bin/env node
/**
 * `npm run desktop:native`: builds a second copy of better-sqlite3 against the installed Electron's ABI
 * into .electron-native/better_sqlite3.node, leaving node_modules' plain-Node build (CLI, serve host,
 * tests) untouched. The desktop app picks this copy through better-sqlite3's `nativeBinding` option.
 * Needs the network (Electron's headers) — run it where Electron itself was downloaded.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const electronVersion = require('electron/package.json').version
const work = path.join(root, '.electron-native', 'build')
fs.rmSync(work, { recursive: true, force: true })
fs.cpSync(path.join(root, 'node_modules/better-sqlite3'), work, {
  recursive: true,
  filter: (p) => !p.includes(`${path.sep}build${path.sep}`),
})
const npmDir = path.dirname(path.dirname(fs.realpathSync(process.env.npm_execpath ?? require.resolve('npm'))))
const nodeGyp = path.join(npmDir, 'node_modules/node-gyp/bin/node-gyp.js')
console.log(`building better-sqlite3 for Electron ${electronVersion}…`)
const r = spawnSync(
  process.execPath,
  [
    nodeGyp,
    'rebuild',
    '--release',
    `--target=${electronVersion}`,
    '--runtime=electron',
    '--dist-url=https://electronjs.org/headers',
  ],
  { cwd: work, stdio: 'inherit' },
)
if (r.status !== 0) {
  console.error('desktop:native failed: building for Electron needs its headers from the network')
  process.exit(r.status ?? 1)
}
fs.copyFileSync(
  path.join(work, 'build/Release/better_sqlite3.node'),
  path.join(root, '.electron-native/better_sqlite3.node'),
)
console.log('wrote .electron-native/better_sqlite3.node')
