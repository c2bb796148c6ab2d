import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  credentialsPath,
  describeKeySource,
  envVarName,
  forgetApiKey,
  resolveApiKey,
  storeApiKey,
} from '../../../../src/main/reason/credentials'

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cred-test-'))
  return { XDG_CONFIG_HOME: dir, ...extra }
}

describe('API key lookup', () => {
  it('names the per-endpoint variable from the endpoint name', () => {
    expect(envVarName('local-vllm')).toBe('RESEG_API_KEY_LOCAL_VLLM')
    expect(envVarName('a.b_c')).toBe('RESEG_API_KEY_A_B_C')
  })

  it('prefers the endpoint variable, then RESEG_API_KEY, then the file', () => {
    const e = env()
    storeApiKey('ep', 'from-file', e)
    expect(resolveApiKey('ep', e)).toBe('from-file')
    expect(describeKeySource('ep', e)).toEqual({ source: 'file', where: credentialsPath(e), warning: null })
    e.RESEG_API_KEY = 'global'
    expect(resolveApiKey('ep', e)).toBe('global')
    e.RESEG_API_KEY_EP = 'specific'
    expect(resolveApiKey('ep', e)).toBe('specific')
    expect(describeKeySource('ep', e)).toEqual({ source: 'env', where: 'RESEG_API_KEY_EP', warning: null })
    expect(resolveApiKey('other', env())).toBeNull()
  })

  it('writes ~/.config/reseg/credentials.json with 0600 in a private folder, and forgets keys', () => {
    const e = env()
    const file = storeApiKey('ep', 'k1', e)
    expect(file).toBe(path.join(e.XDG_CONFIG_HOME!, 'reseg', 'credentials.json'))
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(file)).mode & 0o077).toBe(0)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1, keys: { ep: 'k1' } })
    storeApiKey('other', 'k2', e)
    expect(forgetApiKey('ep', e)).toBe(true)
    expect(forgetApiKey('ep', e)).toBe(false)
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).keys).toEqual({ other: 'k2' })
    expect(forgetApiKey('x', env())).toBe(false)
  })

  it('warns about a credentials file others can read, and names a malformed one', () => {
    const e = env()
    const file = storeApiKey('ep', 'k', e)
    fs.chmodSync(file, 0o644)
    expect(describeKeySource('ep', e).warning).toMatch(/readable by other users.*chmod 600/)
    fs.writeFileSync(file, '{not json')
    expect(describeKeySource('ep', e)).toMatchObject({
      source: 'none',
      warning: expect.stringMatching(/credentials\.json: not valid JSON/),
    })
    expect(() => resolveApiKey('ep', e)).toThrow(/credentials\.json/)
  })
})
