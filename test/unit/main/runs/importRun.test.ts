/**
 * Run import end to end on a hand-drawn dataset: generic JSONL (RLE string, RLE list, PNG), Seg-Zero /
 * VisionReasoner evaluation folders and raw outputs, errors with file:line, --skip-bad and --replace.
 * Expected I/U are counted by eye from the grids in the comments.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runMetrics } from '../../../../src/main/metrics/runMetrics'
import { importRun, RunImportError } from '../../../../src/main/runs/importRun'
import { detectRunFormat } from '../../../../src/main/runs/runFiles'
import type { Project } from '../../../../src/main/store/project'
import { createDataset } from '../../../../src/main/store/datasets'
import { getRunByName } from '../../../../src/main/store/runs'
import { insertSample } from '../../../../src/main/store/samples'
import { emptyRle } from '../../../../src/shared/domain/rle'
import { makeRunProject, tempDir, type GridSample } from '../../../fixtures/runProject'

const SAMPLES: GridSample[] = [
  // A: 4x5, GT area 3 (column-major runs 5,2,3,1,9 → "523O6").
  { imageId: 'img1', annId: '1', rows: ['.....', '.#...', '.##..', '.....'] },
  // B: 4x5, GT = top two rows, area 10.
  { imageId: 'img1', annId: '2', rows: ['#####', '#####', '.....', '.....'] },
  // C: 3x3, GT area 4, '?' = LISA ignore pixels.
  { imageId: 'img2', annId: '1', rows: ['##.', '##?', '..?'] },
  // D: 2x2, empty GT.
  { imageId: 'img3', annId: '1', rows: ['..', '..'] },
]

let project: Project
let dir: string

beforeEach(() => {
  project = makeRunProject(SAMPLES)
  dir = tempDir('reseg-runfiles-')
})
afterEach(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

function write(name: string, lines: unknown[] | string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(
    file,
    typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  )
  return file
}

function predictions(run: string) {
  const r = getRunByName(project.db, run)!
  return project.db
    .prepare(
      `SELECT s.image_id, s.ann_id, p.* FROM predictions p JOIN samples s ON s.id = p.sample_id
       WHERE p.run_id = ? ORDER BY s.id`,
    )
    .all(r.id) as Record<string, unknown>[]
}

const runCount = () => (project.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n

async function writePng(name: string, rows: string[]): Promise<string> {
  // RGB with only the blue channel set on foreground: any non-zero channel must count.
  const h = rows.length
  const w = rows[0].length
  const raw = Buffer.alloc(h * w * 3)
  rows.forEach((r, y) => [...r].forEach((c, x) => (raw[(y * w + x) * 3 + 2] = c === '#' ? 7 : 0)))
  const file = path.join(dir, name)
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(file)
  return file
}

const genericLines = () => [
  {
    image_id: 'img1',
    ann_id: '1',
    reasoning: '<think>the small L</think><answer>[{"bbox_2d":[1,1,2,2]}]</answer>',
    bbox: [1, 1, 3, 3],
    points: [[2, 2]],
    mask: { size: [4, 5], counts: '523O6' },
  },
  // Prediction = top row of B. Column-major runs 0,1,3,1,3,… with two trailing empty runs.
  { image_id: 'img1', ann_id: '2', mask: { size: [4, 5], counts: [0, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 0, 0] } },
  {
    image_id: 'img2',
    ann_id: '1',
    mask_png: 'c.png',
    bbox: [
      [1, 0, 3, 3],
      [0, 0, 1, 1],
    ],
    points: [
      [2, 1],
      [0, 0, 0],
    ],
  },
]

describe('generic JSONL', () => {
  it('imports masks in all three forms and scores them', async () => {
    await writePng('c.png', ['.##', '.##', '.##'])
    const file = write('run.jsonl', genericLines())
    const r = await importRun(project, { path: file, name: 'mine' })
    expect(r).toMatchObject({
      format: 'jsonl',
      imported: 3,
      missing: 1,
      parseErrors: 0,
      skipped: [],
      replaced: false,
    })
    const p = predictions('mine')
    // A: exact; B: I = 5 of the 10 GT pixels, U = 10; C: P∩G = 2, P∪G = 8 minus 2 ignored = 6.
    expect(p.map((x) => [x.intersection, x.union_px, x.iou])).toEqual([
      [3, 3, 1],
      [5, 10, 0.5],
      [2, 6, 2 / 6],
    ])
    expect(p[0].mask_rle).toBe('523O6')
    // Canonical string for runs 0,1,3,1,3,1,3,1,3,1,3: '0','1','3', then deltas 0,0,… → 8 more zeros.
    expect(p[1].mask_rle).toBe('013' + '0'.repeat(8))
    // C: columns 1 and 2 full → runs 3,6: "36".
    expect(p[2].mask_rle).toBe('36')
    expect(p[0].raw_output).toContain('<think>')
    expect(p[0].reasoning).toBe('the small L')
    expect(p[0].answer).toBe('[{"bbox_2d":[1,1,2,2]}]')
    expect(JSON.parse(p[0].prompts_json as string)).toEqual([
      { box: [1, 1, 3, 3], points: [{ x: 2, y: 2, label: 1 }] },
    ])
    expect(JSON.parse(p[2].prompts_json as string)).toEqual([
      { box: [1, 0, 3, 3], points: [{ x: 2, y: 1, label: 1 }] },
      { box: [0, 0, 1, 1], points: [{ x: 0, y: 0, label: 0 }] },
    ])
    expect(p[1].prompts_json).toBeNull()

    const m = runMetrics(project.db, getRunByName(project.db, 'mine')!.id)
    expect(m).toMatchObject({ n: 4, missing: 1 })
    expect(m.gIoU).toBeCloseTo((1 + 0.5 + 1 / 3 + 0) / 4, 12)
    expect(m.cIoU).toBeCloseTo(10 / 19, 12)
    expect(m.samples[3]).toMatchObject({ imageId: 'img3', intersection: 0, union: 0, iou: 0, missing: true })
    const lisa = runMetrics(project.db, getRunByName(project.db, 'mine')!.id, 'lisa')
    expect(lisa.samples[3].iou).toBe(1)
    expect(lisa.gIoU).toBeCloseTo((3 / 3.00001 + 5 / 10.00001 + 2 / 6.00001 + 1) / 4.00001, 12)
  })

  it('aborts on a bad line with file:line and leaves the project unchanged', async () => {
    const lines = genericLines()
      .slice(0, 2)
      .map((l) => JSON.stringify(l))
    const file = write('bad.jsonl', [lines[0], '{"image_id": "img1", "ann_id": ', lines[1]].join('\n'))
    const err = await importRun(project, { path: file, name: 'bad' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RunImportError)
    expect((err as RunImportError).message).toMatch(new RegExp(`^${escape(file)}:2: not valid JSON`))
    expect((err as RunImportError).errors.map((e) => e.line)).toEqual([2])
    expect(runCount()).toBe(0)
  })

  it('names the line of an unknown sample, a duplicate, a size mismatch and a malformed mask', async () => {
    const [a, b] = genericLines()
    const file = write('bad.jsonl', [
      a,
      { image_id: 'img9', ann_id: '1' },
      { ...a },
      { image_id: 'img1', ann_id: '2', mask: { size: [5, 4], counts: '523O6' } },
      { image_id: 'img1', ann_id: '2', mask: { size: [4, 5], counts: [3, 4] } },
      b,
    ])
    const err = (await importRun(project, { path: file, name: 'bad' }).catch(
      (e: unknown) => e,
    )) as RunImportError
    expect(err.errors.map(String)).toEqual([
      `${file}:2: no sample with image_id 'img9' and ann_id '1' in dataset 'reasonseg-test'`,
      `${file}:3: duplicate of ${file}:1 (image_id 'img1', ann_id '1')`,
      `${file}:4: mask is 5x4 but sample image_id 'img1' ann_id '2' is 4x5 (height x width)`,
      `${file}:5: RLE runs cover 7 pixels but size 4x5 has 20`,
    ])
    expect(runCount()).toBe(0)
  })

  it('refuses inverted boxes, absurd coordinates and RLE runs that would wrap to fit', async () => {
    const [a] = genericLines()
    const file = write('absurd.jsonl', [
      { ...a, mask: undefined, bbox: [3, 0, 1, 2] },
      { ...a, ann_id: '2', mask: undefined, points: [[1, 1e308]] },
      { image_id: 'img2', ann_id: '1', mask: { size: [3, 3], counts: [2 ** 32, 9] } },
    ])
    const err = (await importRun(project, { path: file, name: 'absurd' }).catch(
      (e: unknown) => e,
    )) as RunImportError
    expect(err.errors.map((e) => [e.line, e.message.split(' (')[0].split(' with ')[0]])).toEqual([
      [1, '"bbox" must be [x1, y1, x2, y2]'],
      [2, '"points" must be a list of [x, y] or [x, y, label]'],
      [3, 'RLE run 4294967296 is not a pixel count'],
    ])
    expect(runCount()).toBe(0)
  })

  it('--skip-bad imports the rest and lists what it skipped', async () => {
    const [a, b] = genericLines()
    const file = write('bad.jsonl', [a, { image_id: 'img9', ann_id: '1' }, b])
    const r = await importRun(project, { path: file, name: 'partial', skipBad: true })
    expect(r.imported).toBe(2)
    expect(r.missing).toBe(2)
    expect(r.skipped.map(String)).toEqual([
      `${file}:2: no sample with image_id 'img9' and ann_id '1' in dataset 'reasonseg-test'`,
    ])
    expect(predictions('partial').map((p) => p.ann_id)).toEqual(['1', '2'])
  })

  it('an existing run name needs --replace, which swaps the predictions', async () => {
    const [a, b] = genericLines()
    await importRun(project, { path: write('one.jsonl', [a]), name: 'r' })
    const err = await importRun(project, { path: write('two.jsonl', [b]), name: 'r' }).catch(
      (e: unknown) => e,
    )
    expect(String(err)).toMatch(/already exists; pass --replace/)
    expect(predictions('r').map((p) => p.ann_id)).toEqual(['1'])
    const r = await importRun(project, { path: write('two.jsonl', [b]), name: 'r', replace: true })
    expect(r.replaced).toBe(true)
    expect(predictions('r').map((p) => p.ann_id)).toEqual(['2'])
    expect(runCount()).toBe(1)
  })

  it('picks the dataset: the only one, the one holding the first sample, or --dataset', async () => {
    const otherId = createDataset(project.db, { name: 'other', format: 'test' })
    const file = write('one.jsonl', [genericLines()[1]])
    const r = await importRun(project, { path: file, name: 'auto' })
    expect(r.dataset).toBe('reasonseg-test')
    insertSample(project.db, {
      datasetId: otherId,
      imageId: 'img1',
      annId: '2',
      mediaHash: (project.db.prepare('SELECT hash FROM media LIMIT 1').get() as { hash: string }).hash,
      width: 5,
      height: 4,
      query: 'q',
      gt: emptyRle(4, 5),
    })
    await expect(importRun(project, { path: file, name: 'amb' })).rejects.toThrow(
      /the project has 2 datasets; say which with --dataset NAME/,
    )
    const o = await importRun(project, { path: file, name: 'o', dataset: 'other' })
    expect(o).toMatchObject({ dataset: 'other', imported: 1, missing: 0 })
    await expect(importRun(project, { path: file, name: 'n', dataset: 'nope' })).rejects.toThrow(
      /no dataset named 'nope' \(the project has: reasonseg-test, other\)/,
    )
    expect(getRunByName(project.db, 'o')).toMatchObject({ model: null, source: file, kind: 'imported' })
  })

  it('a line without a mask scores as an empty mask', async () => {
    const file = write('prompts.jsonl', [{ image_id: 'img1', ann_id: '2', bbox: [0, 0, 5, 2] }])
    await importRun(project, { path: file, name: 'boxes' })
    expect(predictions('boxes')[0]).toMatchObject({ intersection: 0, union_px: 10, iou: 0, mask_rle: null })
  })
})

describe('Seg-Zero / VisionReasoner evaluation output', () => {
  // Written the way their evaluation does (json.dump(..., indent=2)): each 6-key item spans 8 lines,
  // so item k of a file starts on line 2 + 8k.
  const item = (
    image_id: string,
    ann_id: string,
    intersection: number,
    union: number,
    think = 'because',
  ) => ({
    image_id,
    ann_id,
    think,
    intersection,
    union,
    bbox_iou: 1.0,
  })
  const folder = (files: Record<string, unknown[]>) => {
    const d = path.join(dir, 'eval')
    fs.mkdirSync(d)
    for (const [n, items] of Object.entries(files))
      fs.writeFileSync(path.join(d, n), JSON.stringify(items, null, 2))
    return d
  }

  it('takes I and U from the files and keeps the reasoning', async () => {
    const d = folder({
      'output_0.json': [item('img1', '1', 2, 4), item('img1', '2', 0, 10, '')],
      'output_1.json': [item('img2', '1', 4, 5)],
      'notes.json': [],
    })
    expect(await detectRunFormat(d, 'auto')).toBe('eval')
    const r = await importRun(project, { path: d, name: 'vr', format: 'visionreasoner' })
    expect(getRunByName(project.db, 'vr')).toMatchObject({ model: 'VisionReasoner', source: d })
    expect(r).toMatchObject({ format: 'eval', imported: 3, missing: 1 })
    expect(r.files.map((f) => path.basename(f))).toEqual(['output_0.json', 'output_1.json'])
    const p = predictions('vr')
    expect(p.map((x) => [x.intersection, x.union_px, x.iou, x.bbox_iou, x.reasoning, x.mask_rle])).toEqual([
      [2, 4, 0.5, 1, 'because', null],
      [0, 10, 0, 1, null, null],
      [4, 5, 0.8, 1, 'because', null],
    ])
    const m = runMetrics(project.db, r.runId)
    expect(m.cIoU).toBeCloseTo(6 / 19, 12)
    expect(m.gIoU).toBeCloseTo((0.5 + 0 + 0.8 + 0) / 4, 12)
  })

  it('points at the line of a bad item and of counts that cannot fit the ground truth', async () => {
    const d = folder({
      'output_0.json': [
        item('img1', '1', 2, 4),
        { image_id: 'img1', ann_id: '2', intersection: -1, union: 3 },
      ],
      'output_1.json': [item('img3', '1', 0, 0), item('img1', '2', 1, 1)],
    })
    const err = (await importRun(project, { path: d, name: 'x', format: 'segzero' }).catch(
      (e: unknown) => e,
    )) as RunImportError
    expect(err.errors.map(String)).toEqual([
      `${path.join(d, 'output_0.json')}:10: item 1: "intersection" must be a non-negative integer`,
      `${path.join(d, 'output_1.json')}:10: intersection 1 / union 1 cannot belong to this sample's ground truth of 10 pixels (were these outputs computed on another dataset?)`,
    ])
    expect(runCount()).toBe(0)
  })

  it('refuses a non-string think, unsafe counts and a union larger than the image', async () => {
    const d = folder({
      'output_0.json': [
        { ...item('img1', '1', 2, 4), think: ['not', 'text'] },
        item('img1', '2', 2 ** 53, 2 ** 53 + 2),
        item('img2', '1', 0, 1000),
      ],
    })
    const err = (await importRun(project, { path: d, name: 'x', format: 'segzero' }).catch(
      (e: unknown) => e,
    )) as RunImportError
    const f = path.join(d, 'output_0.json')
    expect(err.errors.map(String)).toEqual([
      `${f}:2: item 0: "think" must be a string (the model's reasoning)`,
      // Item 0 spans 11 lines (its think list is spread over four), so item 1 starts on 13, item 2 on 21.
      `${f}:13: item 1: "intersection" must be a non-negative integer`,
      `${f}:21: union 1000 is more pixels than the image has (3x3)`,
    ])
    expect(runCount()).toBe(0)
  })

  it('names the line of a JSON syntax error in an output file', async () => {
    const d = path.join(dir, 'eval')
    fs.mkdirSync(d)
    fs.writeFileSync(path.join(d, 'output_0.json'), '[\n  {"image_id": "img1",\n   "ann_id": "1",,\n  }\n]')
    const err = (await importRun(project, { path: d, name: 'x' }).catch((e: unknown) => e)) as RunImportError
    expect(err.errors.map((e) => [path.basename(e.file), e.line])).toEqual([['output_0.json', 3]])
    expect(err.message).toMatch(/output_0\.json:3: not valid JSON/)
  })
})

describe('raw reasoning-model outputs', () => {
  it('parses answers into prompts in original pixels; a malformed answer is kept and scores empty', async () => {
    // Image A is 5 wide, 4 high: x maps by 5/840, y by 4/840, then int(v + 0.5).
    const file = write('raw.jsonl', [
      {
        image_id: 'img1',
        ann_id: '1',
        output:
          '<think>the small thing</think><answer>[{"bbox_2d": [168, 210, 504, 630], "point_2d": [336, 420]}]</answer>',
      },
      { image_id: 'img1', ann_id: '2', output: '<think>hmm</think><answer>not json at all</answer>' },
    ])
    expect(await detectRunFormat(file, 'auto')).toBe('raw')
    const r = await importRun(project, { path: file, name: 'raw' })
    expect(r).toMatchObject({ format: 'raw', imported: 2, parseErrors: 1 })
    const [a, b] = predictions('raw')
    expect(JSON.parse(a.prompts_json as string)).toEqual([
      { box: [1, 1, 3, 3], points: [{ x: 2, y: 2, label: 1 }] },
    ])
    expect(a).toMatchObject({
      reasoning: 'the small thing',
      parse_error: null,
      mask_rle: null,
      intersection: 0,
      union_px: 3,
    })
    expect(b.raw_output).toBe('<think>hmm</think><answer>not json at all</answer>')
    expect(b.parse_error).toEqual(expect.any(String))
    expect(b).toMatchObject({ intersection: 0, union_px: 10, iou: 0 })
    expect(JSON.parse(b.prompts_json as string)).toEqual([])
  })

  it('format detection follows the content', async () => {
    expect(
      await detectRunFormat(write('g.jsonl', [{ image_id: 'a', ann_id: 'b', bbox: [0, 0, 1, 1] }]), 'auto'),
    ).toBe('jsonl')
    await expect(
      detectRunFormat(write('g2.jsonl', [{ image_id: 'a', ann_id: 'b' }]), 'segzero'),
    ).rejects.toThrow(/"output"/)
    await expect(detectRunFormat(path.join(dir, 'nope.jsonl'), 'auto')).rejects.toThrow(/no such file/)
  })

  it.runIf(fs.existsSync('/proc/self/fd'))(
    'sniffing the first line of a long file leaves no descriptor open',
    async () => {
      // Several read buffers long, so the stream is still open when the first record is found.
      const line = JSON.stringify({ image_id: 'img1', ann_id: '1', output: 'x'.repeat(100) })
      const file = write('long.jsonl', `${line}\n`.repeat(5000))
      const open = () =>
        fs.readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return fs.readlinkSync(`/proc/self/fd/${fd}`) === file
          } catch {
            return false
          }
        }).length
      for (let i = 0; i < 5; i++) expect(await detectRunFormat(file, 'auto')).toBe('raw')
      await new Promise((r) => setTimeout(r, 50))
      expect(open()).toBe(0)
    },
  )
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
