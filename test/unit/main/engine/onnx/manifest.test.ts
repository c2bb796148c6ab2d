import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FLAVOURS, ModelSignatureError } from '../../../../../src/main/engine/onnx/flavours'
import {
  listInstalledOnnxModels,
  listOnnxModels,
  loadManifest,
} from '../../../../../src/main/engine/onnx/manifest'
import { addUserModel } from '../../../../../src/main/engine/onnx/register'
import { createOnnxSegmenter } from '../../../../../src/main/engine/onnx/segmenter'
import {
  GraphBuilder,
  tinySamManifestEntry,
  useTestModelCatalogue,
  writeTinyModel,
} from '../../../../fixtures/onnxModels'

const root = mkdtempSync(join(tmpdir(), 'reseg-manifest-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('models/manifest.json', () => {
  const models = loadManifest(join(__dirname, '../../../../../models/manifest.json'))

  it('has SAM, SAM 2.1 and transformers.js entries with unique ids', () => {
    expect(new Set(models.map((m) => m.id)).size).toBe(models.length)
    expect(new Set(models.map((m) => m.family))).toEqual(
      new Set(['sam', 'sam2', 'hf-sam', 'hf-sam2', 'sam3']),
    )
  })

  it.each(
    loadManifest(join(__dirname, '../../../../../models/manifest.json'))
      .filter((m) => m.family !== 'sam3')
      .map((m) => [m.id, m] as const),
  )('%s lists the tensor names its flavour requires and ships its files', (_id, m) => {
    if (m.family === 'sam3') throw new Error('filtered above')
    const spec = FLAVOURS[m.family]
    for (const t of spec.decoder.inputs.filter((t) => !t.optional)) expect(m.decoder.inputs).toContain(t.name)
    for (const t of spec.decoder.outputs.filter((t) => !t.optional))
      expect(m.decoder.outputs).toContain(t.name)
    for (const t of spec.encoder.outputs) expect(m.encoder.outputs).toContain(t.name)
    const names = m.files.map((f) => f.name)
    expect(names).toContain(m.encoder.file)
    expect(names).toContain(m.decoder.file)
    expect(m.resize).toBe(spec.resize)
    for (const f of m.files) if (f.url) expect(f.url).toMatch(/^https:\/\//)
  })
})

describe('catalogue with RESEG_MODELS_DIR', () => {
  let dir: string
  let restoreEnv: () => void
  beforeEach(() => {
    dir = mkdtempSync(join(root, 'models-'))
    restoreEnv = useTestModelCatalogue(dir, [
      tinySamManifestEntry('tiny-sam', { scale: '0-255', mean: [1, 2, 3], std: [4, 5, 6] }),
    ])
  })
  afterEach(() => restoreEnv())

  it('lists manifest models as installed only when every file is present', async () => {
    expect(await listInstalledOnnxModels()).toEqual([])
    expect(listOnnxModels()[0].missing).toEqual(['encoder.onnx', 'decoder.onnx'])
    writeTinyModel(join(dir, 'weights', 'tiny-sam'), 'sam')
    const [m] = await listInstalledOnnxModels()
    expect(m).toMatchObject({
      id: 'tiny-sam',
      family: 'sam',
      origin: 'manifest',
      encoderPath: join(dir, 'weights', 'tiny-sam', 'encoder.onnx'),
      preprocess: { resize: 'longest-side-pad', size: 1024, mean: [1, 2, 3], std: [4, 5, 6] },
    })
  })

  it('reseg models add validates a folder, registers it, and the model then runs', async () => {
    const userDir = join(dir, 'my-export')
    writeTinyModel(userDir, 'sam2')
    const added = await addUserModel(userDir, { id: 'my-sam2' })
    expect(added).toMatchObject({ id: 'my-sam2', family: 'sam2', inputSize: 1024 })
    const installed = await listInstalledOnnxModels()
    const m = installed.find((x) => x.id === 'my-sam2')!
    expect(m.origin).toBe('user')
    expect(m.preprocess.resize).toBe('stretch')
    const seg = await createOnnxSegmenter(m, { provider: 'cpu' })
    try {
      const r = await seg.segment(
        'k',
        { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) },
        { box: [8, 8, 40, 30], points: [] },
      )
      expect(r.mask.w).toBe(64)
    } finally {
      await seg.dispose()
    }
  })

  it('names the missing tensor of a broken decoder', async () => {
    const userDir = join(dir, 'broken')
    writeTinyModel(userDir, 'sam')
    const g = new GraphBuilder()
    g.input('image_embeddings', 'float32', [1, 256, 64, 64])
    const c = g.input('point_coords', 'float32', [1, 'n', 2])
    g.input('mask_input', 'float32', [1, 1, 256, 256])
    g.input('has_mask_input', 'float32', [1])
    g.input('orig_im_size', 'float32', [2])
    g.op('Identity', [c], {}, 'masks')
    g.output('masks', 'float32', [1, 'n', 2])
    writeFileSync(join(userDir, 'decoder.onnx'), g.encode('broken'))
    await expect(addUserModel(userDir)).rejects.toThrow(
      /decoder\.onnx.*missing input 'point_labels' \(float32, rank 2\)/s,
    )
  })

  it('explains folders without a usable pair', async () => {
    const empty = join(dir, 'empty')
    mkdirSync(empty)
    await expect(addUserModel(empty)).rejects.toThrow(/no \.onnx files/)
    const onlyDecoder = join(dir, 'only-decoder')
    writeTinyModel(onlyDecoder, 'hf-sam')
    rmSync(join(onlyDecoder, 'vision_encoder.onnx'))
    await expect(addUserModel(onlyDecoder)).rejects.toThrow(
      /found a hf-sam decoder \(prompt_encoder_mask_decoder\.onnx\) but no matching hf-sam encoder/,
    )
  })

  it('rejects an encoder whose tensors do not fit the decoder flavour', async () => {
    const mixed = join(dir, 'mixed')
    writeTinyModel(mixed, 'sam2')
    const g = new GraphBuilder()
    const x = g.input('image', 'float32', [1, 3, 1024, 1024])
    g.op('Identity', [x], {}, 'high_res_feats_0')
    g.op('Identity', [x], {}, 'image_embed')
    g.output('high_res_feats_0', 'float32', [1, 3, 1024, 1024])
    g.output('image_embed', 'float32', [1, 3, 1024, 1024])
    writeFileSync(join(mixed, 'encoder.onnx'), g.encode('enc'))
    const err = await addUserModel(mixed, { encoder: 'encoder.onnx' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelSignatureError)
    expect(String(err)).toMatch(/encoder\.onnx \(sam2 encoder\): missing output 'high_res_feats_1'/)
  })
})
