import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeTinyModel } from '../../../fixtures/onnxModels'

const root = mkdtempSync(join(tmpdir(), 'reseg-cli-models-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function reseg(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, RESEG_MODELS_DIR: join(root, 'weights') },
    timeout: 60_000,
  })
}

describe('reseg models', () => {
  it('add registers a folder, list and doctor --probe show it with its provider', () => {
    writeTinyModel(join(root, 'export'), 'hf-sam')
    const add = reseg('models', 'add', join(root, 'export'), '--id', 'mine')
    expect(add.stderr).toBe('')
    expect(add.stdout).toMatch(/^added 'mine' \(hf-sam\)/)
    const list = JSON.parse(reseg('models', 'list', '--json').stdout) as {
      id: string
      installed: boolean
      origin: string
    }[]
    expect(list.find((m) => m.id === 'mine')).toMatchObject({ installed: true, origin: 'user' })
    expect(list.find((m) => m.id === 'sam-vit-b')).toMatchObject({ installed: false, origin: 'manifest' })
    const doctor = JSON.parse(reseg('models', 'doctor', '--json', '--probe', '--provider', 'cpu').stdout) as {
      providers: { name: string; usable: boolean }[]
      models: { id: string; probe?: { provider?: string } }[]
    }
    expect(doctor.providers.find((p) => p.name === 'cpu')?.usable).toBe(true)
    expect(doctor.models.find((m) => m.id === 'mine')?.probe?.provider).toBe('cpu')
  })

  it('add exits non-zero with one line naming the folder when nothing fits', () => {
    const r = reseg('models', 'add', join(root, 'missing'))
    expect(r.status).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/missing: cannot read folder/)
  })
})
