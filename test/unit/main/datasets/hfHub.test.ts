/**
 * hf:// import against a local server that mimics the Hub's file API: paginated tree listing with LFS
 * oids, `resolve/main` downloads with Range support, a connection that drops mid-file, a wrong sha256.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadHubFile, listHubParquet, parseHfUri } from '../../../../src/main/datasets/hfHub'
import { importDataset } from '../../../../src/main/datasets/importDataset'
import { openProject } from '../../../../src/main/store/project'
import { writeWithDuckdb } from '../../../fixtures/duckdbParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-hf-'))
const grid = (rows: string[]): number[][] => rows.map((r) => [...r].map((c) => (c === '#' ? 1 : 0)))

interface Served {
  path: string
  bytes: Buffer
  /** sha256 the listing claims (defaults to the real one). */
  claimedSha?: string
}

const repos = new Map<string, Served[]>()
const log: { url: string; range: string | null; status: number }[] = []
/** Bytes after which the next download of a path has its connection cut (once per path). */
const dropAfter = new Map<string, number>()
let server: http.Server
let endpoint: string

beforeAll(async () => {
  const shard0 = path.join(tmp, 's0.parquet')
  const shard1 = path.join(tmp, 's1.parquet')
  await writeWithDuckdb(shard0, [{ imageId: 'i0', annId: '0', text: 'first', mask: grid(['##.', '.#.']) }])
  await writeWithDuckdb(shard1, [
    { imageId: 'i1', annId: '0', text: 'second', mask: grid(['.#', '##', '#.']) },
  ])
  repos.set('lab/reasonseg', [
    { path: 'data/test-00000-of-00002.parquet', bytes: fs.readFileSync(shard0) },
    { path: 'data/test-00001-of-00002.parquet', bytes: fs.readFileSync(shard1) },
  ])
  repos.set('lab/tampered', [
    { path: 'data/test-00000-of-00001.parquet', bytes: fs.readFileSync(shard0), claimedSha: 'ab'.repeat(32) },
  ])
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const range = req.headers.range ?? null
    const tree = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/main\/data$/.exec(url.pathname)
    const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(url.pathname)
    if (tree) {
      const files = repos.get(tree[1])
      if (!files) return end(404)
      // One entry per page, linked like the Hub's cursor pagination.
      const pageIndex = Number(url.searchParams.get('cursor') ?? 0)
      const f = files[pageIndex]
      const entry = {
        type: 'file',
        oid: crypto.createHash('sha1').update(f.bytes).digest('hex'),
        size: f.bytes.length,
        path: f.path,
        lfs: {
          oid: f.claimedSha ?? crypto.createHash('sha256').update(f.bytes).digest('hex'),
          size: f.bytes.length,
          pointerSize: 134,
        },
      }
      if (pageIndex + 1 < files.length) {
        res.setHeader(
          'link',
          `<${endpoint}/api/datasets/${tree[1]}/tree/main/data?recursive=true&cursor=${pageIndex + 1}>; rel="next"`,
        )
      }
      res.setHeader('content-type', 'application/json')
      log.push({ url: url.pathname, range, status: 200 })
      return res.end(JSON.stringify([entry]))
    }
    if (resolve) {
      const f = repos.get(resolve[1])?.find((x) => x.path === decodeURIComponent(resolve[2]))
      if (!f) return end(404)
      let start = 0
      const m = range ? /^bytes=(\d+)-$/.exec(range) : null
      if (m) start = Number(m[1])
      const body = f.bytes.subarray(start)
      const status = m ? 206 : 200
      log.push({ url: url.pathname, range, status })
      res.writeHead(status, {
        'content-length': body.length,
        ...(m ? { 'content-range': `bytes ${start}-${f.bytes.length - 1}/${f.bytes.length}` } : {}),
      })
      const cut = dropAfter.get(f.path)
      if (cut !== undefined) {
        dropAfter.delete(f.path)
        res.write(body.subarray(0, cut), () => res.destroy())
        return
      }
      return res.end(body)
    }
    return end(404)
    function end(code: number) {
      log.push({ url: url.pathname, range, status: code })
      res.writeHead(code)
      res.end()
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  process.env.HF_ENDPOINT = endpoint
})

afterAll(async () => {
  delete process.env.HF_ENDPOINT
  await new Promise<void>((r) => server.close(() => r()))
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('hf:// datasets', () => {
  it('parses hf:// URIs', () => {
    expect(parseHfUri('hf://Ricky06662/ReasonSeg_test')).toBe('Ricky06662/ReasonSeg_test')
    expect(() => parseHfUri('hf://just-a-name')).toThrow(/expected hf:\/\/<owner>\/<dataset>/)
  })

  it('lists every shard across paginated tree answers, with LFS sizes and sha256', async () => {
    const files = await listHubParquet('lab/reasonseg', 'test')
    expect(files.map((f) => f.path)).toEqual([
      'data/test-00000-of-00002.parquet',
      'data/test-00001-of-00002.parquet',
    ])
    expect(files[0].sha256).toBe(
      crypto.createHash('sha256').update(repos.get('lab/reasonseg')![0].bytes).digest('hex'),
    )
  })

  it('resumes with a Range request after the connection drops, verifies, then imports', async () => {
    const cacheDir = path.join(tmp, 'cache')
    const first = repos.get('lab/reasonseg')![0]
    dropAfter.set(first.path, 100)
    log.length = 0
    const project = openProject(path.join(tmp, 'proj'), { create: true })
    const r = await importDataset(project, 'hf://lab/reasonseg', { hub: { cacheDir } })
    expect(r).toMatchObject({ samples: 2, split: 'test', name: 'reasonseg-test', format: 'hf-parquet' })
    const downloads = log.filter((l) => l.url.endsWith(first.path))
    expect(downloads.map((d) => [d.range, d.status])).toEqual([
      [null, 200],
      ['bytes=100-', 206],
    ])
    const cached = path.join(cacheDir, 'lab__reasonseg', first.path)
    expect(Buffer.compare(fs.readFileSync(cached), first.bytes)).toBe(0)
    const queries = project.db.prepare('SELECT query FROM samples ORDER BY id').all() as { query: string }[]
    expect(queries.map((q) => q.query)).toEqual(['first', 'second'])
    project.close()

    // A second import of the same source uses the verified cache: no download at all.
    log.length = 0
    const again = openProject(path.join(tmp, 'proj2'), { create: true })
    await importDataset(again, 'hf://lab/reasonseg', { hub: { cacheDir } })
    expect(log.filter((l) => l.url.includes('/resolve/'))).toEqual([])
    again.close()
  })

  it('refuses a file whose sha256 differs from the listing and removes it; the project stays empty', async () => {
    const cacheDir = path.join(tmp, 'cache-bad')
    const project = openProject(path.join(tmp, 'proj-bad'), { create: true })
    await expect(importDataset(project, 'hf://lab/tampered', { hub: { cacheDir } })).rejects.toThrow(
      /resolve\/main\/data\/test-00000-of-00001\.parquet: sha256 [0-9a-f]{64} does not match the hub's abab/,
    )
    const left = fs.readdirSync(path.join(cacheDir, 'lab__tampered', 'data'))
    expect(left).toEqual([])
    expect((project.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n).toBe(0)
    project.close()
  })

  it('says which dataset is missing on the hub', async () => {
    await expect(
      downloadHubFile(
        'lab/none',
        { path: 'data/x.parquet', size: 1, sha256: null },
        { cacheDir: tmp, retries: 0 },
      ),
    ).rejects.toThrow(/lab\/none\/resolve\/main\/data\/x\.parquet: the hub answered 404/)
    await expect(listHubParquet('lab/none', null)).rejects.toThrow(/hf:\/\/lab\/none: dataset not found/)
  })

  it('refuses a listed path that climbs out of the cache folder, before any request', async () => {
    const cacheDir = path.join(tmp, 'cache-escape')
    const before = log.length
    for (const p of ['../../escape.parquet', 'data/../../../escape.parquet'])
      await expect(
        downloadHubFile('lab/reasonseg', { path: p, size: 1, sha256: null }, { cacheDir, retries: 0 }),
      ).rejects.toThrow(/outside the dataset/)
    expect(log.length).toBe(before)
  })
})
