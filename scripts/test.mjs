#!/usr/bin/env node
/**
 * `npm test`: typecheck, lint, unit tests, then browser end-to-end tests (renderer built once, Debian
 * Chromium through the serve host). Ends with one summary line, 'tests: N passed, N failed'.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules/.bin', name)
const cacheDir = path.join(root, '.cache')
fs.mkdirSync(cacheDir, { recursive: true })

/**
 * Electron is an optional dependency: where its binary download fails, npm drops the whole package, and
 * with it the type declarations the Electron host is checked against. Unpack just the package (no
 * install script, so no binary) from the npm registry in that case.
 */
function ensureElectronTypes() {
  if (fs.existsSync(path.join(root, 'node_modules/electron/electron.d.ts'))) return
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).optionalDependencies
    .electron
  console.log(
    `electron ${version} is not installed (its binary download failed or was skipped); unpacking its types`,
  )
  const packed = spawnSync(
    'npm',
    ['pack', `electron@${version}`, '--pack-destination', cacheDir, '--silent'],
    { cwd: root, encoding: 'utf8' },
  )
  if (packed.status !== 0) throw new Error(`npm pack electron@${version} failed: ${packed.stderr}`)
  const tgz = path.join(cacheDir, packed.stdout.trim().split('\n').pop())
  fs.mkdirSync(path.join(root, 'node_modules/electron'), { recursive: true })
  const untar = spawnSync(
    'tar',
    ['-xzf', tgz, '-C', path.join(root, 'node_modules/electron'), '--strip-components=1'],
    { stdio: 'inherit' },
  )
  if (untar.status !== 0) throw new Error('could not unpack the electron package')
}
ensureElectronTypes()

const timings = []
function step(label, cmd, args) {
  const started = Date.now()
  console.log(`\n== ${label}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)}s`)
  return r.status === 0
}

const failures = []
if (!step('typecheck (node)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']))
  failures.push('typecheck (node)')
if (!step('typecheck (web)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']))
  failures.push('typecheck (web)')
if (!step('typecheck (e2e)', bin('tsc'), ['-p', 'tsconfig.e2e.json', '--noEmit']))
  failures.push('typecheck (e2e)')
if (!step('eslint', bin('eslint'), ['.'])) failures.push('eslint')
if (!step('prettier', bin('prettier'), ['--check', '.', '--log-level', 'warn'])) failures.push('prettier')

let passed = 0
let failed = 0
for (const project of ['unit', 'e2e']) {
  const report = path.join(cacheDir, `vitest-${project}.json`)
  fs.rmSync(report, { force: true })
  const ok = step(`vitest ${project}`, bin('vitest'), [
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ])
  if (fs.existsSync(report)) {
    const r = JSON.parse(fs.readFileSync(report, 'utf8'))
    passed += r.numPassedTests
    failed += r.numFailedTests
  }
  if (!ok) failures.push(`vitest ${project}`)
}

console.log(`\ntimings: ${timings.join(', ')}`)
if (failures.length > 0) console.log(`failed steps: ${failures.join(', ')}`)
console.log(`tests: ${passed} passed, ${failed} failed`)
process.exit(failures.length > 0 || failed > 0 || passed === 0 ? 1 : 0)
