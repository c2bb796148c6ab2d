/**
 * Execution providers: which ones the installed onnxruntime-node can use on this machine, and the
 * ordered list to try for a request ('auto' prefers the platform's GPU provider). The session worker
 * tries them in order and reports the one that loaded; every skipped or failed provider comes with a
 * reason the user can read (`reseg models doctor`, the UI status bar).
 *
 * GPU note: the npm registry package ships CPU (+ WebGPU) only on Linux. CUDA 12 users install the CUDA
 * provider files with `npm install --onnxruntime-node-install=cuda12` (this repo's .npmrc skips that
 * download so offline installs succeed). DirectML (Windows) and CoreML (macOS) are bundled.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as ort from 'onnxruntime-node'

export type ProviderRequest = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml'

export interface ProviderStatus {
  name: 'cpu' | 'cuda' | 'dml' | 'coreml'
  usable: boolean
  /** Why it is not usable (or a note on how it was found). */
  reason: string
}

const PLATFORM_OF: Record<ProviderStatus['name'], NodeJS.Platform[]> = {
  cpu: ['linux', 'win32', 'darwin'],
  cuda: ['linux', 'win32'],
  dml: ['win32'],
  coreml: ['darwin'],
}

function bindingDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json')
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch)
  } catch {
    return undefined
  }
}

function cudaLibraryPresent(): boolean {
  const dir = bindingDir()
  if (!dir) return false
  const lib =
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'
  return existsSync(join(dir, lib))
}

/** Providers of interest and whether this install can use them here. */
export function availableProviders(platform: NodeJS.Platform = process.platform): ProviderStatus[] {
  const listed = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]))
  return (['cpu', 'cuda', 'dml', 'coreml'] as const).map((name): ProviderStatus => {
    if (!PLATFORM_OF[name].includes(platform)) {
      return { name, usable: false, reason: `${name} is not available on ${platform}` }
    }
    if (!listed.has(name)) {
      return {
        name,
        usable: false,
        reason: `the installed onnxruntime-node ${ort.env.versions.common} has no ${name} backend on ${platform}/${process.arch}`,
      }
    }
    if (name === 'cuda' && !listed.get(name) && !cudaLibraryPresent()) {
      return {
        name,
        usable: false,
        reason:
          'CUDA provider files are not installed; reinstall with `npm install --onnxruntime-node-install=cuda12` (needs CUDA 12 + cuDNN 9)',
      }
    }
    return { name, usable: true, reason: listed.get(name) ? 'bundled' : 'provider files installed' }
  })
}

/**
 * Providers to try, in order, for a request, plus notes on anything requested but unusable. CPU is
 * always last, so a model always loads when its files are valid.
 */
export function providerCandidates(
  request: ProviderRequest,
  statuses: ProviderStatus[] = availableProviders(),
  platform: NodeJS.Platform = process.platform,
): { candidates: string[]; notes: string[] } {
  const status = new Map(statuses.map((s) => [s.name, s]))
  const notes: string[] = []
  let wanted: ProviderStatus['name'][]
  if (request === 'auto') {
    wanted = platform === 'darwin' ? ['coreml'] : platform === 'win32' ? ['cuda', 'dml'] : ['cuda']
  } else {
    wanted = request === 'cpu' ? [] : [request]
  }
  const candidates: string[] = []
  for (const name of wanted) {
    const s = status.get(name)
    if (s?.usable) candidates.push(name)
    else if (request !== 'auto')
      notes.push(`${name} requested but unavailable: ${s?.reason ?? 'unknown provider'}; using cpu`)
  }
  candidates.push('cpu')
  return { candidates, notes }
}
