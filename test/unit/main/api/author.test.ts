import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher } from '../../../../src/main/api/index'
import { readGroundTruth } from '../../../../src/main/store/groundTruth'
import { openProject, type Project } from '../../../../src/main/store/project'
import { importRun } from '../../../../src/main/runs/importRun'
import { area, decodeRowMajor } from '../../../../src/shared/domain/rle'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

let dir: string
let project: Project
let ctx: ReturnType<typeof createApiContext>
let dispatch: ReturnType<typeof createDispatcher>
let png: Buffer
let jpeg: Buffer

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(method, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

async function fails(method: string, input: unknown) {
  const r = await dispatch(method, input)
  if (r.ok) throw new Error(`${method} should have failed`)
  return r.error
}

const b64 = (b: Buffer) => b.toString('base64')
const mediaFiles = () => fs.readdirSync(project.mediaDir).sort()

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-author-'))
  project = openProject(path.join(dir, 'p'), { create: true })
  ctx = createApiContext(project)
  dispatch = createDispatcher(ctx)
  const px = Buffer.alloc(12 * 8 * 3, 90)
  png = await sharp(px, { raw: { width: 12, height: 8, channels: 3 } })
    .png()
    .toBuffer()
  jpeg = await sharp(Buffer.alloc(20 * 10 * 3, 140), { raw: { width: 20, height: 10, channels: 3 } })
    .jpeg()
    .toBuffer()
})

