import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { segmentRun } from '../../../../../src/main/engine/batch'
import type { InstalledModel } from '../../../../../src/main/engine/onnx/manifest'
import { ModelSignatureError } from '../../../../../src/main/engine/onnx/flavours'
import { createEngine } from '../../../../../src/main/engine/registry'
import { createSam3Segmenter, type Sam3Segmenter } from '../../../../../src/main/engine/sam3/segmenter'
import { loadClipTokenizer } from '../../../../../src/main/engine/sam3/tokenizer'
import type { RgbImage } from '../../../../../src/main/engine/types'
import { decodeRowMajor, fromCoco } from '../../../../../src/shared/domain/rle'
import { useTestModelCatalogue, writeTinyModel } from '../../../../fixtures/onnxModels'
import {
  EOT,
  SCORES,
  SOT,
  tableBox,
  tinySam3ManifestEntry,
  wordId,
  writeTinySam3,
} from '../../../../fixtures/sam3Models'
import { createSegmentProject } from '../../../../fixtures/segmentProject'

const root = mkdtempSync(join(tmpdir(), 'reseg-sam3-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const dir = join(root, 'tiny-sam3')
const files = writeTinySam3(dir)

const model: InstalledModel = {
  id: 'tiny-sam3',
  label: 'tiny SAM 3',
  family: 'sam3',
  encoderPath: join(dir, files.encoder),
  decoderPath: join(dir, files.decoder),
  languagePath: join(dir, files.language),
  tokenizerPath: join(dir, files.tokenizer),
  tokenizerConfigPath: join(dir, files.tokenizerConfig),
  preprocess: { resize: 'stretch', size: 1008, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  origin: 'user',
}

/** The fixture's mask for a token id, computed in float32 step by step as the graph does. */
function expectedBoxMask(token: number, W: number, H: number): Uint8Array {
  const f = Math.fround
  const [cx, cy, w, h] = tableBox(token % 64).map(f)
  const x1 = f(f(cx - f(w * 0.5)) * W)
  const x2 = f(f(cx + f(w * 0.5)) * W)
  const y1 = f(f(cy - f(h * 0.5)) * H)
  const y2 = f(f(cy + f(h * 0.5)) * H)
  const m = new Uint8Array(W * H)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      m[y * W + x] = x + 0.5 > x1 && x + 0.5 < x2 && y + 0.5 > y1 && y + 0.5 < y2 ? 1 : 0
  return m
}

describe('SAM 3 CLIP tokenizer', () => {
  it('gives SOT, the BPE word ids, EOT and zero padding to 32', () => {
    const t = loadClipTokenizer(model.tokenizerPath!, model.tokenizerConfigPath!)
    const ids = Array.from(t.tokenize('The  RED cat on a sofa', 32), Number)
    const words = ['the', 'red', 'cat', 'on', 'a', 'sofa'].map(wordId)
    expect(ids).toEqual([SOT, ...words, EOT, ...new Array(32 - 8).fill(0)])
  })

  it('truncates long text to the context length, ending with EOT', () => {
    const t = loadClipTokenizer(model.tokenizerPath!, model.tokenizerConfigPath!)
    const ids = Array.from(t.tokenize(new Array(40).fill('cat').join(' '), 32), Number)
    expect(ids).toEqual([SOT, ...new Array(30).fill(wordId('cat')), EOT])
  })
})

describe('SAM 3 text segmentation (tiny model with the samexporter signature)', () => {
  let seg: Sam3Segmenter
  beforeAll(async () => {
    seg = await createSam3Segmenter(model, { provider: 'cpu' })
  })
  afterAll(() => seg.dispose())

  it('runs image encoder, language encoder and decoder; keeps detections scoring above 0.5, OR-ed', async () => {
    const W = 203
    const H = 151
    const image: RgbImage = { width: W, height: H, data: new Uint8Array(W * H * 3).fill(77) }
    const r = await seg.segmentText('img', image, 'red cat sofa')
    // Detections k = 0, 1, 2 come from words 1, 2, 3; the third scores 0.3 and is dropped.
    expect(r.objects.map((o) => o.score)).toEqual([SCORES[0], SCORES[1]].map(Math.fround))
    const want = ['red', 'cat'].map((w) => expectedBoxMask(wordId(w), W, H))
    r.objects.forEach((o, k) => expect(Array.from(decodeRowMajor(o.mask))).toEqual(Array.from(want[k])))
    const union = want[0].map((v, i) => v | want[1][i])
    expect(Array.from(decodeRowMajor(r.union))).toEqual(Array.from(union))
    // The image stays pinned in the worker: a second text on it costs no encoder run.
    const before = seg.stats()
    const again = await seg.segmentText('img', image, 'the dog')
    expect(seg.stats()).toEqual({
      encoderRuns: before.encoderRuns,
      languageRuns: before.languageRuns + 1,
      decoderRuns: before.decoderRuns + 1,
    })
    expect(Array.from(decodeRowMajor(again.objects[0].mask))).toEqual(
      Array.from(expectedBoxMask(wordId('the'), W, H)),
    )
  })

  it('refuses box and point prompts with a clear message', async () => {
    await expect(seg.segment()).rejects.toThrow(/segments from text/)
  })
})

describe('SAM 3 signature check', () => {
  it('names the tensor a wrong file lacks', async () => {
    const samDir = join(root, 'sam')
    const sam = writeTinyModel(samDir, 'sam')
    await expect(
      createSam3Segmenter({ ...model, decoderPath: join(samDir, sam.decoder) }, { provider: 'cpu' }),
    ).rejects.toThrow(ModelSignatureError)
    await expect(
      createSam3Segmenter({ ...model, decoderPath: join(samDir, sam.decoder) }, { provider: 'cpu' }),
    ).rejects.toThrow(/missing input 'original_height'/)
  })
})

describe('reseg segment --prompts text', () => {
  it('segments every sample from its query into a new run, one object per detection', async () => {
    const fx = await createSegmentProject()
    const catalogue = join(root, 'catalogue')
    const restore = useTestModelCatalogue(catalogue, [tinySam3ManifestEntry('tiny-sam3')])
    writeTinySam3(join(catalogue, 'weights', 'tiny-sam3'))
    const engine = createEngine({ projectDir: fx.project.dir })
    try {
      const r = await segmentRun(fx.project, engine, {
        fromRun: fx.runName,
        modelId: 'tiny-sam3',
        prompts: 'text',
        outRun: 'sam3-text',
      })
      expect(r).toMatchObject({ total: 5, segmented: 5, prompts: 'text' })
      const rows = fx.project.db
        .prepare(
          'SELECT sample_id, mask_rle, intersection, union_px, prompts_json, objects_json FROM predictions WHERE run_id = ?',
        )
        .all(r.runId) as {
        sample_id: number
        mask_rle: string
        intersection: number
        union_px: number
        prompts_json: string
        objects_json: string
      }[]
      for (const s of fx.samples) {
        const row = rows.find((x) => x.sample_id === s.id)!
        const { width: W, height: H } = s.scene.image
        // Query "the <shape>": detections from "the" and "<shape>"; EOT's detection scores 0.3.
        const shape = fx.project.db
          .prepare('SELECT query FROM samples WHERE id = ?')
          .pluck()
          .get(s.id) as string
        const words = shape.split(' ')
        const masks = words.map((w) => expectedBoxMask(wordId(w), W, H))
        const union = masks[0].map((v, i) => v | masks[1][i])
        expect(Array.from(decodeRowMajor(fromCoco({ size: [H, W], counts: row.mask_rle })))).toEqual(
          Array.from(union),
        )
        let inter = 0
        let uni = 0
        union.forEach((v, i) => {
          if (v && s.scene.object[i]) inter++
          if (v || s.scene.object[i]) uni++
        })
        expect([row.intersection, row.union_px]).toEqual([inter, uni])
        expect(JSON.parse(row.objects_json)).toHaveLength(2)
        expect(JSON.parse(row.prompts_json)).toHaveLength(2)
      }
      await expect(
        segmentRun(fx.project, engine, {
          fromRun: fx.runName,
          modelId: 'grabcut-baseline',
          prompts: 'text',
          outRun: 'x',
        }),
      ).rejects.toThrow(/needs a text-prompt model \(SAM 3\)/)
    } finally {
      await engine.dispose()
      restore()
      fx.project.close()
    }
  })
})

describe('reseg models add on a SAM 3 export', () => {
  it('detects SAM 3 from its tensor names and says where its files go', async () => {
    const { addUserModel } = await import('../../../../../src/main/engine/onnx/register')
    const restore = useTestModelCatalogue(join(root, 'cat-add'), [])
    try {
      await expect(addUserModel(dir)).rejects.toThrow(/sam3_decoder\.onnx is a SAM 3 decoder .*sam3-text/)
    } finally {
      restore()
    }
  })
})
