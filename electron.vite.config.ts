import react from '@vitejs/plugin-react'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

/**
 * electron-vite picks the Node and Chrome build targets from Electron's major version, which it reads from the
 * installed `electron` package. npm drops that optional package when Electron's binary download fails, so fall
 * back to the exact version package.json pins (the one `npm ci` would have installed).
 */
function electronMajorVersion(): string {
  try {
    const installed = createRequire(import.meta.url).resolve('electron/package.json')
    return (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version: string }).version.split('.')[0]
  } catch {
    const pkg = JSON.parse(fs.readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as {
      optionalDependencies: { electron: string }
    }
    return pkg.optionalDependencies.electron.split('.')[0]
  }
}
process.env.ELECTRON_MAJOR_VER ||= electronMajorVersion()

// main and preload are bundled for the desktop app only; the renderer build (out/renderer) is the same
// bundle the serve host gives to a browser.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        // Worker threads load their own entry files from out/main (see src/main/engine/*/workerLocation.ts).
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          sessionWorker: resolve(import.meta.dirname, 'src/main/engine/onnx/sessionWorker.ts'),
          grabcutWorker: resolve(import.meta.dirname, 'src/main/engine/grabcut/worker.ts'),
        },
      },
    },
  },
  // Sandboxed preloads cannot require() packages, so everything it uses is bundled in (electron-vite
  // externalizes dependencies by default).
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      emptyOutDir: true,
      // One desktop bundle loaded from disk or loopback: chunk size is not a network concern here.
      chunkSizeWarningLimit: 4096,
      rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') },
    },
  },
})
