/**
 * The import form in Chromium through the serve host (issue 13): the folder browser, confined to the
 * `--root` folder, leads to a run file; the preview shows its first rows with the IoU each would get
 * (known here: the GT's own mask scores 1, an empty mask 0); a broken file shows its bad line inline; the
 * good one imports and the app switches to it. A file dropped on the form is uploaded to the project's
 * staging folder and previews the same way.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Project } from '../../src/main/store/project'
import { contract } from '../../src/shared/contract'
import { pngOfSize } from '../fixtures/duckdbParquet'
import { writeReasonSegParquet } from '../fixtures/reasonsegParquet'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

interface SampleRow {
  id: number
  image_id: string
  ann_id: string
  gt_rle: string
  gt_area: number
  width: number
  height: number
}

let browser: Browser
let projectDir: string
let served: Served
let project: Project
let root: string
let samples: SampleRow[]

/** A run line holding a COCO mask (compressed counts, as the project stores GT). */
const line = (s: SampleRow, mask: string | number[], reasoning?: string) =>
  JSON.stringify({
    image_id: s.image_id,
    ann_id: s.ann_id,
    ...(reasoning ? { reasoning } : {}),
    mask: { size: [s.height, s.width], counts: mask },
  })

beforeAll(async () => {
  projectDir = await makeDemoProject({ images: 4 })
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-import-root-')))
  served = await startServe({ projectDir, importRoot: root })
  project = served.project
  samples = project.db
    .prepare('SELECT id, image_id, ann_id, gt_rle, gt_area, width, height FROM samples ORDER BY id')
    .all() as SampleRow[]
  fs.mkdirSync(path.join(root, 'runs'))
  const [a, b] = samples
  // Sample a: its own GT (IoU 1). Sample b: an all-empty mask, one run of h*w zeros (IoU 0: its GT is not empty).
  fs.writeFileSync(
    path.join(root, 'runs', 'oracle.jsonl'),
    `${line(a, a.gt_rle, '<think>look left</think><answer>the first target</answer>')}\n${line(b, [b.height * b.width])}\n`,
  )
  fs.writeFileSync(
    path.join(root, 'runs', 'broken.jsonl'),
    `${line(a, a.gt_rle)}\n{"image_id": "${b.image_id}", \n`,
  )
  // A ReasonSeg parquet shard whose masks are one span [x0, x1) per image row: area = height * (x1 - x0).
  fs.mkdirSync(path.join(root, 'shapes', 'data'), { recursive: true })
  writeReasonSegParquet(path.join(root, 'shapes', 'data', 'val-00000-of-00001.parquet'), [
    {
      image: await pngOfSize(12, 5),
      text: 'the left half',
      imageId: 'q1',
      annId: 'x',
      height: 5,
      width: 12,
      mask: () => [0, 6],
    },
    {
      image: await pngOfSize(7, 9),
      text: 'one column',
      imageId: 'q2',
      annId: 'y',
      height: 9,
      width: 7,
      mask: () => [3, 4],
    },
  ])
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await served?.stop()
  fs.rmSync(projectDir, { recursive: true, force: true })
  fs.rmSync(root, { recursive: true, force: true })
})

