/**
 * The one place that knows where the GrabCut worker's code lives (the dev/bundle seam).
 *
 * - Dev, CLI and tests run TypeScript under tsx: the worker is worker.ts. A worker thread does not
 *   inherit tsx's loader (and `execArgv: ['--import', 'tsx']` is not honoured for workers on Node 20),
 *   so a tiny ESM eval bootstrap registers tsx's ESM hooks inside the worker, then imports the entry.
 * - The electron-vite bundle: electron.vite.config.ts `main.build.rollupOptions.input` gets
 *   `grabcutWorker: 'src/main/engine/grabcut/worker.ts'`, giving out/main/grabcutWorker.js beside the
 *   main bundle (@techstark/opencv-js stays external, loaded from node_modules).
 * - `RESEG_GRABCUT_WORKER=/abs/path/to/grabcutWorker.js` overrides both.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

export function spawnGrabCutWorker(): Worker {
  const override = process.env.RESEG_GRABCUT_WORKER
  if (override) return new Worker(override)
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    // The ESM build of tsx's API, located from its package.json (its `require` export is a CJS wrapper
    // that cannot be imported from an ESM eval script).
    const tsxDir = path.dirname(createRequire(here).resolve('tsx/package.json'))
    const tsxApi = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href
    const entry = new URL('./worker.ts', here).href
    const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })`
    return new Worker(boot, { eval: true })
  }
  for (const name of ['./grabcutWorker.js', './grabcutWorker.mjs', './grabcutWorker.cjs']) {
    const url = new URL(name, here)
    if (existsSync(fileURLToPath(url))) return new Worker(url)
  }
  throw new Error(
    `GrabCut worker not found beside ${fileURLToPath(here)}: add grabcutWorker to the electron-vite main inputs or set RESEG_GRABCUT_WORKER`,
  )
}
