/**
 * Builds the renderer once for the whole e2e run (unless RESEG_E2E_SKIP_BUILD=1 and a build exists),
 * so every browser test drives the same production bundle a user gets.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..')
  const index = path.join(root, 'out/renderer/index.html')
  if (process.env.RESEG_E2E_SKIP_BUILD === '1' && fs.existsSync(index)) return
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
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
}
