/**
 * Tests are hermetic: a user's registered models, credentials, keys and data folder do not change what the
 * tests see. Plants a bogus installation, shows that the code outside the test runner reads it (so the
 * planted files are where the code looks), then runs the probe tests under vitest with the same environment
 * and shows they still pass.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const user = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-bogus-user-'))
afterAll(() => fs.rmSync(user, { recursive: true, force: true }))

/** An environment as a user's shell might have it, with everything pointing at a bogus installation. */
function pollutedEnv(): NodeJS.ProcessEnv {
  const models = path.join(user, 'models')
  fs.mkdirSync(models, { recursive: true })
  for (const f of ['enc.onnx', 'dec.onnx']) fs.writeFileSync(path.join(models, f), 'not a model')
  fs.writeFileSync(
    path.join(models, 'user-models.json'),
    JSON.stringify({
      version: 1,
      models: [
        {
          id: 'bogus-user-model',
          label: 'Bogus',
          family: 'sam',
          encoderPath: path.join(models, 'enc.onnx'),
          decoderPath: path.join(models, 'dec.onnx'),
          inputSize: 1024,
          addedAt: '2026-01-01T00:00:00Z',
        },
      ],
    }),
  )
  const credentials = path.join(user, 'config', 'reseg', 'credentials.json')
  fs.mkdirSync(path.dirname(credentials), { recursive: true })
  fs.writeFileSync(credentials, JSON.stringify({ version: 1, keys: { local: 'user-file-key' } }), {
    mode: 0o600,
  })
  const env: NodeJS.ProcessEnv = {}
  // Start from this process's environment minus what the test runner set, as a plain shell would have it.
  for (const [k, v] of Object.entries(process.env))
    if (
      !k.startsWith('RESEG_') &&
      !k.startsWith('VITEST') &&
      k !== 'XDG_CONFIG_HOME' &&
      k !== 'XDG_DATA_HOME'
    )
      env[k] = v
  return {
    ...env,
    NODE_ENV: 'development',
    RESEG_MODELS_DIR: models,
    RESEG_CREDENTIALS_FILE: credentials,
    XDG_CONFIG_HOME: path.join(user, 'config'),
    RESEG_DATA_DIR: path.join(user, 'data'),
    RESEG_API_KEY_LOCAL: 'user-env-key',
    HF_TOKEN: 'user-hf-token',
  }
}

describe('hermetic tests', () => {
  it('run with their own folders and none of the user keys', () => {
    const home = process.env.RESEG_TEST_HOME!
    expect(fs.realpathSync(home).startsWith(fs.realpathSync(os.tmpdir()))).toBe(true)
    for (const k of ['RESEG_DATA_DIR', 'RESEG_MODELS_DIR', 'RESEG_CREDENTIALS_FILE', 'XDG_CONFIG_HOME'])
      expect(process.env[k]!.startsWith(home + path.sep), k).toBe(true)
    expect(Object.keys(process.env).filter((k) => /^RESEG_API_KEY|^HF_TOKEN$/.test(k))).toEqual([])
  })

  it('ignore a bogus user catalogue, credentials and data folder that the code itself would read', () => {
    const env = pollutedEnv()
    // Outside the test runner the planted installation is what the code sees.
    const probe = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { listOnnxModels } from './src/main/engine/onnx/manifest.ts'
         import { resolveApiKey } from './src/main/reason/credentials.ts'
         import { userDataDir } from './src/main/appPaths.ts'
         console.log(JSON.stringify({
           user: listOnnxModels().filter((m) => m.origin === 'user').map((m) => [m.id, m.installed]),
           key: resolveApiKey('local'),
           fileKey: resolveApiKey('local', { RESEG_CREDENTIALS_FILE: process.env.RESEG_CREDENTIALS_FILE }),
           data: userDataDir(),
         }))`,
      ],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
    )
    expect(probe.stderr).toBe('')
    expect(JSON.parse(probe.stdout)).toEqual({
      user: [['bogus-user-model', true]],
      key: 'user-env-key',
      fileKey: 'user-file-key',
      data: env.RESEG_DATA_DIR,
    })

    // Under vitest, with the very same environment, the probe tests see none of it and pass.
    const report = path.join(user, 'report.json')
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--project',
        'unit',
        'test/unit/hermeticProbe.test.ts',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 },
    )
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as {
      numPassedTests: number
      numFailedTests: number
    }
    expect({ passed: result.numPassedTests, failed: result.numFailedTests }, run.stdout + run.stderr).toEqual(
      {
        passed: 2,
        failed: 0,
      },
    )
    // The run removed its own temp folder and left the planted installation alone.
    expect(fs.readdirSync(path.join(user, 'models')).sort()).toEqual([
      'dec.onnx',
      'enc.onnx',
      'user-models.json',
    ])
  }, 120_000)
})
