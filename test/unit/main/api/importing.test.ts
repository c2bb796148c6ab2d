/**
 * The import form's methods through the dispatcher: browseFolder lists exactly the folder made here and never
 * leaves its root ("..", absolute paths, symlinks); previewImport shows a run's and a ReasonSeg parquet's
 * first rows with values known from the fixtures, and names file and row of each problem; pickPath is only
 * available on a host that provides a dialog.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import type { Project } from '../../../../src/main/store/project'
import type { MethodOutput } from '../../../../src/shared/contract'
import { pngOfSize } from '../../../fixtures/duckdbParquet'
import { writeReasonSegParquet, type FixtureRow } from '../../../fixtures/reasonsegParquet'
import { makeRunProject, tempDir, type GridSample } from '../../../fixtures/runProject'

const SAMPLES: GridSample[] = [
  // 2x3, GT = left column (area 2).
  { imageId: 'img1', annId: '1', rows: ['#..', '#..'] },
  // 2x3, GT = bottom row (area 3).
  { imageId: 'img1', annId: '2', rows: ['...', '###'] },
  { imageId: 'img2', annId: '1', rows: ['##', '..'] },
]
// Column-major COCO counts by hand: the left column of a 2x3 image, then the middle column.
const LEFT = { size: [2, 3], counts: [0, 2, 4] }
const MIDDLE = { size: [2, 3], counts: [2, 2, 2] }

let project: Project
let root: string
let outside: string
let ctx: ReturnType<typeof createApiContext>
let dispatch: Dispatch

beforeEach(() => {
  project = makeRunProject(SAMPLES)
  root = fs.realpathSync(tempDir('reseg-import-root-'))
  outside = fs.realpathSync(tempDir('reseg-import-outside-'))
  ctx = createApiContext(project, { importRoot: root })
  dispatch = createDispatcher(ctx)
})
afterEach(async () => {
  await ctx.dispose()
  project.close()
  for (const d of [path.dirname(project.dir), root, outside]) fs.rmSync(d, { recursive: true, force: true })
})

async function ok<M extends 'browseFolder' | 'previewImport' | 'getImportSources' | 'pickPath'>(
  method: M,
  input: unknown,
  d: Dispatch = dispatch,
): Promise<MethodOutput<M>> {
  const r = await d(method, input)
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as MethodOutput<M>
}

describe('browseFolder', () => {
  beforeEach(() => {
    fs.mkdirSync(path.join(root, 'runs'))
    fs.writeFileSync(path.join(root, 'runs', 'a.jsonl'), '{"x":1}\n') // 8 bytes
    fs.writeFileSync(path.join(root, 'runs', 'output_0.json'), '[]') // 2 bytes
    fs.mkdirSync(path.join(root, 'hf', 'data'), { recursive: true })
    fs.writeFileSync(path.join(root, 'hf', 'data', 'test-00000-of-00001.parquet'), 'PAR1')
    fs.writeFileSync(path.join(root, 'notes.txt'), 'hello') // 5 bytes
    fs.writeFileSync(path.join(outside, 'secret.jsonl'), '{}\n')
    fs.symlinkSync(outside, path.join(root, 'escape'))
    fs.symlinkSync(path.join(root, 'runs'), path.join(root, 'shortcut'))
  })

  it('lists the root: folders first with their layout hint, files with size, links out of the root left out', async () => {
    const listing = await ok('browseFolder', {})
    expect(listing).toEqual({
      root,
      path: root,
      parent: null,
      truncated: false,
      entries: [
        { name: 'hf', path: path.join(root, 'hf'), kind: 'dir', size: null, hint: 'hf-parquet' },
        { name: 'runs', path: path.join(root, 'runs'), kind: 'dir', size: null, hint: 'run-eval' },
        // A link inside the root is listed at its real path.
        { name: 'shortcut', path: path.join(root, 'runs'), kind: 'dir', size: null, hint: 'run-eval' },
        { name: 'notes.txt', path: path.join(root, 'notes.txt'), kind: 'file', size: 5, hint: null },
      ],
    })
    const runs = await ok('browseFolder', { path: 'runs' })
    expect(runs.parent).toBe(root)
    expect(runs.entries).toEqual([
      { name: 'a.jsonl', path: path.join(root, 'runs', 'a.jsonl'), kind: 'file', size: 8, hint: 'run-jsonl' },
      {
        name: 'output_0.json',
        path: path.join(root, 'runs', 'output_0.json'),
        kind: 'file',
        size: 2,
        hint: 'run-eval',
      },
    ])
  })

  it.each([
    ['..', 'a parent of the root'],
    ['runs/../..', '".." through a folder'],
    ['escape', 'a symlink out of the root'],
    ['shortcut/../escape', 'a symlink reached through another'],
    ['escape/nope.jsonl', 'a missing file behind a symlink out of the root'],
  ])('refuses %s (%s)', async (p) => {
    const r = await dispatch('browseFolder', { path: p })
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(!r.ok && r.error.message).toContain(`is outside the folder imports may be browsed in (${root})`)
  })

  it('refuses an absolute path outside the root, existing or not, without saying which', async () => {
    for (const p of [outside, path.join(outside, 'nope'), '/']) {
      const r = await dispatch('browseFolder', { path: p })
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    // Inside the root, a missing folder is just missing; an absolute path inside is fine.
    expect(await dispatch('browseFolder', { path: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect((await ok('browseFolder', { path: path.join(root, 'hf') })).entries.map((e) => e.name)).toEqual([
      'data',
    ])
  })

  it("defaults to the project's parent folder when the host gives no root", async () => {
    const plain = createApiContext(project)
    const d = createDispatcher(plain)
    const parent = fs.realpathSync(path.dirname(project.dir))
    expect(await ok('getImportSources', {}, d)).toEqual({ root: parent, nativeDialog: false })
    const listing = await ok('browseFolder', {}, d)
    expect(listing.root).toBe(parent)
    expect(listing.entries.map((e) => e.name)).toEqual(['proj'])
    await plain.dispose()
  })
})

describe('pickPath', () => {
  it('is unavailable without a host dialog, and passes the request to one that has it', async () => {
    expect(await ok('pickPath', { kind: 'file' })).toEqual({ available: false, path: null })
    const asked: unknown[] = []
    const desk = createApiContext(project, {
      pickPath: (req) => (asked.push(req), Promise.resolve('/home/me/run.jsonl')),
    })
    const d = createDispatcher(desk)
    expect(await ok('getImportSources', {}, d)).toMatchObject({ nativeDialog: true })
    const filters = [{ name: 'Runs', extensions: ['jsonl', 'json'] }]
    expect(await ok('pickPath', { kind: 'file', filters }, d)).toEqual({
      available: true,
      path: '/home/me/run.jsonl',
    })
    expect(asked).toEqual([{ kind: 'file', filters }])
    // Filter extensions are validated: no path characters reach the dialog.
    expect(
      await d('pickPath', { kind: 'file', filters: [{ name: 'x', extensions: ['../etc'] }] }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    await desk.dispose()
  })
})

describe('previewImport (run)', () => {
  function write(name: string, lines: string[]): string {
    const file = path.join(root, name)
    fs.writeFileSync(file, lines.join('\n') + '\n')
    return file
  }

  it('shows the first rows with answer, objects, mask and the IoU the import would store', async () => {
    const file = write('good.jsonl', [
      JSON.stringify({
        image_id: 'img1',
        ann_id: '1',
        reasoning: '<think>the left edge</think><answer>the pole</answer>',
        bbox: [0, 0, 1, 2],
        mask: LEFT,
      }),
      JSON.stringify({ image_id: 'img1', ann_id: '2', mask: MIDDLE }),
    ])
    const p = await ok('previewImport', { kind: 'run', path: file })
    expect(p).toEqual({
      kind: 'run',
      path: file,
      format: 'jsonl',
      dataset: 'reasonseg-test',
      total: 2,
      suggestedName: 'good',
      problems: [],
      problemCount: 0,
      rows: [
        // Left column = GT: IoU 1.
        { file, line: 1, imageId: 'img1', annId: '1', answer: 'the pole', objects: 1, hasMask: true, iou: 1 },
        // Middle column vs bottom row: I = 1, U = 2 + 3 - 1 = 4.
        { file, line: 2, imageId: 'img1', annId: '2', answer: null, objects: null, hasMask: true, iou: 0.25 },
      ],
    })
    // Nothing was written.
    expect(project.db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0)
  })

  it('names file and line of every bad line (syntax, unknown sample, wrong mask size)', async () => {
    const file = write('bad.jsonl', [
      JSON.stringify({ image_id: 'img1', ann_id: '1', mask: LEFT }),
      '{"image_id": "img1", "ann_id": ',
      JSON.stringify({ image_id: 'img9', ann_id: '1', mask: LEFT }),
      JSON.stringify({ image_id: 'img2', ann_id: '1', mask: LEFT }), // img2 is 2x2
    ])
    const p = await ok('previewImport', { kind: 'run', path: file })
    if (p.kind !== 'run') throw new Error('a run preview was asked for')
    expect(p.rows.map((r) => [r.line, r.iou])).toEqual([[1, 1]])
    expect(p.total).toBe(4)
    expect(p.problemCount).toBe(3)
    expect(p.problems.map((x) => [x.file, x.row])).toEqual([
      [file, 2],
      [file, 3],
      [file, 4],
    ])
    expect(p.problems[1].message).toBe(
      "no sample with image_id 'img9' and ann_id '1' in dataset 'reasonseg-test'",
    )
    expect(p.problems[2].message).toMatch(/^mask is 2x3 but sample image_id 'img2' ann_id '1' is 2x2/)
  })

  it('reports a source it cannot read as one problem naming the file', async () => {
    const missing = path.join(root, 'missing.jsonl')
    const p = await ok('previewImport', { kind: 'run', path: missing })
    expect(p.rows).toEqual([])
    expect(p.problems).toEqual([{ file: missing, row: null, message: 'no such file or folder' }])
  })
})

describe('previewImport (dataset)', () => {
  // Masks as per-row spans [x0, x1): row k's area is height * (x1 - x0), known without the reader.
  async function rows(): Promise<FixtureRow[]> {
    const specs = [
      { imageId: 'cat', annId: 'a1', w: 8, h: 6, span: [2, 5], text: 'the animal that purrs' },
      { imageId: 'cat', annId: 'a2', w: 8, h: 6, span: [0, 8], text: 'everything' },
      { imageId: 'dog', annId: 'b1', w: 5, h: 4, span: [1, 2], text: 'the thin post' },
    ]
    const out: FixtureRow[] = []
    for (const s of specs) {
      out.push({
        image: await pngOfSize(s.w, s.h),
        text: s.text,
        imageId: s.imageId,
        annId: s.annId,
        height: s.h,
        width: s.w,
        mask: () => s.span,
      })
    }
    return out
  }

  it('shows image id, query, decoded size and mask area of the first rows, and the row count', async () => {
    const dir = path.join(root, 'reasonseg', 'data')
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, 'val-00000-of-00001.parquet')
    writeReasonSegParquet(file, await rows())
    const p = await ok('previewImport', { kind: 'dataset', path: path.join(root, 'reasonseg') })
    expect(p).toMatchObject({
      kind: 'dataset',
      format: 'hf-parquet',
      split: 'val',
      total: 3,
      suggestedName: 'reasonseg-val',
      problems: [],
    })
    expect(p.rows).toEqual([
      {
        where: `${file}: row 0`,
        imageId: 'cat',
        annId: 'a1',
        query: 'the animal that purrs',
        width: 8,
        height: 6,
        maskArea: 18,
      },
      {
        where: `${file}: row 1`,
        imageId: 'cat',
        annId: 'a2',
        query: 'everything',
        width: 8,
        height: 6,
        maskArea: 48,
      },
      {
        where: `${file}: row 2`,
        imageId: 'dog',
        annId: 'b1',
        query: 'the thin post',
        width: 5,
        height: 4,
        maskArea: 4,
      },
    ])
    expect(project.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(1)
  })

  it('names the row whose mask does not fit its image and keeps previewing the rest', async () => {
    const good = await rows()
    // Row 1's image decodes to 8x7 while its mask (and size columns) say 8x6.
    good[1] = { ...good[1], image: await pngOfSize(8, 7) }
    const file = path.join(root, 'mixed.parquet')
    writeReasonSegParquet(file, good)
    const p = await ok('previewImport', { kind: 'dataset', path: file, format: 'hf-parquet' })
    expect(p.rows.map((r) => r.annId)).toEqual(['a1', 'b1'])
    expect(p.problems).toEqual([
      {
        file,
        row: 1,
        message: 'mask is 6x8 (h x w) but the image decodes to 7x8',
      },
    ])
  })
})

describe('a host that confines imports (the serve host)', () => {
  it('reads only under the root and the staging folder, for previews and imports alike', async () => {
    const served = createApiContext(project, { importRoot: root, confineImports: true })
    const d = createDispatcher(served)
    const line = JSON.stringify({ image_id: 'img1', ann_id: '1', mask: LEFT }) + '\n'
    const secret = path.join(outside, 'run.jsonl')
    fs.writeFileSync(secret, line)
    fs.symlinkSync(outside, path.join(root, 'link'))
    for (const p of [
      secret,
      path.join(root, 'link', 'run.jsonl'),
      '../' + path.basename(outside) + '/run.jsonl',
    ]) {
      for (const [method, input] of [
        ['previewImport', { kind: 'run', path: p }],
        ['importRun', { path: p, name: 'x' }],
        ['importDataset', { source: p }],
      ] as const) {
        const r = await d(method, input)
        expect(r, `${method} ${p}`).toMatchObject({ ok: false, error: { code: 'forbidden' } })
        expect(!r.ok && r.error.message).toContain(`this server imports only from ${root}`)
      }
    }
    expect(served.jobs.list()).toEqual([])

    // Inside the root (relative paths are the root's) and in <project>/imports, previews read the file.
    fs.writeFileSync(path.join(root, 'in.jsonl'), line)
    fs.mkdirSync(path.join(project.dir, 'imports'))
    fs.writeFileSync(path.join(project.dir, 'imports', 'up.jsonl'), line)
    for (const p of ['in.jsonl', path.join(project.dir, 'imports', 'up.jsonl')]) {
      const r = await ok('previewImport', { kind: 'run', path: p }, d)
      expect(r.rows.map((x) => x.imageId)).toEqual(['img1'])
      expect(r.problems).toEqual([])
    }
    // The desktop host (no confinement) reads the file outside as before.
    expect((await ok('previewImport', { kind: 'run', path: secret })).problems).toEqual([])
    await served.dispose()
  })
})
