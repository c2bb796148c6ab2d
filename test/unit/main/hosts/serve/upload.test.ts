/**
 * The serve host's /upload route behind the import form's drop zone: the token and the admin role are
 * required, names that are paths are refused, the file lands in <project>/imports byte for byte (never
 * replacing an earlier upload), an upload over the limit gets a 413 and leaves nothing behind, and the
 * staged file previews through the API like any other.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServeHost, type ServeHandle } from '../../../../../src/main/hosts/serve/server'
import { addUser } from '../../../../../src/main/lab/users'
import type { Project } from '../../../../../src/main/store/project'
import { pngOfSize } from '../../../../fixtures/duckdbParquet'
import { makeRunProject } from '../../../../fixtures/runProject'

let project: Project
let served: ServeHandle
let annotatorToken: string
let staging: string

beforeAll(async () => {
  project = makeRunProject([{ imageId: 'img1', annId: '1', rows: ['#..', '#..'] }])
  const rendererDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-up-r-')), 'renderer')
  fs.mkdirSync(rendererDir)
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>')
  annotatorToken = (await addUser(project.db, 'ana', 'annotator')).token
  served = await startServeHost({ project, rendererDir, maxUploadBytes: 1000 })
  staging = path.join(project.dir, 'imports')
})
afterAll(async () => {
  await served.close()
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
})

function upload(
  name: string | null,
  body: Buffer | string | Uint8Array,
  token: string | null = served.token,
  folder?: string,
) {
  const q =
    (name === null ? '' : `?name=${encodeURIComponent(name)}`) +
    (folder === undefined ? '' : `&folder=${encodeURIComponent(folder)}`)
  return fetch(`${served.baseUrl}/upload${q}`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body,
  })
}

const LINE =
  JSON.stringify({ image_id: 'img1', ann_id: '1', mask: { size: [2, 3], counts: [0, 2, 4] } }) + '\n'

describe('/upload', () => {
  it('needs the token, and the admin role', async () => {
    expect((await upload('a.jsonl', LINE, null)).status).toBe(401)
    expect((await upload('a.jsonl', LINE, 'wrong')).status).toBe(401)
    const r = await upload('a.jsonl', LINE, annotatorToken)
    expect(r.status).toBe(403)
    expect(fs.existsSync(path.join(staging, 'a.jsonl'))).toBe(false)
  })

  it.each([
    ['../evil.jsonl', 'a file name, not a path'],
    ['x%2F..%2Fevil.jsonl', 'letters, digits'],
    ['sub/run.jsonl', 'a file name, not a path'],
    ['..\\evil.jsonl', 'a file name, not a path'],
    ['.hidden.jsonl', 'hidden names'],
    ['run.sh', 'only .jsonl, .json, .parquet'],
    ['', 'needs a file name'],
  ])('refuses the name %j (%s) and writes nothing', async (name, why) => {
    const before = fs.existsSync(staging) ? fs.readdirSync(staging) : []
    const r = await upload(name, LINE)
    expect(r.status).toBe(400)
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain(why)
    expect(fs.existsSync(path.join(path.dirname(project.dir), 'evil.jsonl'))).toBe(false)
    expect(fs.existsSync(staging) ? fs.readdirSync(staging) : []).toEqual(before)
  })

  it('stores the body in <project>/imports byte for byte and never replaces an earlier upload', async () => {
    const r1 = await upload('run.jsonl', LINE)
    expect(r1.status).toBe(200)
    const first = path.join(staging, 'run.jsonl')
    expect(await r1.json()).toEqual({
      ok: true,
      value: { path: first, size: Buffer.byteLength(LINE), folder: null },
    })
    expect(fs.readFileSync(first, 'utf8')).toBe(LINE)
    const r2 = await upload('run.jsonl', 'second')
    expect(await r2.json()).toMatchObject({ value: { path: path.join(staging, 'run-2.jsonl'), size: 6 } })
    expect(fs.readFileSync(first, 'utf8')).toBe(LINE)

    // The staged file goes through the same preview as one picked in the folder browser.
    const res = await fetch(`${served.baseUrl}/api/previewImport`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${served.token}` },
      body: JSON.stringify({ kind: 'run', path: first }),
    })
    expect(await res.json()).toMatchObject({
      ok: true,
      value: { total: 1, problems: [], rows: [{ line: 1, imageId: 'img1', annId: '1', iou: 1 }] },
    })
  })

  it('answers 413 over the limit, declared or streamed, and leaves no file', async () => {
    const before = fs.readdirSync(staging)
    const big = Buffer.alloc(1001, 'x')
    const declared = await upload('big.jsonl', big)
    expect(declared.status).toBe(413)
    // Without a length up front the body is counted as it streams.
    const streamed = await fetch(`${served.baseUrl}/upload?name=big.jsonl`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}` },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(300))
          c.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(fs.readdirSync(staging)).toEqual(before)
  })

  it('keeps the JSON API limit for /api (uploads are the only raised limit)', async () => {
    const res = await fetch(`${served.baseUrl}/api/getProjectInfo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${served.token}` },
      body: JSON.stringify({ pad: 'x'.repeat(33 * 1024 * 1024) }),
    })
    expect(res.status).toBe(413)
  })

  it('stores a dropped folder file by file under imports/<folder>, once, and it previews as a dataset', async () => {
    const png = await pngOfSize(8, 6)
    const ann = JSON.stringify({
      text: ['the box'],
      is_sentence: false,
      shapes: [
        {
          label: 'target',
          points: [
            [1, 1],
            [5, 1],
            [5, 3],
            [1, 3],
          ],
        },
      ],
    })
    const a = await upload('a.png', png, served.token, 'lisa drop')
    const folder = path.join(staging, 'lisa drop')
    expect(await a.json()).toEqual({
      ok: true,
      value: { path: path.join(folder, 'a.png'), size: png.length, folder },
    })
    expect((await upload('a.json', ann, served.token, 'lisa drop')).status).toBe(200)
    // Sub-folders of the dropped folder are kept.
    expect((await upload('notes/extra.json', '{}', served.token, 'lisa drop')).status).toBe(200)
    expect(fs.readFileSync(path.join(folder, 'notes', 'extra.json'), 'utf8')).toBe('{}')
    expect(fs.readFileSync(path.join(folder, 'a.png'))).toEqual(Buffer.from(png))
    // The same file again is a conflict: a folder is uploaded once.
    const again = await upload('a.png', png, served.token, 'lisa drop')
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ ok: false, error: { code: 'conflict' } })

    const res = await fetch(`${served.baseUrl}/api/previewImport`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${served.token}` },
      body: JSON.stringify({ kind: 'dataset', path: folder }),
    })
    expect(await res.json()).toMatchObject({
      ok: true,
      value: { format: 'lisa', problems: [], rows: [{ imageId: 'a', query: 'the box', maskArea: 15 }] },
    })
  })

  it.each([
    ['..', 'x.png', 'a file name, not a path'],
    ['ok', '../x.png', 'a file name, not a path'],
    ['ok', 'a/../../x.png', 'a file name, not a path'],
    ['ok', '/abs.png', 'letters, digits'],
    ['ok', 'a/.git/x.json', 'hidden names'],
    ['ok', 'run.sh', 'only .jsonl'],
    ['ok', 'a/b/c/d/e/f.png', 'nested too deep'],
  ])('refuses folder %j with file %j (%s)', async (folder, name, why) => {
    const r = await upload(name, 'x', served.token, folder)
    expect(r.status).toBe(400)
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain(why)
    expect(fs.existsSync(path.join(staging, 'ok'))).toBe(false)
  })
})
