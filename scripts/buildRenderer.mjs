#!/usr/bin/env node
/**
 * Builds the renderer alone into out/renderer (what the serve host gives a browser), for `npm start`,
 * the browser tests, the screenshot script and the browser benchmark. Run directly: `npm run build:renderer`.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const index = path.join(root, 'out/renderer/index.html')

export function buildRenderer() {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'vite.renderer.config.ts',
      '--logLevel',
      'warn',
    ],
    // Always the production bundle: under vitest NODE_ENV is 'test', and Vite would then build React's
    // development runtime (jsxDEV, owner stacks), several times slower, into what the benchmarks measure.
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  )
}

function newestMtime(dir) {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs)
  }
  return newest
}

/** True when out/renderer exists and is newer than every renderer and shared source file. */
export function rendererIsFresh() {
  if (!fs.existsSync(index)) return false
  const built = fs.statSync(index).mtimeMs
  return (
    newestMtime(path.join(root, 'src/renderer')) < built && newestMtime(path.join(root, 'src/shared')) < built
  )
}

export function rendererIsBuilt() {
  return fs.existsSync(index)
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) buildRenderer()
