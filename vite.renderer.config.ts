import { defineConfig } from 'vite'
import config from './electron.vite.config.ts'

// The renderer alone, for the serve host and the browser tests: the same settings as electron-vite's
// renderer section, buildable where the Electron package is absent.
const renderer = (config as { renderer: Record<string, unknown> }).renderer
export default defineConfig(renderer)
