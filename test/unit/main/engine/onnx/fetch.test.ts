import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downloadFile, fetchModel } from '../../../../../src/main/engine/onnx/fetch'
import type { ManifestModel } from '../../../../../src/main/engine/onnx/manifest'

const root = mkdtempSync(join(tmpdir(), 'reseg-fetch-'))
const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 8)) & 255))
const sha = createHash('sha256').update(body).digest('hex')

/** Serves `body` with Range support; `mode` scripts misbehaviour per test. */
let mode: 'cut-first' | 'normal' | 'ignore-range' = 'normal'
const seen: (string | undefined)[] = []
let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.range)
    const m = req.headers.range?.match(/^bytes=(\d+)-$/)
    if (m && mode !== 'ignore-range') {
      const start = Number(m[1])
      if (start >= body.length) {
        res.writeHead(416).end()
        return
      }
      res.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      })
      res.end(body.subarray(start))
      return
    }
    res.writeHead(200, { 'content-length': body.length })
    if (mode === 'cut-first') {
      mode = 'normal'
      res.write(body.subarray(0, 120_000), () => setTimeout(() => res.destroy(), 20))
      return
    }
    res.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((r) => server.close(r))
  rmSync(root, { recursive: true, force: true })
})

describe('downloadFile', () => {
  it('resumes an interrupted download with a Range request and verifies the checksum', async () => {
    mode = 'cut-first'
    seen.length = 0
    const dest = join(root, 'a', 'model.onnx')
    await expect(downloadFile(`${base}/model.onnx`, dest, { sha256: sha })).rejects.toThrow(
      /run again to resume/,
    )
    const partial = statSync(`${dest}.part`).size
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(body.length)
    const progress: number[] = []
    const r = await downloadFile(`${base}/model.onnx`, dest, {
      sha256: sha,
      onProgress: (p) => progress.push(p.received),
    })
    expect(seen).toEqual([undefined, `bytes=${partial}-`])
    expect(r).toMatchObject({ sha256: sha, bytes: body.length, resumedFrom: partial, verified: true })
    expect(readFileSync(dest).equals(body)).toBe(true)
    expect(existsSync(`${dest}.part`)).toBe(false)
    expect(progress[progress.length - 1]).toBe(body.length)
    expect(progress[0]).toBeGreaterThan(partial)
  })

  it('starts over when the server ignores the Range header', async () => {
    mode = 'cut-first'
    const dest = join(root, 'b', 'model.onnx')
    await expect(downloadFile(`${base}/m`, dest, { sha256: sha })).rejects.toThrow()
    mode = 'ignore-range'
    const r = await downloadFile(`${base}/m`, dest, { sha256: sha })
    expect(r.resumedFrom).toBe(0)
    expect(readFileSync(dest).equals(body)).toBe(true)
    mode = 'normal'
  })

  it('rejects a checksum mismatch and leaves no file behind', async () => {
    const dest = join(root, 'c', 'model.onnx')
    await expect(downloadFile(`${base}/m`, dest, { sha256: '0'.repeat(64) })).rejects.toThrow(
      /SHA-256 mismatch: expected 0{64}, got [0-9a-f]{64}/,
    )
    expect(existsSync(dest)).toBe(false)
    expect(existsSync(`${dest}.part`)).toBe(false)
  })

  it('reports HTTP errors with the URL', async () => {
    const s404 = createServer((_req, res) => res.writeHead(404).end())
    await new Promise<void>((r) => s404.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(s404.address() as AddressInfo).port}/x.onnx`
    await expect(downloadFile(url, join(root, 'd', 'x.onnx'))).rejects.toThrow(`${url}: HTTP 404`)
    await new Promise((r) => s404.close(r))
  })
})

describe('fetchModel', () => {
  const model = (files: ManifestModel['files']): ManifestModel => ({
    id: 'tiny',
    label: 'tiny',
    family: 'sam',
    encoder: { file: 'e.onnx', inputs: [], outputs: [] },
    decoder: { file: 'd.onnx', inputs: [], outputs: [] },
    inputSize: 1024,
    resize: 'longest-side-pad',
    normalization: { scale: '0-255', mean: [0, 0, 0], std: [1, 1, 1] },
    license: 'test',
    files,
    source: 'export it with samexporter',
    verified: 'test',
  })

  it('downloads every file into <dir>/<id>/ and skips verified files on a second run', async () => {
    const dir = join(root, 'models')
    const m = model([
      { name: 'e.onnx', url: `${base}/e`, sha256: sha },
      { name: 'd.onnx', url: `${base}/d`, sha256: null },
    ])
    const lines: string[] = []
    const r = await fetchModel('tiny', { dir, models: [m], log: (l) => lines.push(l) })
    expect(r.map((x) => x.path)).toEqual([join(dir, 'tiny', 'e.onnx'), join(dir, 'tiny', 'd.onnx')])
    expect(lines[1]).toMatch(new RegExp(`d.onnx: 300000 bytes, SHA-256 ${sha} \\(no checksum`))
    const again = await fetchModel('tiny', { dir, models: [m], log: (l) => lines.push(l) })
    expect(again).toEqual([])
  })

  it('explains entries without a download URL and unknown ids', async () => {
    await expect(
      fetchModel('tiny', { dir: root, models: [model([{ name: 'e.onnx', url: null, sha256: null }])] }),
    ).rejects.toThrow(/no download for e.onnx: export it with samexporter/)
    await expect(fetchModel('nope', { dir: root, models: [] })).rejects.toThrow(/unknown model 'nope'/)
  })
})
