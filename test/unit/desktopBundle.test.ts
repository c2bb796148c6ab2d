/**
 * The desktop bundle, built exactly as `npm run build` does (electron-vite, into a scratch folder inside the
 * repository so the bundles resolve node_modules as out/ would): main, preload, both worker entries and the
 * renderer are emitted; each worker loads under plain Node and answers a real request; the preload requires
 * nothing but `electron` (sandboxed preloads cannot require packages) and exposes the API; the renderer's HTML
 * carries the CSP. Builds whether or not the `electron` package is installed (electron.vite.config.ts).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeRowMajor } from '../../src/shared/domain/rle'
import type { GrabCutReply, GrabCutRequest } from '../../src/main/engine/grabcut/protocol'
import type { WorkerRequest, WorkerResponse } from '../../src/main/engine/onnx/sessionProtocol'
import { methodNames } from '../../src/shared/contract'
import { writeTinyModel } from '../fixtures/onnxModels'
import { boxFill, looseBox, makeScene, maskIou } from '../fixtures/shapes'

const ROOT = path.resolve(import.meta.dirname, '../..')
const out = path.join(ROOT, '.cache', `desktop-bundle-${process.pid}`)

beforeAll(() => {
  fs.rmSync(out, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out],
    { cwd: ROOT, stdio: 'pipe', env: { ...process.env, ELECTRON_MAJOR_VER: '' } },
  )
}, 240_000)
afterAll(() => fs.rmSync(out, { recursive: true, force: true }))

/** Starts a bundled worker, sends one message, resolves with its first reply (or the worker's error). */
function ask<T>(file: string, msg: unknown): Promise<T> {
  const worker = new Worker(file)
  return new Promise<T>((resolve, reject) => {
    // The session worker says when a queued run starts before it answers; the answer is what counts.
    worker.on('message', (m: T & { started?: true }) => {
      if (m.started !== true) resolve(m)
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)))
    worker.postMessage(msg)
  }).finally(() => void worker.terminate())
}

describe('desktop bundle (electron-vite build)', () => {
  it('emits main, preload, both workers and the renderer', () => {
    for (const f of [
      'main/index.js',
      'main/sessionWorker.js',
      'main/grabcutWorker.js',
      'preload/index.cjs',
      'renderer/index.html',
    ])
      expect(fs.statSync(path.join(out, f)).size, f).toBeGreaterThan(0)
  })

  it('the GrabCut worker loads under plain Node and segments a square', async () => {
    // The GrabCut test's ellipse scene (0.99 IoU from the source worker there); box fill scores ~0.65.
    const W = 320
    const H = 240
    const scene = makeScene({
      width: W,
      height: H,
      shape: 'ellipse',
      seed: 1,
      cx: 0.45,
      radius: 0.28,
      noise: 40,
      contrast: 0.4,
    })
    const box = looseBox(scene.tightBox, 0.05, W, H)
    const req: GrabCutRequest = {
      id: 7,
      imageKey: 'ellipse',
      width: W,
      height: H,
      data: scene.image.data,
      prompt: { box, points: [] },
    }
    const reply = await ask<GrabCutReply>(path.join(out, 'main/grabcutWorker.js'), req)
    if (!reply.ok) throw new Error(reply.message)
    expect(reply.id).toBe(7)
    const mask = decodeRowMajor({ h: reply.h, w: reply.w, counts: reply.counts })
    expect(maskIou(mask, scene.object)).toBeGreaterThan(0.9)
    expect(maskIou(boxFill(box, W, H), scene.object)).toBeLessThan(0.8)
  }, 60_000)

  it('the ONNX session worker loads under plain Node and opens a model', async () => {
    const dir = path.join(out, 'tiny-model')
    const files = writeTinyModel(dir, 'sam')
    const req: WorkerRequest = {
      kind: 'open',
      id: 3,
      encoderPath: path.join(dir, files.encoder),
      decoderPath: path.join(dir, files.decoder),
      providers: ['cpu'],
    }
    const reply = await ask<Exclude<WorkerResponse, { started: true }>>(
      path.join(out, 'main/sessionWorker.js'),
      req,
    )
    if (!reply.ok) throw new Error(reply.error)
    expect(reply.value).toMatchObject({
      provider: 'cpu',
      encoder: { inputs: [{ name: 'input_image', shape: [1, 3, 1024, 1024] }] },
    })
  }, 60_000)

  it('the preload requires nothing but electron and exposes the API', () => {
    const code = fs.readFileSync(path.join(out, 'preload/index.cjs'), 'utf8')
    const required: string[] = []
    const exposed: Record<string, unknown> = {}
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, value: unknown) => (exposed[name] = value) },
      ipcRenderer: { invoke: () => Promise.resolve(), on: () => undefined, removeListener: () => undefined },
      webUtils: { getPathForFile: (f: { name: string }) => `/home/u/${f.name}` },
    }
    const module = { exports: {} }
    vm.runInNewContext(code, {
      require: (id: string) => {
        required.push(id)
        if (id !== 'electron') throw new Error(`the preload requires '${id}'`)
        return electron
      },
      module,
      exports: module.exports,
    })
    expect(required).toEqual(['electron'])
    expect((exposed.api as { methods: string[] }).methods).toEqual(methodNames)
    // A dropped file's disk path comes from Electron's webUtils (File.path is gone in sandboxed renderers).
    const api = exposed.api as { pathForFile(f: { name: string }): string }
    expect(api.pathForFile({ name: 'run.jsonl' })).toBe('/home/u/run.jsonl')
  })

  it("the renderer's HTML carries the CSP of src/renderer/index.html and its assets exist", () => {
    const html = fs.readFileSync(path.join(out, 'renderer/index.html'), 'utf8')
    const source = fs.readFileSync(path.join(ROOT, 'src/renderer/index.html'), 'utf8')
    const csp = (s: string) =>
      /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(s)?.[1] ?? null
    expect(csp(source)).toMatch(/default-src 'self'; script-src 'self'/)
    expect(csp(html)).toBe(csp(source))
    const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1])
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true)
    for (const a of assets) expect(fs.existsSync(path.join(out, 'renderer', a)), a).toBe(true)
  })
})
