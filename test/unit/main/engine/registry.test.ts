import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { availableProviders } from '../../../../src/main/engine/onnx/index'
import { createEngine } from '../../../../src/main/engine/registry'
import { fakeSource } from '../../../fixtures/fakeSegmenter'
import { tinySamManifestEntry, useTestModelCatalogue, writeTinyModel } from '../../../fixtures/onnxModels'

describe('createEngine', () => {
  it('always lists the GrabCut baseline and uses it when no SAM model is installed', async () => {
    const engine = createEngine({ sources: [] })
    await engine.ready
    expect(engine.listModels()).toEqual([
      {
        id: 'grabcut-baseline',
        label: 'GrabCut baseline (not SAM)',
        family: 'grabcut',
        isBaseline: true,
        provider: 'wasm',
      },
    ])
    expect(engine.defaultModelId).toBe('grabcut-baseline')
    expect(engine.status()).toEqual({
      modelId: 'grabcut-baseline',
      label: 'GrabCut baseline (not SAM)',
      provider: 'wasm',
      isBaseline: true,
    })
    await engine.dispose()
  })

  it('knows its models and default the moment it exists, before `ready`', () => {
    const engine = createEngine({ sources: [fakeSource(['sam-b'])] })
    expect(engine.listModels().map((m) => m.id)).toEqual(['grabcut-baseline', 'sam-b'])
    expect(engine.defaultModelId).toBe('sam-b')
  })

  it('defaults to the first installed SAM model and reuses one segmenter per model', async () => {
    const source = fakeSource(['sam-b', 'sam2-t'], { provider: 'cuda' })
    const engine = createEngine({ sources: [source] })
    await engine.ready
    expect(engine.listModels().map((m) => m.id)).toEqual(['grabcut-baseline', 'sam-b', 'sam2-t'])
    expect(engine.defaultModelId).toBe('sam-b')
    expect(engine.selectedModelId).toBe('sam-b')
    // Listed with the provider it asked for; once loaded, the one it got.
    expect(engine.status().provider).toBe('cpu')
    const a = await engine.getSegmenter()
    const b = await engine.getSegmenter('sam-b')
    expect(a).toBe(b)
    expect(source.created).toHaveLength(1)
    expect(engine.status()).toEqual({
      modelId: 'sam-b',
      label: 'Fake SAM sam-b',
      provider: 'cuda',
      isBaseline: false,
    })
    expect(engine.listModels()[1].provider).toBe('cuda')

    expect(engine.select('grabcut-baseline').isBaseline).toBe(true)
    expect((await engine.getSegmenter()).info.id).toBe('grabcut-baseline')
    await engine.dispose()
    expect(source.created[0].disposed).toBe(true)
  })

  it('names the available models when asked for an unknown one', async () => {
    const engine = createEngine({ sources: [fakeSource(['sam-b'])] })
    await expect(engine.getSegmenter('mobile-sam')).rejects.toMatchObject({
      code: 'not_found',
      message: "no segmentation model 'mobile-sam'; available: grabcut-baseline, sam-b",
    })
    await engine.ready
    expect(() => engine.select('nope')).toThrow(/available: grabcut-baseline, sam-b/)
  })

  it('keeps the baseline when a model source is broken, and says why', async () => {
    const engine = createEngine({
      sources: [fakeSource([], { fail: 'models/manifest.json line 3: bad JSON' })],
    })
    await engine.ready
    expect(engine.listModels().map((m) => m.id)).toEqual(['grabcut-baseline'])
    expect(engine.warnings).toEqual(['fake: could not list models: models/manifest.json line 3: bad JSON'])
  })

  it('refresh picks up a newly installed model and keeps an explicit selection', async () => {
    const ids: string[] = []
    const source = fakeSource(ids)
    const engine = createEngine({ sources: [source] })
    await engine.ready
    expect(engine.defaultModelId).toBe('grabcut-baseline')
    ids.push('sam-b')
    await engine.refresh()
    expect(engine.defaultModelId).toBe('sam-b')
    expect(engine.selectedModelId).toBe('sam-b')
    engine.select('grabcut-baseline')
    ids.push('sam-l')
    await engine.refresh()
    expect(engine.selectedModelId).toBe('grabcut-baseline')
    // A model that disappears loses its live segmenter.
    await engine.getSegmenter('sam-b')
    ids.splice(0, 1)
    await engine.refresh()
    expect(source.created[0].disposed).toBe(true)
    expect(engine.listModels().map((m) => m.id)).toEqual(['grabcut-baseline', 'sam-l'])
  })
})

describe('onnx model source', () => {
  let root: string
  let restoreEnv: () => void

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'reseg-registry-'))
    // Two manifest models; only 'tiny-sam' has its files.
    restoreEnv = useTestModelCatalogue(root, [
      tinySamManifestEntry('tiny-sam'),
      tinySamManifestEntry('absent-sam'),
    ])
    writeTinyModel(join(root, 'weights', 'tiny-sam'), 'sam')
  })
  afterAll(() => {
    restoreEnv()
    rmSync(root, { recursive: true, force: true })
  })

  it('lists installed ONNX models after the baseline and makes the first one the default', async () => {
    const engine = createEngine({ projectDir: join(root, 'project'), provider: 'cpu' })
    await engine.ready
    expect(engine.warnings).toEqual([])
    expect(engine.listModels()).toEqual([
      expect.objectContaining({ id: 'grabcut-baseline' }),
      { id: 'tiny-sam', label: 'Tiny SAM tiny-sam', family: 'sam', isBaseline: false, provider: 'cpu' },
    ])
    expect(engine.defaultModelId).toBe('tiny-sam')
    const seg = await engine.getSegmenter()
    expect(seg.info).toMatchObject({ id: 'tiny-sam', isBaseline: false, provider: 'cpu' })
    const image = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) }
    const r = await seg.segment('img', image, { box: [10, 8, 40, 30], points: [] })
    expect([r.mask.h, r.mask.w]).toEqual([48, 64])
    await engine.dispose()
  })

  it("tells which provider an 'auto' request will get once onnxruntime-node has been asked", async () => {
    const engine = createEngine()
    expect(engine.listModels()[1]).toMatchObject({ id: 'tiny-sam', provider: 'auto' })
    await engine.ready
    // On Linux 'auto' means CUDA when its provider files are installed, else CPU (the offline install).
    const gpu =
      process.platform === 'linux' && availableProviders().some((p) => p.name === 'cuda' && p.usable)
    const expected = gpu ? 'cuda' : 'cpu'
    expect(engine.listModels()[1]).toMatchObject({ id: 'tiny-sam', provider: expected })
    expect(engine.status()).toMatchObject({ modelId: 'tiny-sam', provider: expected, isBaseline: false })
  })

  it('reports an unknown provider as a warning and keeps the baseline', async () => {
    const engine = createEngine({ provider: 'tpu' })
    expect(engine.listModels().map((m) => m.id)).toEqual(['grabcut-baseline'])
    expect(engine.warnings[0]).toMatch(/unknown execution provider 'tpu'/)
  })
})
