/**
 * The one place that knows where the session worker's code lives (the dev/bundle seam).
 *
 * - Dev, CLI and tests run TypeScript under tsx: this file is `.../sessionWorker.ts`'s sibling and the
 *   worker starts from a tiny CommonJS eval script that installs tsx's require hook, then loads the .ts
 *   entry. (`execArgv: ['--import', 'tsx']` is not honoured for worker threads on Node 20, and tsx's ESM
 *   hooks cannot be registered from inside a worker there; the CJS hook works in any thread.)
 * - The electron-vite bundle: main is bundled to out/main/index.js, and the worker must be a second main
 *   entry built beside it — electron.vite.config.ts `main.build.rollupOptions.input` gets
 *   `sessionWorker: 'src/main/engine/onnx/sessionWorker.ts'`, giving out/main/sessionWorker.js.
 *   (electron-vite's `import p from './sessionWorker?modulePath'` would do the same, but that specifier
 *   cannot be resolved under tsx, so it would break the dev path this module also serves.)
 * - `RESEG_ONNX_WORKER=/abs/path/to/sessionWorker.js` overrides both.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

export function startSessionWorker(): Worker {
  const override = process.env.RESEG_ONNX_WORKER
  if (override) return new Worker(override)
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    const entry = fileURLToPath(new URL('./sessionWorker.ts', here))
    const tsxCjs = createRequire(here).resolve('tsx/cjs')
    return new Worker(`require(${JSON.stringify(tsxCjs)}); require(${JSON.stringify(entry)})`, { eval: true })
  }
  for (const name of ['./sessionWorker.js', './sessionWorker.mjs', './sessionWorker.cjs']) {
    const url = new URL(name, here)
    if (existsSync(fileURLToPath(url))) return new Worker(url)
  }
  throw new Error(
    `ONNX session worker not found beside ${fileURLToPath(here)}: add sessionWorker to the electron-vite main inputs or set RESEG_ONNX_WORKER`,
  )
}
