/**
 * API keys for reasoning-model endpoints. Keys never go into a project (its database is shared, exported and
 * attached to bug reports); they come from, in order:
 *   1. the environment: `RESEG_API_KEY_<ENDPOINT>` (endpoint name upper-cased, other characters → `_`), then
 *      `RESEG_API_KEY` for every endpoint;
 *   2. the user's credentials file, `$XDG_CONFIG_HOME/reseg/credentials.json` (default
 *      `~/.config/reseg/credentials.json`, overridable with `RESEG_CREDENTIALS_FILE`), written with mode 0600 in
 *      a 0700 folder: `{ "version": 1, "keys": { "<endpoint>": "<key>" } }`.
 * No OS keychain: there is no keychain binding in the dependency set, and the file + environment cover servers
 * and CI as well as desktops.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { writeFileAtomic } from '../files/atomicWrite'

export interface KeySource {
  /** Where the key for this endpoint would come from; never the key itself. */
  source: 'env' | 'file' | 'none'
  /** The variable name or file path it was found in. */
  where: string | null
  /** A problem the user should fix (e.g. a credentials file readable by others). */
  warning: string | null
}

interface CredentialsFile {
  version: 1
  keys: Record<string, string>
}

export function envVarName(endpointName: string): string {
  return `RESEG_API_KEY_${endpointName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RESEG_CREDENTIALS_FILE) return env.RESEG_CREDENTIALS_FILE
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config')
  return path.join(base, 'reseg', 'credentials.json')
}

function readFile(file: string): { data: CredentialsFile; warning: string | null } {
  if (!fs.existsSync(file)) return { data: { version: 1, keys: {} }, warning: null }
  let warning: string | null = null
  if (process.platform !== 'win32') {
    const mode = fs.statSync(file).mode & 0o777
    if (mode & 0o077)
      warning = `${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    })
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!keys || typeof keys !== 'object' || Array.isArray(keys)) {
    throw new Error(`${file}: expected {"version": 1, "keys": {"<endpoint>": "<key>"}}`)
  }
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(keys)) if (typeof v === 'string') clean[k] = v
  return { data: { version: 1, keys: clean }, warning }
}

export function resolveApiKey(endpointName: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const specific = env[envVarName(endpointName)]
  if (specific) return specific
  if (env.RESEG_API_KEY) return env.RESEG_API_KEY
  return readFile(credentialsPath(env)).data.keys[endpointName] ?? null
}

export function describeKeySource(endpointName: string, env: NodeJS.ProcessEnv = process.env): KeySource {
  const name = envVarName(endpointName)
  if (env[name]) return { source: 'env', where: name, warning: null }
  if (env.RESEG_API_KEY) return { source: 'env', where: 'RESEG_API_KEY', warning: null }
  const file = credentialsPath(env)
  try {
    const { data, warning } = readFile(file)
    if (data.keys[endpointName]) return { source: 'file', where: file, warning }
    return { source: 'none', where: null, warning }
  } catch (err) {
    return { source: 'none', where: null, warning: err instanceof Error ? err.message : String(err) }
  }
}

/** Stores (or, with null, removes) an endpoint's key in the credentials file, keeping it 0600. */
export function storeApiKey(
  endpointName: string,
  key: string | null,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const file = credentialsPath(env)
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const { data } = readFile(file)
  if (key) data.keys[endpointName] = key
  else delete data.keys[endpointName]
  // A private temp file renamed into place: the key is never briefly world-readable, the file never half-written.
  writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 })
  return file
}

/** Removes an endpoint's key from the credentials file, touching the file only when it holds one. */
export function forgetApiKey(endpointName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = credentialsPath(env)
  if (!fs.existsSync(file)) return false
  if (!(endpointName in readFile(file).data.keys)) return false
  storeApiKey(endpointName, null, env)
  return true
}
