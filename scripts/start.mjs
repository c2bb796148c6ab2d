#!/usr/bin/env node
/**
 * `npm start [-- --project DIR]`: opens a project (default: the demo, created on first run in the user
 * data folder) in the desktop app where the Electron binary is installed, and otherwise builds the
 * renderer and serves it to a browser, printing the URL. With CI=true it starts, checks that the page
 * and the API answer, and exits, so CI can run the README's set-up command as written.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildRenderer, rendererIsFresh } from './buildRenderer.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const args = process.argv.slice(2)
const ci = Boolean(process.env.CI)

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    console.error(`start: '${[cmd, ...cmdArgs].join(' ')}' failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
}

function electronBinary() {
  try {
    const p = require('electron')
    return typeof p === 'string' && fs.existsSync(p) ? p : null
  } catch {
    return null
  }
}

const reseg = (cmdArgs, opts) => run(process.execPath, [path.join(root, 'bin/reseg.mjs'), ...cmdArgs], opts)

const electron = electronBinary()
if (electron && !ci) {
  if (!fs.existsSync(path.join(root, '.electron-native/better_sqlite3.node')))
    run(process.execPath, ['scripts/buildElectronNative.mjs'])
  run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'])
  const child = spawn(electron, ['.', ...args], { cwd: root, stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  if (!electron)
    console.error('start: Electron is not installed here, so the app opens in your browser instead.')
  if (!rendererIsFresh()) buildRenderer()
  const i = args.indexOf('--project')
  let project = i >= 0 ? args[i + 1] : null
  if (!project) {
    const out = spawnSync(process.execPath, [path.join(root, 'bin/reseg.mjs'), 'paths', '--demo'], {
      cwd: root,
      encoding: 'utf8',
    })
    project = out.stdout.trim()
    if (!fs.existsSync(path.join(project, 'project.sqlite'))) {
      console.error(`start: creating the demo project in ${project}`)
      reseg(['demo', '--project', project])
    }
    const report = path.join(project, 'reports', 'demo-report.html')
    if (!fs.existsSync(report)) {
      // The main job's deliverable: stage attribution (oracle boxes through the default segmenter) and
      // the error-analysis report comparing the demo's two runs.
      console.error('start: attributing failures to stages and writing the demo report')
      reseg(['analyze', 'stages', '--project', project, '--run', 'seg-zero-7b'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      fs.mkdirSync(path.dirname(report), { recursive: true })
      reseg([
        'export',
        '--project',
        project,
        '--run',
        'seg-zero-7b',
        '--compare',
        'visionreasoner-7b',
        '--format',
        'html',
        '--out',
        report,
      ])
      console.error(`start: report written to ${report}`)
    }
  }
  reseg(['serve', '--project', project, ...(ci ? ['--check'] : [])])
}
