/**
 * Model downloads for `npm run models:fetch -- <id>`: each file of a manifest entry goes to
 * `<models dir>/<id>/<name>` through `<name>.part`, resuming an interrupted download with an HTTP Range
 * request, hashing as it goes, and renaming into place only when the SHA-256 matches the manifest.
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { loadManifest, modelsDir, type ManifestFile, type ManifestModel } from './manifest'

export interface DownloadProgress {
  file: string
  received: number
  /** Undefined when the server sends no length. */
  total?: number
}

export interface DownloadResult {
  path: string
  sha256: string
  bytes: number
  resumedFrom: number
  /** False when the manifest has no checksum for the file (the computed one is reported). */
  verified: boolean
}

async function hashFile(path: string): Promise<ReturnType<typeof createHash>> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h
}

/** Downloads `url` to `dest` (resuming `dest.part`), verifying `sha256` when given. */
export async function downloadFile(
  url: string,
  dest: string,
  opts: { sha256?: string | null; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {},
): Promise<DownloadResult> {
  await mkdir(dirname(dest), { recursive: true })
  const part = `${dest}.part`
  let offset = existsSync(part) ? statSync(part).size : 0
  const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {}
  const res = await fetch(url, { headers, signal: opts.signal, redirect: 'follow' })
  let hash: ReturnType<typeof createHash>
  if (offset > 0 && res.status === 416) {
    // The part file already holds the whole body.
    await res.body?.cancel()
    hash = await hashFile(part)
    return finish(part, dest, hash.digest('hex'), offset, offset, opts.sha256)
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`)
  const resumed =
    offset > 0 && res.status === 206 && contentRangeStart(res.headers.get('content-range')) === offset
  if (!resumed) offset = 0
  const resumedFrom = offset
  hash = resumed ? await hashFile(part) : createHash('sha256')
  const length = Number(res.headers.get('content-length') ?? NaN)
  const total = Number.isFinite(length) ? offset + length : undefined
  const file = await open(part, resumed ? 'a' : 'w')
  let received = offset
  try {
    if (!res.body) throw new Error(`${url}: empty response body`)
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      await file.write(chunk)
      hash.update(chunk)
      received += chunk.length
      opts.onProgress?.({ file: dest, received, total })
    }
  } catch (e) {
    throw new Error(
      `${url}: download interrupted at ${received} bytes (run again to resume): ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    )
  } finally {
    await file.close()
  }
  if (total !== undefined && received !== total) {
    throw new Error(`${url}: got ${received} of ${total} bytes (run again to resume)`)
  }
  return finish(part, dest, hash.digest('hex'), received, resumedFrom, opts.sha256)
}

async function finish(
  part: string,
  dest: string,
  sha: string,
  bytes: number,
  resumedFrom: number,
  expected?: string | null,
): Promise<DownloadResult> {
  if (expected && sha !== expected) {
    await rm(part, { force: true })
    throw new Error(
      `${dest}: SHA-256 mismatch: expected ${expected}, got ${sha} (the partial file was removed; run again)`,
    )
  }
  await rename(part, dest)
  return { path: dest, sha256: sha, bytes, resumedFrom, verified: Boolean(expected) }
}

function contentRangeStart(header: string | null): number | undefined {
  const m = header?.match(/^bytes (\d+)-/)
  return m ? Number(m[1]) : undefined
}

/** Files of a manifest entry, with where each goes. */
export function plannedFiles(
  model: ManifestModel,
  dir = modelsDir(),
): { file: ManifestFile; dest: string }[] {
  return model.files.map((file) => ({ file, dest: join(dir, model.id, file.name) }))
}

/** Fetches every file of manifest model `id` that is not already present (and verified). */
export async function fetchModel(
  id: string,
  opts: {
    dir?: string
    models?: ManifestModel[]
    onProgress?: (p: DownloadProgress) => void
    log?: (line: string) => void
    signal?: AbortSignal
  } = {},
): Promise<DownloadResult[]> {
  const models = opts.models ?? loadManifest()
  const model = models.find((m) => m.id === id)
  if (!model) throw new Error(`unknown model '${id}'; known: ${models.map((m) => m.id).join(', ')}`)
  const noUrl = model.files.filter((f) => !f.url)
  if (noUrl.length) {
    throw new Error(
      `model '${id}' has no download for ${noUrl.map((f) => f.name).join(', ')}: ${model.source}`,
    )
  }
  const log = opts.log ?? (() => {})
  const results: DownloadResult[] = []
  for (const { file, dest } of plannedFiles(model, opts.dir)) {
    if (existsSync(dest)) {
      const sha = (await hashFile(dest)).digest('hex')
      if (!file.sha256 || sha === file.sha256) {
        log(`${file.name}: already present`)
        continue
      }
      log(`${file.name}: present but its SHA-256 differs; downloading again`)
      await rm(dest)
    }
    const r = await downloadFile(file.url!, dest, {
      sha256: file.sha256,
      onProgress: opts.onProgress,
      signal: opts.signal,
    })
    log(
      r.verified
        ? `${file.name}: ${r.bytes} bytes, SHA-256 verified`
        : `${file.name}: ${r.bytes} bytes, SHA-256 ${r.sha256} (no checksum in the manifest; not verified)`,
    )
    results.push(r)
  }
  return results
}