const cells = (page: Page) =>
  page.$$eval('[data-testid=import-preview-row]', (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
  )

describe('import form', () => {
  it('browses to a run file, previews it, shows a broken file inline, imports and switches to the run', async () => {
    expect(samples[1].gt_area).toBeGreaterThan(0)
    const page = await browser.newPage()
    await page.goto(served.url)
    await page.click('[data-testid=import-run]')
    await page.waitForSelector('[data-testid=folder-browser]')
    expect(await page.textContent('[data-testid=folder-path]')).toBe(root)
    // The root has no parent to go up to.
    expect(await page.isDisabled('[data-testid=folder-up]')).toBe(true)
    await page.click('[data-testid=folder-entry][data-name=runs]')
    await page.waitForFunction(
      (p) => document.querySelector('[data-testid=folder-path]')?.textContent === p,
      path.join(root, 'runs'),
    )

    // The broken file: its good line previews, its bad line is named inline.
    await page.click('[data-testid=folder-entry][data-name="broken.jsonl"]')
    await page.waitForSelector('[data-testid=import-problem]')
    const broken = path.join(root, 'runs', 'broken.jsonl')
    expect(await page.inputValue('[data-testid=import-path]')).toBe(broken)
    const problem = await page.textContent('[data-testid=import-problem]')
    expect(problem).toContain(`${broken} line 2: `)
    expect(await page.textContent('[data-testid=import-problems] strong')).toBe('1 problem')

    // The good file: both rows, with the values written above.
    await page.click('[data-testid=folder-entry][data-name="oracle.jsonl"]')
    await page.waitForSelector('[data-testid=import-problems]', { state: 'detached' })
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=import-preview-row]').length === 2,
    )
    const [a, b] = samples
    expect(await cells(page)).toEqual([
      ['1', a.image_id, a.ann_id, 'the first target', '—', 'yes', '1.000'],
      ['2', b.image_id, b.ann_id, '—', '—', 'yes', '0.000'],
    ])
    expect(await page.getAttribute('[data-testid=import-name]', 'placeholder')).toBe('oracle')

    await page.fill('[data-testid=import-name]', 'oracle-form')
    await page.click('[data-testid=import-submit]')
    await page.waitForSelector('[data-testid=import-dialog]', { state: 'detached' })
    // The app switched to the new run.
    await page.waitForFunction(() => {
      const s = document.querySelector<HTMLSelectElement>('[data-testid=run-select]')
      return s?.selectedOptions[0]?.textContent?.includes('oracle-form')
    })
    const run = project.db.prepare("SELECT id FROM runs WHERE name = 'oracle-form'").get() as {
      id: number
    }
    expect(
      project.db
        .prepare('SELECT sample_id, iou FROM predictions WHERE run_id = ? ORDER BY sample_id')
        .all(run.id),
    ).toEqual([
      { sample_id: a.id, iou: 1 },
      { sample_id: b.id, iou: 0 },
    ])
    await page.close()
  })

  it('uploads a dropped run file to the staging folder and previews it', async () => {
    const page = await browser.newPage()
    await page.goto(served.url)
    await page.click('[data-testid=import-run]')
    await page.waitForSelector('[data-testid=import-drop]')
    const [a] = samples
    const text = `${line(a, a.gt_rle)}\n`
    // A drop as the browser delivers it: a DataTransfer holding a File, built in the page.
    await page.evaluate((content) => {
      const dt = new DataTransfer()
      dt.items.add(new File([content], 'dropped run.jsonl', { type: 'application/jsonl' }))
      const zone = document.querySelector('[data-testid=import-drop]')!
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
    }, text)
    const staged = path.join(projectDir, 'imports', 'dropped run.jsonl')
    await page.waitForFunction(
      (p) => document.querySelector<HTMLInputElement>('[data-testid=import-path]')?.value === p,
      staged,
    )
    expect(fs.readFileSync(staged, 'utf8')).toBe(text)
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=import-preview-row]').length === 1,
    )
    expect(await cells(page)).toEqual([['1', a.image_id, a.ann_id, '—', '—', 'yes', '1.000']])
    await page.close()
  })

  it('imports a parquet dataset folder picked in the browser and lists it', async () => {
    const page = await browser.newPage()
    await page.goto(served.url)
    await page.click('[data-testid=import-dataset]')
    await page.waitForSelector('[data-testid=folder-entry][data-name=shapes]')
    expect(await page.isChecked('[data-testid=import-kind-dataset]')).toBe(true)
    expect(await page.textContent('[data-testid=folder-entry][data-name=shapes] .hint')).toBe('parquet')
    await page.click('[data-testid=folder-entry][data-name=shapes]')
    await page.waitForSelector('[data-testid=folder-entry][data-name=data]')
    await page.click('[data-testid=folder-use]')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=import-preview-row]').length === 2,
    )
    expect(await page.inputValue('[data-testid=import-path]')).toBe(path.join(root, 'shapes'))
    expect(await cells(page)).toEqual([
      ['q1', 'x', 'the left half', '12×5', '30'],
      ['q2', 'y', 'one column', '7×9', '9'],
    ])
    expect(await page.getAttribute('[data-testid=import-name]', 'placeholder')).toBe('shapes-val')
    await page.click('[data-testid=import-submit]')
    await page.waitForSelector('[data-testid=import-dialog]', { state: 'detached' })
    const ds = project.db.prepare("SELECT id, split FROM datasets WHERE name = 'shapes-val'").get() as {
      id: number
      split: string
    }
    expect(ds.split).toBe('val')
    // The app lists the new dataset's samples (no run selected).
    await page.waitForFunction(
      (v) => document.querySelector<HTMLSelectElement>('[data-testid=run-select]')?.value === v,
      `d${ds.id}`,
    )
    expect(
      project.db
        .prepare(
          'SELECT image_id, query, width, height, gt_area FROM samples WHERE dataset_id = ? ORDER BY id',
        )
        .all(ds.id),
    ).toEqual([
      { image_id: 'q1', query: 'the left half', width: 12, height: 5, gt_area: 30 },
      { image_id: 'q2', query: 'one column', width: 7, height: 9, gt_area: 9 },
    ])
    await page.close()
  })

  it('uploads a chosen dataset folder file by file (hidden and other files left out) and previews it', async () => {
    // A LISA folder on the user's side: one image, its labelme JSON (a rectangle (1,1)–(5,3): 5 x 3 = 15
    // pixels with the outline), and files the upload must skip.
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-local-'))
    const folder = path.join(local, 'lisa-drop')
    fs.mkdirSync(folder)
    fs.writeFileSync(path.join(folder, 'a.png'), await pngOfSize(8, 6))
    const rect = [
      [1, 1],
      [5, 1],
      [5, 3],
      [1, 3],
    ]
    fs.writeFileSync(
      path.join(folder, 'a.json'),
      JSON.stringify({
        text: ['the grey box'],
        is_sentence: false,
        shapes: [{ label: 'target', points: rect }],
      }),
    )
    fs.writeFileSync(path.join(folder, '.DS_Store'), 'x')
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'x')
    const page = await browser.newPage()
    try {
      await page.goto(served.url)
      await page.click('[data-testid=import-dataset]')
      await page.setInputFiles('[data-testid=import-folder-input]', folder)
      const staged = path.join(projectDir, 'imports', 'lisa-drop')
      await page.waitForFunction(
        (p) => document.querySelector<HTMLInputElement>('[data-testid=import-path]')?.value === p,
        staged,
      )
      expect(fs.readdirSync(staged).sort()).toEqual(['a.json', 'a.png'])
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=import-preview-row]').length === 1,
      )
      expect(await cells(page)).toEqual([['a', '0', 'the grey box', '8×6', '15']])
    } finally {
      await page.close()
      fs.rmSync(local, { recursive: true, force: true })
    }
  })

  it('on the desktop host, a dropped file or folder is read where it lies (its path, no upload)', async () => {
    // The renderer's Electron path in Chromium: a stand-in for the preload's bridge (src/preload/index.ts)
    // that forwards calls to this server and answers pathForFile as Electron's webUtils does: the file's
    // disk path, '' for one that has none.
    const page = await browser.newPage()
    const uploads: string[] = []
    page.on('request', (r) => r.url().includes('/upload') && uploads.push(r.url()))
    const paths = {
      'oracle.jsonl': path.join(root, 'runs', 'oracle.jsonl'),
      shapes: path.join(root, 'shapes'),
    }
    await page.addInitScript(
      ({ methods, paths }) => {
        const w = window as unknown as { api: unknown }
        w.api = {
          methods,
          invoke: (method: string, input: unknown) =>
            fetch(`/api/${method}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(input),
            }).then((r) => r.json()),
          subscribe: () => () => undefined,
          pathForFile: (f: File) => (paths as Record<string, string>)[f.name] ?? '',
        }
      },
      { methods: Object.keys(contract), paths },
    )
    const drop = (name: string) =>
      page.evaluate((n) => {
        const dt = new DataTransfer()
        dt.items.add(new File(['not read'], n))
        const zone = document.querySelector('[data-testid=import-drop]')!
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
      }, name)
    try {
      await page.goto(served.url)
      await page.waitForFunction(() => document.body.textContent?.includes('electron'))
      await page.click('[data-testid=import-run]')
      await page.waitForSelector('[data-testid=import-drop]')
      // Only the drop target: choosing files is the native dialog's job on the desktop.
      expect(await page.locator('[data-testid=import-file-input]').count()).toBe(0)

      await drop('oracle.jsonl')
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=import-preview-row]').length === 2,
      )
      expect(await page.inputValue('[data-testid=import-path]')).toBe(paths['oracle.jsonl'])
      const [a, b] = samples
      expect((await cells(page)).map((r) => [r[1], r[6]])).toEqual([
        [a.image_id, '1.000'],
        [b.image_id, '0.000'],
      ])

      // An item with no disk path is refused in the zone, and the path already chosen stays.
      await drop('from another app.jsonl')
      await page.waitForSelector('[data-testid=import-drop-status].error')
      expect(await page.textContent('[data-testid=import-drop-status]')).toContain('has no path')
      expect(await page.inputValue('[data-testid=import-path]')).toBe(paths['oracle.jsonl'])

      // A folder has a path as well: the dataset form previews the parquet folder in place.
      await page.click('[data-testid=import-kind-dataset]')
      await drop('shapes')
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=import-preview-row]').length === 2,
      )
      expect(await page.inputValue('[data-testid=import-path]')).toBe(paths.shapes)
      expect(uploads).toEqual([])
      expect(fs.existsSync(path.join(projectDir, 'imports', 'oracle.jsonl'))).toBe(false)
    } finally {
      await page.close()
    }
  })
})