afterAll(async () => {
  await ctx.dispose()
  project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('authoring samples', () => {
  it('refuses a non-image or a truncated image with a clear message and stores nothing', async () => {
    const notImage = await fails('addImages', {
      dataset: 'mine',
      images: [
        { name: 'a.png', dataBase64: b64(png) },
        { name: 'notes.txt', dataBase64: b64(Buffer.from('hello, not an image')) },
      ],
    })
    expect(notImage.code).toBe('bad_request')
    expect(notImage.message).toMatch(/^notes\.txt: image cannot be decoded/)
    const truncated = await fails('addImages', {
      dataset: 'mine',
      images: [{ name: 'cut.jpg', dataBase64: b64(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))) }],
    })
    expect(truncated.message).toMatch(/cut\.jpg: image cannot be decoded/)
    expect(
      (await fails('addImages', { dataset: 'mine', images: [{ name: 'x.png', dataBase64: '@@' }] })).code,
    ).toBe('bad_request')
    expect(project.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(0)
    expect(project.db.prepare('SELECT COUNT(*) FROM media').pluck().get()).toBe(0)
    expect(mediaFiles()).toEqual([])
  })

  it('adds images to a new dataset, then queries as samples with an empty GT, then draws the target', async () => {
    const r = await call<{
      datasetId: number
      created: boolean
      images: { imageId: string; width: number }[]
    }>('addImages', {
      dataset: 'mine',
      split: 'val',
      images: [
        { name: 'kitchen.png', dataBase64: b64(png) },
        { name: 'street.jpg', dataBase64: b64(jpeg) },
      ],
    })
    expect(r.created).toBe(true)
    expect(r.images.map((i) => [i.imageId, i.width])).toEqual([
      ['kitchen', 12],
      ['street', 20],
    ])
    expect(project.db.prepare('SELECT format, split FROM datasets WHERE id = ?').get(r.datasetId)).toEqual({
      format: 'authored',
      split: 'val',
    })
    expect(mediaFiles()).toHaveLength(2)
    const dup = await fails('addImages', {
      dataset: 'mine',
      images: [{ name: 'kitchen.png', dataBase64: b64(png) }],
    })
    expect([dup.code, dup.message]).toEqual([
      'conflict',
      "kitchen.png: dataset 'mine' already has an image 'kitchen'",
    ])

    const empty = await fails('addSampleQuery', { datasetId: r.datasetId, imageId: 'kitchen', query: '   ' })
    expect([empty.code, empty.message]).toEqual(['bad_request', "image 'kitchen': the query is empty"])
    const q1 = await call<{ sampleId: number; annId: string }>('addSampleQuery', {
      datasetId: r.datasetId,
      imageId: 'kitchen',
      query: 'What could hold hot soup?',
      isSentence: true,
    })
    const q2 = await call<{ sampleId: number; annId: string }>('addSampleQuery', {
      datasetId: r.datasetId,
      imageId: 'kitchen',
      query: 'the unicorn',
      isSentence: false,
    })
    expect([q1.annId, q2.annId]).toEqual(['0', '1'])
    const row = project.db
      .prepare('SELECT is_sentence, gt_area, query FROM samples WHERE id = ?')
      .get(q1.sampleId)
    expect(row).toEqual({ is_sentence: 1, gt_area: 0, query: 'What could hold hot soup?' })
    expect(
      await call('listDatasetImages', { datasetId: r.datasetId }).then((l) =>
        (l as { imageId: string; samples: number }[]).map((i) => [i.imageId, i.samples]),
      ),
    ).toEqual([
      ['kitchen', 2],
      ['street', 0],
    ])

    // Draw the target of q1 (a 4 x 3 rectangle); q2 stays a "no target" sample.
    await call('applyGtEdit', {
      sampleId: q1.sampleId,
      op: {
        kind: 'polygon',
        target: 'new',
        points: [
          [2, 1],
          [6, 1],
          [6, 4],
          [2, 4],
        ],
        mode: 'add',
      },
    })
    // An authored sample's drawn GT is its original GT (nothing imported to keep apart).
    const orig = readGroundTruth(project.db, q1.sampleId, 'original')
    expect(area(orig.mask)).toBe(12)
    expect(Array.from(decodeRowMajor(orig.mask).subarray(12, 24)).join('')).toBe('001111000000')
    expect(readGroundTruth(project.db, q1.sampleId, 'corrected').revised).toBe(false)
    expect(project.db.prepare('SELECT gt_area FROM samples WHERE id = ?').pluck().get(q1.sampleId)).toBe(12)

    // Authored samples are ordinary samples: a run imports against them.
    const runFile = path.join(dir, 'run.jsonl')
    fs.writeFileSync(
      runFile,
      [
        {
          image_id: 'kitchen',
          ann_id: '0',
          mask: { size: [8, 12], counts: [8 * 2 + 1, 3, 5, 3, 5, 3, 5, 3, 52] },
        },
        { image_id: 'kitchen', ann_id: '1', mask: { size: [8, 12], counts: [96] } },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    )
    await importRun(project, { path: runFile, name: 'auth-run', dataset: 'mine' })
    const preds = project.db
      .prepare('SELECT sample_id, intersection, union_px FROM predictions ORDER BY sample_id')
      .all() as { sample_id: number; intersection: number; union_px: number }[]
    // Columns 2..5, rows 1..3 are the GT; the prediction covers columns 2..5, rows 1..3 as well → I = U = 12.
    expect(preds).toEqual([
      { sample_id: q1.sampleId, intersection: 12, union_px: 12 },
      { sample_id: q2.sampleId, intersection: 0, union_px: 0 },
    ])

    const deleted = await call('deleteAuthoredSample', { sampleId: q2.sampleId })
    expect(deleted).toEqual({ sampleId: q2.sampleId, deleted: true })
    expect((await fails('deleteAuthoredSample', { sampleId: q2.sampleId })).code).toBe('not_found')
  })

  it('through the CLI: add-images from a folder (a bad file stores nothing), add-query', () => {
    const folder = path.join(dir, 'imgs')
    fs.mkdirSync(folder)
    fs.writeFileSync(path.join(folder, 'one.png'), png)
    fs.writeFileSync(path.join(folder, 'zz.txt'), 'not an image')
    const projectDir = path.join(dir, 'cli')
    const bad = reseg(
      'author',
      'add-images',
      folder,
      '--project',
      projectDir,
      '--dataset',
      'hard',
      '--split',
      'test',
    )
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/zz\.txt: image cannot be decoded/)
    fs.rmSync(path.join(folder, 'zz.txt'))
    const good = reseg(
      'author',
      'add-images',
      folder,
      '--project',
      projectDir,
      '--dataset',
      'hard',
      '--split',
      'test',
      '--query',
      'the brightest thing',
      '--phrase',
    )
    expect(good.stderr).toBe('')
    expect(good.stdout).toBe("created dataset 'hard': 1 images, 1 samples\n")
    const q = reseg(
      'author',
      'add-query',
      '--project',
      projectDir,
      '--image',
      'one',
      '--query',
      'Where would you sit?',
    )
    expect(q.stdout).toMatch(/one\/1 in dataset 'hard'/)
    const p = openProject(projectDir)
    expect(p.db.prepare('SELECT ann_id, query, is_sentence FROM samples ORDER BY id').all()).toEqual([
      { ann_id: '0', query: 'the brightest thing', is_sentence: 0 },
      { ann_id: '1', query: 'Where would you sit?', is_sentence: null },
    ])
    p.close()
  })
})
