import react from '@vitejs/plugin-react'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import { resolve } from 'node:path'

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
  // Sandboxed preloads cannot require() packages, so everything it uses is bundled in.
  preload: {
    build: {
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
