/** `reseg export-dataset` as a user runs it: summary on stdout, progress on stderr, one-line refusals. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeExportProject, shapeSamples } from '../../../fixtures/exportProject'
import { tempDir } from '../../../fixtures/runProject'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

let projectDir: string
const tmp = tempDir('reseg-cli-export-')
beforeAll(async () => {
  const project = await makeExportProject(shapeSamples())
  projectDir = project.dir
  project.close()
})
afterAll(() => {
  fs.rmSync(path.dirname(projectDir), { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('reseg export-dataset', () => {
  it('exports, then refuses the same non-empty --out without --force, then replaces it with --force', () => {
    const out = path.join(tmp, 'lisa')
    const args = [
      'export-dataset',
      '--project',
      projectDir,
      '--dataset',
      'rs',
      '--format',
      'lisa',
      '--out',
      out,
    ]
    const first = reseg(...args, '--json')
    expect(first.stderr).toMatch(/export lisa: done in/)
    expect(first.status).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ format: 'lisa', gt: 'original', samples: 10, images: 9 })
    const again = reseg(...args)
    expect(again.status).toBe(1)
    expect(again.stderr.trim()).toBe(
      `reseg: ${out}: folder exists and is not empty; refusing to write into it (pass --force to replace it)`,
    )
    const forced = reseg(...args, '--force')
    expect(forced.status).toBe(0)
    expect(forced.stdout).toMatch(
      /^exported dataset 'rs' \(original GT\) as lisa: 10 samples, 9 images, 20 files in /,
    )
  })

  it('rejects an unknown format with exit code 2', () => {
    const r = reseg(
      'export-dataset',
      '--project',
      projectDir,
      '--dataset',
      'rs',
      '--format',
      'csv',
      '--out',
      'x',
    )
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/reseg export-dataset: .*csv/)
  })
})
