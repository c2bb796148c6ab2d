/**
 * Fetches a dataset's parquet shards from the Hugging Face Hub (or any server speaking its file API:
 * `HF_ENDPOINT`): lists `data/` through `GET /api/datasets/<repo>/tree/main/data` (following the `Link:
 * rel="next"` pages), downloads `GET /datasets/<repo>/resolve/main/<path>` into a cache folder with
 * HTTP Range resume (also after a dropped connection), then checks the size and the LFS sha256 before
 * the file is used. A finished, verified file is never downloaded again.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { splitOfShard } from './hfParquet'

export interface HubFile {
  path: string
  size: number
  /** sha256 of the content (the LFS oid), when the hub reports one. */
  sha256: string | null
}

export interface HubOptions {
  endpoint?: string
  cacheDir?: string
  token?: string
  /** Attempts per file when the connection drops (each resumes where the last stopped). */
  retries?: number
  onProgress?: (file: string, done: number, total: number) => void
}

export function hubEndpoint(opts: HubOptions = {}): string {
  return (opts.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '')
}

export function defaultCacheDir(): string {
  return process.env.RESEG_HF_CACHE ?? path.join(os.homedir(), '.cache', 'reseg', 'hf')
}

/** `hf://owner/name` → `owner/name`. */
export function parseHfUri(uri: string): string {
  const m = /^hf:\/\/(?:datasets\/)?([\w.-]+\/[\w.-]+)\/?$/.exec(uri)
  if (!m) throw new Error(`${uri}: expected hf://<owner>/<dataset>`)
  return m[1]
}

function headers(opts: HubOptions, extra: Record<string, string> = {}): Record<string, string> {
  const token = opts.token ?? process.env.HF_TOKEN
  return token ? { authorization: `Bearer ${token}`, ...extra } : extra
}

interface TreeEntry {
  type: string
  path: string
  size: number
  oid?: string
  lfs?: { oid: string; size: number }
}

async function listTree(repo: string, sub: string, opts: HubOptions): Promise<TreeEntry[] | null> {
  const base = hubEndpoint(opts)
  let url: string | null = `${base}/api/datasets/${repo}/tree/main${sub ? `/${sub}` : ''}?recursive=true`
  const out: TreeEntry[] = []
  while (url) {
    const res = await fetch(url, { headers: headers(opts) })
    if (res.status === 404) return null
    if (!res.ok) throw new Error(`${url}: the hub answered ${res.status} ${res.statusText}`)
    const page = (await res.json()) as TreeEntry[]
    if (!Array.isArray(page)) throw new Error(`${url}: unexpected answer (not a list of files)`)
    out.push(...page)
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')
    url = next ? new URL(next[1], base).toString() : null
  }
  return out
}

/** The parquet shards of the repo (under data/, or anywhere if there is no data/), optionally one split. */
export async function listHubParquet(
  repo: string,
  split: string | null,
  opts: HubOptions = {},
): Promise<HubFile[]> {
  const entries = (await listTree(repo, 'data', opts)) ?? (await listTree(repo, '', opts))
  if (!entries) throw new Error(`hf://${repo}: dataset not found at ${hubEndpoint(opts)}`)
  let files = entries.filter((e) => e.type === 'file' && e.path.endsWith('.parquet'))
  if (split) files = files.filter((e) => splitOfShard(e.path) === split)
  if (files.length === 0)
    throw new Error(`hf://${repo}: no parquet files${split ? ` for split '${split}'` : ''}`)
  return files
    .map((e) => ({ path: e.path, size: e.lfs?.size ?? e.size, sha256: e.lfs?.oid ?? null }))
    .sort((a, b) => a.path.localeCompare(b.path))
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Downloads one file into the cache (resuming a partial download) and returns its verified path. */
export async function downloadHubFile(repo: string, file: HubFile, opts: HubOptions = {}): Promise<string> {
  const root = path.resolve(opts.cacheDir ?? defaultCacheDir(), repo.replace('/', '__'))
  const dest = path.join(root, file.path)
  // The path comes from the server's listing: a hostile HF_ENDPOINT must not write outside the cache.
  if (!dest.startsWith(root + path.sep))
    throw new Error(`hf://${repo}: the listing names '${file.path}', outside the dataset; not downloaded`)
  const part = `${dest}.part`
  if (fs.existsSync(dest) && fs.statSync(dest).size === file.size) return dest
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  const url = `${hubEndpoint(opts)}/datasets/${repo}/resolve/main/${file.path.split('/').map(encodeURIComponent).join('/')}`
  const attempts = (opts.retries ?? 5) + 1
  let lastError: unknown = null
  for (let attempt = 0; attempt < attempts; attempt++) {
    let have = fs.existsSync(part) ? fs.statSync(part).size : 0
    if (have > file.size) {
      fs.rmSync(part)
      have = 0
    }
    if (have === file.size) break
    try {
      const res = await fetch(url, { headers: headers(opts, have > 0 ? { range: `bytes=${have}-` } : {}) })
      if (res.status !== 200 && res.status !== 206)
        throw new Error(`${url}: the hub answered ${res.status} ${res.statusText}`)
      // A server that ignores Range sends the whole file again: start over.
      if (res.status === 200) have = 0
      const fd = fs.openSync(part, have === 0 ? 'w' : 'a')
      try {
        let done = have
        if (!res.body) throw new Error(`${url}: empty response`)
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          fs.writeSync(fd, chunk)
          done += chunk.length
          opts.onProgress?.(file.path, done, file.size)
        }
      } finally {
        fs.closeSync(fd)
      }
      lastError = null
    } catch (err) {
      lastError = err
      if (err instanceof Error && /answered (4\d\d)/.test(err.message)) throw err
    }
  }
  const got = fs.existsSync(part) ? fs.statSync(part).size : 0
  if (got !== file.size) {
    const why = lastError instanceof Error ? ` (${lastError.message})` : ''
    throw new Error(`${url}: downloaded ${got} of ${file.size} bytes after ${attempts} attempts${why}`)
  }
  if (file.sha256) {
    const sha = await sha256File(part)
    if (sha !== file.sha256) {
      fs.rmSync(part)
      throw new Error(
        `${url}: sha256 ${sha} does not match the hub's ${file.sha256}; the partial file was removed`,
      )
    }
  }
  fs.renameSync(part, dest)
  return dest
}

/** Lists and downloads every shard of a split; returns local paths in shard order. */
export async function fetchHubDataset(
  repo: string,
  split: string | null,
  opts: HubOptions = {},
): Promise<{ files: string[]; split: string | null }> {
  const files = await listHubParquet(repo, split, opts)
  const splits = [...new Set(files.map((f) => splitOfShard(f.path)))]
  if (splits.length > 1)
    throw new Error(`hf://${repo}: several splits (${splits.join(', ')}); choose one with --split`)
  const local: string[] = []
  for (const f of files) local.push(await downloadHubFile(repo, f, opts))
  return { files: local, split: splits[0] }
}
