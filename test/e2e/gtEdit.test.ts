/**
 * Ground-truth editing in Chromium through the serve host: a polygon drawn in GT edit mode replaces the
 * sample's GT with exactly the rectangle it outlines (pixel-centre rule: an axis-aligned rectangle with
 * integer corners (x0, y0)–(x1, y1) covers columns x0..x1−1 and rows y0..y1−1, closed form), survives a
 * reload, can be undone after it, and `reseg metrics --gt corrected` differs from `--gt original` by
 * exactly that sample's change of I and U, computed here from the stored prediction with an independent
 * decoder. Authoring: an image added through the page, a query, a polygon, and the new sample listed with
 * its GT.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { encode } from 'fast-png'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, makeDemoProject, ROOT, startServe, type Served } from './harness'
import {
  canvasView,
  currentSample,
  decodeCoco,
  dist,
  grab,
  openApp,
  toPage,
  type Db,
} from './inspector.shared'

let browser: Browser
let demo: Served
let demoDir: string
let page: Page
/** What the polygon test stored, for the metrics test after it. */
let corrected: {
  id: number
  s: { width: number; height: number; gt_rle: string; ignore_rle: string | null }
  want: Uint8Array
  orig: Uint8Array
  ignore: Uint8Array | null
} | null = null

/** Turns GT edit mode on with its key and waits until the sample's GT has loaded into the panel. */
async function enterGtMode(p: Page): Promise<void> {
  await p.locator('body').click({ position: { x: 5, y: 795 } })
  await p.keyboard.press('e')
  await p.waitForSelector('[data-testid=gt-banner]')
  await p.waitForSelector('[data-testid=gt-tool-polygon]')
}

/**
 * Moves to the next sample with `j` in GT edit mode and waits until the banner names it. The app shows the
 * new sample once its details have loaded, so its id is waited for rather than read right after the key.
 */
async function nextSampleInGtMode(p: Page): Promise<number> {
  const from = await currentSample(p)
  await p.locator('body').click({ position: { x: 5, y: 795 } })
  await p.keyboard.press('j')
  await p.waitForFunction((f) => {
    const shown = document.querySelector('[data-testid=app]')?.getAttribute('data-sample-id')
    return !!shown && shown !== String(f)
  }, from)
  const id = await currentSample(p)
  await p.waitForFunction(
    (sid) => document.querySelector('[data-testid=gt-banner]')?.textContent?.includes(`sample #${sid}`),
    id,
  )
  return id
}

interface Revision {
  mask_rle: string
  revised: number
  cursor: number
}
const revision = (db: Db, id: number) =>
  db.prepare('SELECT mask_rle, revised, cursor FROM gt_revisions WHERE sample_id = ?').get(id) as
    Revision | undefined

/** Row-major mask of the pixels [x0, x1) × [y0, y1). */
function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(w * h)
  for (let y = y0; y < y1; y++) m.fill(1, y * w + x0, y * w + x1)
  return m
}

/** I and U of a prediction against a GT, ignore pixels excluded (the reference evaluation's rule). */
function iu(pred: Uint8Array | null, gt: Uint8Array, ignore: Uint8Array | null) {
  let i = 0
  let u = 0
  for (let k = 0; k < gt.length; k++) {
    if (ignore?.[k]) continue
    const p = pred?.[k] ?? 0
    if (p && gt[k]) i++
    if (p || gt[k]) u++
  }
  return { i, u }
}

interface MetricsJson {
  runs: {
    run: string
    gIoU: number
    samples: { image_id: string; ann_id: string; intersection: number; union: number }[]
  }[]
}
function metrics(which: 'original' | 'corrected'): MetricsJson {
  const out = execFileSync(
    process.execPath,
    [path.join(ROOT, 'bin/reseg.mjs'), 'metrics', '--project', demoDir, '--json', '--gt', which],
    { encoding: 'utf8', cwd: ROOT },
  )
  return JSON.parse(out) as MetricsJson
}

beforeAll(async () => {
  demoDir = await makeDemoProject({ images: 6 })
  demo = await startServe({ projectDir: demoDir })
  browser = await launchBrowser()
  page = await openApp(browser, demo.url)
})

afterAll(async () => {
  await browser?.close()
  await demo?.stop()
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true })
})

describe('correcting a GT by polygon', () => {
  it('replaces the GT with the drawn rectangle, keeps it after a reload, and undoes it after the reload', async () => {
    const db = demo.project.db
    const id = await currentSample(page)
    const s = db.prepare('SELECT width, height, gt_rle, ignore_rle FROM samples WHERE id = ?').get(id) as {
      width: number
      height: number
      gt_rle: string
      ignore_rle: string | null
    }
    await enterGtMode(page)
    expect(await page.textContent('[data-testid=gt-banner]')).toContain(`sample #${id}`)
    await page.click('[data-testid=gt-tool-polygon]')
    await page.locator('.gt-modes label', { hasText: 'replace' }).locator('input').check()
    // Zoomed in, one image pixel is several screen pixels: a click lands well within half a pixel.
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    for (let k = 0; k < 4; k++) await page.keyboard.press('+')
    await page.waitForTimeout(200)
    const v = await canvasView(page)
    expect(v.scale).toBeGreaterThan(2)
    const cx = Math.floor(s.width / 2)
    const cy = Math.floor(s.height / 2)
    const [x0, y0, x1, y1] = [cx - 12, cy - 7, cx + 15, cy + 9]
    const corners: [number, number][] = [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ]
    for (const [x, y] of corners) {
      const q = toPage(v, x, y)
      await page.mouse.click(q.x, q.y)
    }
    // Clicking the first vertex again closes and fills the polygon.
    const first = toPage(v, x0, y0)
    await page.mouse.click(first.x, first.y)
    await expect.poll(() => revision(db, id)?.revised ?? 0, { timeout: 10_000 }).toBe(1)

    // The stored op carries the clicked vertices; each is within half a pixel of the intended corner,
    // so the pixel-centre rule fills exactly the integer rectangle.
    const cmd = db
      .prepare('SELECT op_json FROM gt_commands WHERE sample_id = ? ORDER BY seq DESC')
      .get(id) as {
      op_json: string
    }
    const op = JSON.parse(cmd.op_json) as { kind: string; points: [number, number][]; mode: string }
    expect(op.kind).toBe('polygon')
    expect(op.mode).toBe('replace')
    expect(op.points).toHaveLength(4)
    op.points.forEach(([x, y], k) => {
      expect(Math.abs(x - corners[k][0])).toBeLessThan(0.45)
      expect(Math.abs(y - corners[k][1])).toBeLessThan(0.45)
    })
    const want = rectMask(s.width, s.height, x0, y0, x1, y1)
    const stored = decodeCoco(revision(db, id)!.mask_rle, s.height, s.width)
    expect(stored.reduce((a, b) => a + b, 0)).toBe((x1 - x0) * (y1 - y0))
    expect(Buffer.from(stored).equals(Buffer.from(want))).toBe(true)
    await expect
      .poll(() => page.textContent('[data-testid=gt-panel]'))
      .toContain(`${(x1 - x0) * (y1 - y0)} px`)

    // Reload: the corrected GT is still there, and undo (a key) goes back to the original.
    await page.reload()
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${id}"]`)
    await enterGtMode(page)
    await expect.poll(() => page.textContent('[data-testid=gt-panel]')).toContain('corrected')
    await expect
      .poll(() => page.textContent('[data-testid=gt-panel]'))
      .toContain(`${(x1 - x0) * (y1 - y0)} px`)
    await page.keyboard.press('Control+z')
    await expect.poll(() => revision(db, id)?.cursor, { timeout: 10_000 }).toBe(0)
    const origArea = (db.prepare('SELECT gt_area FROM samples WHERE id = ?').get(id) as { gt_area: number })
      .gt_area
    await expect.poll(() => page.textContent('[data-testid=gt-panel]')).toContain(`${origArea} px`)
    expect(revision(db, id)?.revised).toBe(0)
    // Redo brings the rectangle back (for the metrics below).
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => revision(db, id)?.revised, { timeout: 10_000 }).toBe(1)

    const orig = decodeCoco(s.gt_rle, s.height, s.width)
    const ignore = s.ignore_rle ? decodeCoco(s.ignore_rle, s.height, s.width) : null
    // A real correction: the rectangle is not the imported mask.
    expect(Buffer.from(orig).equals(Buffer.from(want))).toBe(false)

    // The GT switch beside the sample's metrics scores the selected run against the corrected GT.
    const runId = Number(await page.inputValue('[data-testid=run-select]'))
    const p = db
      .prepare('SELECT mask_rle FROM predictions WHERE run_id = ? AND sample_id = ?')
      .get(runId, id) as { mask_rle: string | null } | undefined
    const after = iu(p?.mask_rle ? decodeCoco(p.mask_rle, s.height, s.width) : null, want, ignore)
    await page.click('[data-testid=gt-switch-corrected]')
    await expect
      .poll(() => page.textContent('[data-testid=pred-iou-corrected]'))
      .toBe(`IoU ${(after.u === 0 ? 0 : after.i / after.u).toFixed(3)}`)
    await page.click('[data-testid=gt-switch-original]')
    corrected = { id, s, want, orig, ignore }
  })

  it("makes `reseg metrics --gt corrected` differ from `--gt original` by exactly that sample's I and U", () => {
    expect(corrected).not.toBeNull()
    const { id, s, want, orig, ignore } = corrected!
    const db = demo.project.db
    // `reseg metrics --gt corrected` minus `--gt original`: only this sample changes, by exactly the
    // I and U of its prediction against the rectangle instead of the imported mask.
    const sample = db.prepare('SELECT image_id, ann_id FROM samples WHERE id = ?').get(id) as {
      image_id: string
      ann_id: string
    }
    const a = metrics('original')
    const b = metrics('corrected')
    expect(b.runs.map((r) => r.run)).toEqual(a.runs.map((r) => r.run))
    expect(a.runs.length).toBeGreaterThan(0)
    for (const [k, ra] of a.runs.entries()) {
      const rb = b.runs[k]
      const run = db.prepare('SELECT id FROM runs WHERE name = ?').get(ra.run) as { id: number }
      const p = db
        .prepare('SELECT mask_rle FROM predictions WHERE run_id = ? AND sample_id = ?')
        .get(run.id, id) as { mask_rle: string | null } | undefined
      const pred = p?.mask_rle ? decodeCoco(p.mask_rle, s.height, s.width) : null
      const before = iu(pred, orig, ignore)
      const after = iu(pred, want, ignore)
      const sum = (r: MetricsJson['runs'][number]) =>
        r.samples.reduce((t, x) => ({ i: t.i + x.intersection, u: t.u + x.union }), { i: 0, u: 0 })
      const [sa, sb] = [sum(ra), sum(rb)]
      expect(sb.i - sa.i, ra.run).toBe(after.i - before.i)
      expect(sb.u - sa.u, ra.run).toBe(after.u - before.u)
      const row = (r: MetricsJson['runs'][number]) =>
        r.samples.find((x) => x.image_id === sample.image_id && x.ann_id === sample.ann_id)!
      expect(row(ra)).toMatchObject({ intersection: before.i, union: before.u })
      expect(row(rb)).toMatchObject({ intersection: after.i, union: after.u })
    }
  })
})

/** Pixels whose centre lies within r of the polyline (discs at the points, capsules between), by brute force. */
function strokeMask(w: number, h: number, pts: [number, number][], r: number): Uint8Array {
  const m = new Uint8Array(w * h)
  const segs = pts.length === 1 ? [[pts[0], pts[0]]] : pts.slice(1).map((p, k) => [pts[k], p])
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const px = x + 0.5
      const py = y + 0.5
      for (const [a, b] of segs) {
        const dx = b[0] - a[0]
        const dy = b[1] - a[1]
        const l2 = dx * dx + dy * dy
        const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / l2))
        if ((px - a[0] - t * dx) ** 2 + (py - a[1] - t * dy) ** 2 <= r * r) {
          m[y * w + x] = 1
          break
        }
      }
    }
  return m
}

describe('analysis with the GT switch', () => {
  it('scores the run against the corrected GT when the switch says so, and says which GT it used', async () => {
    expect(corrected).not.toBeNull()
    const runId = Number(await page.inputValue('[data-testid=run-select]'))
    const name = (
      demo.project.db.prepare('SELECT name FROM runs WHERE id = ?').get(runId) as { name: string }
    ).name
    // One `reseg metrics` per GT (each is a CLI run of a few seconds).
    const [original, revised] = (['original', 'corrected'] as const).map(
      (w) => metrics(w).runs.find((r) => r.run === name)!.gIoU,
    )
    await page.click('[data-testid=tab-analysis]')
    await page.click('[data-testid=gt-switch-corrected]')
    await expect
      .poll(() => page.textContent('[data-testid=analysis-gt]'), { timeout: 20_000 })
      .toMatch(/corrected/i)
    // Waited for as long as the switch back below: the CLI runs above no longer give the view that time.
    await expect
      .poll(() => page.locator('[data-metric="gIoU"]').first().textContent(), { timeout: 20_000 })
      .toBe(revised.toFixed(4))
    await page.click('[data-testid=gt-switch-original]')
    await expect
      .poll(() => page.locator('[data-metric="gIoU"]').first().textContent(), { timeout: 20_000 })
      .toBe(original.toFixed(4))
    expect(original).not.toBe(revised)
    await page.click('nav.tabs button:has-text("Inspect")')
    await page.waitForSelector('[data-testid=gt-banner]')
  })
})

describe('brush', () => {
  it('previews the stroke locally while dragging and stores it as ONE command: GT ∪ the stroke', async () => {
    const db = demo.project.db
    const id = await nextSampleInGtMode(page)
    await page.click('[data-testid=gt-tool-brush]')
    const radius = Number(await page.textContent('[data-testid=gt-radius]'))
    expect(radius).toBeGreaterThan(0)
    const s = db.prepare('SELECT width, height, gt_rle FROM samples WHERE id = ?').get(id) as {
      width: number
      height: number
      gt_rle: string
    }
    const count = () =>
      (db.prepare('SELECT COUNT(*) AS n FROM gt_commands WHERE sample_id = ?').get(id) as { n: number }).n
    expect(count()).toBe(0)
    await page.waitForTimeout(300)
    const v = await canvasView(page)
    const a = toPage(v, s.width * 0.2, s.height * 0.3)
    const b = toPage(v, s.width * 0.6, s.height * 0.35)
    const mid = toPage(v, s.width * 0.4, s.height * 0.325)
    const before = await grab(page)
    await page.mouse.move(a.x, a.y)
    await page.mouse.down()
    await page.mouse.move(b.x, b.y, { steps: 12 })
    // Mid-stroke: painted on screen, nothing stored yet.
    const during = await grab(page)
    expect(dist(during(mid.x, mid.y), before(mid.x, mid.y))).toBeGreaterThan(30)
    expect(count()).toBe(0)
    await page.mouse.up()
    await expect.poll(count, { timeout: 10_000 }).toBe(1)
    const cmd = db.prepare('SELECT op_json FROM gt_commands WHERE sample_id = ?').get(id) as {
      op_json: string
    }
    const op = JSON.parse(cmd.op_json) as {
      kind: string
      points: [number, number][]
      radius: number
      erase: boolean
    }
    expect(op).toMatchObject({ kind: 'brush', radius, erase: false })
    expect(op.points.length).toBeGreaterThan(5)
    const orig = decodeCoco(s.gt_rle, s.height, s.width)
    const stroke = strokeMask(s.width, s.height, op.points, op.radius)
    const want = orig.map((g, k) => g | stroke[k])
    await expect.poll(() => revision(db, id)?.revised, { timeout: 10_000 }).toBe(1)
    const stored = decodeCoco(revision(db, id)!.mask_rle, s.height, s.width)
    expect(Buffer.from(stored).equals(Buffer.from(want))).toBe(true)

    // The eraser takes the same path with erase = true: the stored mask loses exactly its capsules.
    await page.click('[data-testid=gt-tool-eraser]')
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.keyboard.press(']')
    const r2 = Number(await page.textContent('[data-testid=gt-radius]'))
    expect(r2).toBeGreaterThan(radius)
    const c = toPage(v, s.width * 0.3, s.height * 0.2)
    const d = toPage(v, s.width * 0.45, s.height * 0.45)
    await page.mouse.move(c.x, c.y)
    await page.mouse.down()
    await page.mouse.move(d.x, d.y, { steps: 8 })
    await page.mouse.up()
    await expect.poll(count, { timeout: 10_000 }).toBe(2)
    const erase = JSON.parse(
      (
        db.prepare('SELECT op_json FROM gt_commands WHERE sample_id = ? ORDER BY seq DESC').get(id) as {
          op_json: string
        }
      ).op_json,
    ) as { kind: string; points: [number, number][]; radius: number; erase: boolean }
    expect(erase).toMatchObject({ kind: 'brush', radius: r2, erase: true })
    const cut = strokeMask(s.width, s.height, erase.points, erase.radius)
    const want2 = want.map((g, k) => g & (cut[k] ^ 1))
    await expect
      .poll(() =>
        Buffer.from(decodeCoco(revision(db, id)!.mask_rle, s.height, s.width)).equals(Buffer.from(want2)),
      )
      .toBe(true)
  })
})

describe('segmenter-assisted', () => {
  it('turns a box into a mask from the current model and replaces the object with it (Enter applies)', async () => {
    const db = demo.project.db
    const id = await nextSampleInGtMode(page)
    await page.click('[data-testid=gt-tool-segment]')
    await page.locator('.gt-modes label', { hasText: 'replace' }).locator('input').check()
    const s = db.prepare('SELECT width, height FROM samples WHERE id = ?').get(id) as {
      width: number
      height: number
    }
    await page.waitForTimeout(300)
    const v = await canvasView(page)
    const box = [s.width * 0.25, s.height * 0.25, s.width * 0.75, s.height * 0.75]
    const a = toPage(v, box[0], box[1])
    const b = toPage(v, box[2], box[3])
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.keyboard.down('b')
    await page.mouse.move(a.x, a.y)
    await page.mouse.down()
    await page.mouse.move(b.x, b.y, { steps: 8 })
    await page.mouse.up()
    await page.keyboard.up('b')
    await page.keyboard.press('Enter')
    // The first segmentation also starts the engine (GrabCut's WebAssembly worker).
    await expect
      .poll(
        () =>
          (db.prepare('SELECT COUNT(*) AS n FROM gt_commands WHERE sample_id = ?').get(id) as { n: number })
            .n,
        {
          timeout: 90_000,
        },
      )
      .toBe(1)
    const op = JSON.parse(
      (db.prepare('SELECT op_json FROM gt_commands WHERE sample_id = ?').get(id) as { op_json: string })
        .op_json,
    ) as { kind: string; mode: string; mask: { counts: string }; segment: { prompt: { box: number[] } } }
    expect(op.kind).toBe('mask')
    expect(op.mode).toBe('replace')
    op.segment.prompt.box.forEach((c, k) => expect(Math.abs(c - box[k])).toBeLessThan(1))
    const mask = decodeCoco(op.mask.counts, s.height, s.width)
    expect(mask.reduce((t, x) => t + x, 0)).toBeGreaterThan(0)
    // Replace: the sample's GT is now exactly the model's mask.
    await expect.poll(() => revision(db, id)?.mask_rle, { timeout: 10_000 }).toBeDefined()
    const stored = decodeCoco(revision(db, id)!.mask_rle, s.height, s.width)
    expect(Buffer.from(stored).equals(Buffer.from(mask))).toBe(true)
  })
})

describe('authoring', () => {
  it('adds an image by drag-and-drop with two queries, refuses a non-image, an undecodable image and an empty query inline, and draws the target', async () => {
    const db = demo.project.db
    const W = 64
    const H = 48
    const rgb = new Uint8Array(W * H * 3)
    for (let i = 0; i < W * H; i++) rgb.set([(i * 7) % 256, 90, 200], i * 3)
    const png = Buffer.from(encode({ width: W, height: H, data: rgb, channels: 3 }))
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-author-'))
    const txt = path.join(tmp, 'notes.txt')
    fs.writeFileSync(txt, 'not an image')

    await page.click('[data-testid=add-images-button]')
    await page.waitForSelector('[data-testid=add-images]')
    await page.locator('[data-testid=add-images] label', { hasText: 'new dataset' }).locator('input').check()
    await page.fill('[data-testid=author-new-dataset]', 'hard-cases')
    await page.fill('[data-testid=author-split]', 'test')
    // The image is dropped; the text file is picked with the file chooser.
    await page.evaluate(
      ({ b64, name }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
        const dt = new DataTransfer()
        dt.items.add(new File([bytes], name, { type: 'image/png' }))
        // Claims to be a PNG but does not decode: only the backend can tell.
        dt.items.add(
          new File([new TextEncoder().encode('not really a png')], 'broken.png', { type: 'image/png' }),
        )
        const zone = document.querySelector('[data-testid=author-dropzone]')!
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
      },
      { b64: png.toString('base64'), name: 'kitchen.png' },
    )
    await page.setInputFiles('[data-testid=author-files]', txt)
    await expect.poll(() => page.locator('[data-testid=author-image]').count()).toBe(3)
    expect(await page.textContent('[data-testid=author-image-error]')).toBe(
      'notes.txt is not an image (text/plain)',
    )

    // An empty query is refused beside it, and nothing is stored.
    const samplesBefore = (db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n
    await page.click('[data-testid=author-submit]')
    await expect.poll(() => page.textContent('[data-testid=author-query-error]')).toMatch(/query is empty/)
    expect((db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n).toBe(samplesBefore)

    const kitchen = page.locator('[data-testid=author-image]', { hasText: 'kitchen.png' })
    const broken = page.locator('[data-testid=author-image]', { hasText: 'broken.png' })
    await kitchen.locator('[data-testid=author-query]').first().fill('the striped tile')
    await kitchen.locator('[data-testid=author-add-query]').click()
    await kitchen.locator('[data-testid=author-query]').nth(1).fill('What could you put a hot pan on?')
    expect(await kitchen.locator('[data-testid=author-sentence]').nth(0).isChecked()).toBe(false)
    expect(await kitchen.locator('[data-testid=author-sentence]').nth(1).isChecked()).toBe(true)
    await broken.locator('[data-testid=author-query]').fill('the cat')
    await page.click('[data-testid=author-submit]')
    // The image that does not decode is refused beside it; the good one is added all the same.
    await expect
      .poll(() => broken.locator('[data-testid=author-image-error]').textContent())
      .toMatch(/broken\.png/)
    await expect.poll(() => kitchen.textContent()).toContain('added')
    await page.click('[data-testid=author-open-added]')
    await page.waitForSelector('[data-testid=add-images]', { state: 'detached' })

    const added = db
      .prepare(
        `SELECT s.id, s.query, s.is_sentence, s.width, s.height, s.gt_area FROM samples s
         JOIN datasets d ON d.id = s.dataset_id WHERE d.name = 'hard-cases' AND d.split = 'test' ORDER BY s.id`,
      )
      .all() as {
      id: number
      query: string
      is_sentence: number
      width: number
      height: number
      gt_area: number
    }[]
    expect(added.map((r) => [r.query, r.is_sentence, r.width, r.height, r.gt_area])).toEqual([
      ['the striped tile', 0, W, H, 0],
      ['What could you put a hot pan on?', 1, W, H, 0],
    ])
    // The list shows exactly the new samples, the first one open in GT edit mode.
    await expect.poll(() => page.locator('[data-testid=row][data-sample-id]').count()).toBe(2)
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${added[0].id}"]`)
    await page.waitForSelector('[data-testid=gt-banner]')
    // The panel loads the GT state after the banner appears: wait for it rather than read it once.
    await expect.poll(() => page.textContent('[data-testid=gt-panel]')).toContain('No target')

    // Draw the target: a rectangle polygon, closed with Enter; the new object holds exactly its pixels.
    await page.click('[data-testid=gt-tool-polygon]')
    await page.locator('.gt-modes label', { hasText: 'add' }).locator('input').check()
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.waitForTimeout(300)
    const v = await canvasView(page)
    const [x0, y0, x1, y1] = [10, 8, 41, 30]
    for (const [x, y] of [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ]) {
      const q = toPage(v, x, y)
      await page.mouse.click(q.x, q.y)
    }
    await page.keyboard.press('Enter')
    const id = added[0].id
    // An authored sample has no imported GT to keep: the drawn target becomes its GT.
    const gtOf = () =>
      db.prepare('SELECT gt_rle, gt_area FROM samples WHERE id = ?').get(id) as {
        gt_rle: string
        gt_area: number
      }
    await expect.poll(() => gtOf().gt_area, { timeout: 10_000 }).toBe((x1 - x0) * (y1 - y0))
    const stored = decodeCoco(gtOf().gt_rle, H, W)
    expect(Buffer.from(stored).equals(Buffer.from(rectMask(W, H, x0, y0, x1, y1)))).toBe(true)
    await expect
      .poll(() => page.textContent('[data-testid=gt-panel]'))
      .toContain(`${(x1 - x0) * (y1 - y0)} px`)

    // Listed with its GT: out of edit mode the GT layer tints the rectangle and not the pixels around it.
    await page.click('[data-testid=gt-leave]')
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.waitForTimeout(400)
    const on = await grab(page)
    await page.keyboard.press('g')
    await page.waitForTimeout(300)
    const off = await grab(page)
    await page.keyboard.press('g')
    const at = (x: number, y: number) => toPage(v, x + 0.5, y + 0.5)
    const inside = at((x0 + x1) / 2, (y0 + y1) / 2)
    const outside = at(x1 + 5, y1 + 5)
    expect(dist(on(inside.x, inside.y), off(inside.x, inside.y))).toBeGreaterThan(40)
    expect(dist(on(outside.x, outside.y), off(outside.x, outside.y))).toBeLessThan(3)
    expect(await page.textContent(`[data-testid=row][data-sample-id="${id}"]`)).toContain('the striped tile')
    fs.rmSync(tmp, { recursive: true, force: true })
  })
})

describe('GT panel commands', () => {
  it('fills holes, removes specks, paints the ignore region, hides / adds / deletes objects, edits a polygon with Esc / Backspace, keeps a reason and a flag', async () => {
    const db = demo.project.db
    const sample = db
      .prepare("SELECT id, width, height FROM samples WHERE query = 'What could you put a hot pan on?'")
      .get() as { id: number; width: number; height: number }
    const { id, width: W, height: H } = sample
    await page.click(`[data-testid=row][data-sample-id="${id}"]`)
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${id}"]`)
    await enterGtMode(page)
    await page.click('[data-testid=gt-tool-polygon]')
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.waitForTimeout(300)
    const v = await canvasView(page)
    const commands = () =>
      (db.prepare('SELECT COUNT(*) AS n FROM gt_commands WHERE sample_id = ?').get(id) as { n: number }).n
    const rev = () =>
      db
        .prepare('SELECT mask_rle, ignore_rle, reason, tag_id FROM gt_revisions WHERE sample_id = ?')
        .get(id) as
        | { mask_rle: string; ignore_rle: string | null; reason: string | null; tag_id: number | null }
        | undefined
    const mask = () => decodeCoco(rev()!.mask_rle, H, W)
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))
    const union = (...ms: Uint8Array[]) => ms.reduce((acc, m) => acc.map((x, k) => x | m[k]))
    const minus = (a: Uint8Array, b: Uint8Array) => a.map((x, k) => x & (b[k] ^ 1))
    /** Draws a rectangle polygon in a combine mode and waits for its command. */
    const rect = async (mode: 'add' | 'subtract', x0: number, y0: number, x1: number, y1: number) => {
      const n = commands()
      await page.locator('.gt-modes label', { hasText: mode }).locator('input').check()
      for (const [x, y] of [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
      ]) {
        const q = toPage(v, x, y)
        await page.mouse.click(q.x, q.y)
      }
      await page.keyboard.press('Enter')
      await expect.poll(commands, { timeout: 10_000 }).toBe(n + 1)
    }
    const outer = rectMask(W, H, 8, 6, 40, 36)
    const hole = rectMask(W, H, 16, 14, 28, 26)
    const speck = rectMask(W, H, 50, 40, 52, 42)
    await rect('add', 8, 6, 40, 36)
    await rect('subtract', 16, 14, 28, 26)
    await rect('add', 50, 40, 52, 42)
    expect(same(mask(), union(minus(outer, hole), speck))).toBe(true)

    let n = commands()
    await page.click('[data-testid=gt-fill-holes]')
    await expect.poll(commands).toBe(n + 1)
    expect(same(mask(), union(outer, speck))).toBe(true)

    n = commands()
    await page.fill('[data-testid=gt-speck-size]', '5')
    await page.click('[data-testid=gt-remove-specks]')
    await expect.poll(commands).toBe(n + 1)
    expect(same(mask(), outer)).toBe(true)

    // The ignore region is its own target; the objects are untouched by painting it.
    await page.locator('[data-testid=gt-object-ignore] input').check()
    await page.click('[data-testid=gt-tool-polygon]')
    await rect('add', 44, 4, 60, 20)
    expect(same(decodeCoco(rev()!.ignore_rle!, H, W), rectMask(W, H, 44, 4, 60, 20))).toBe(true)
    expect(same(mask(), outer)).toBe(true)

    // Hiding is view-only: the object's pixels lose their tint, and nothing is stored.
    const objId = (
      db.prepare('SELECT obj_id FROM gt_objects WHERE sample_id = ?').get(id) as { obj_id: number }
    ).obj_id
    n = commands()
    const inside = toPage(v, 12.5, 10.5)
    const shown = await grab(page)
    await page.click(`[data-testid=gt-hide-${objId}]`)
    await page.waitForTimeout(300)
    const hidden = await grab(page)
    expect(dist(shown(inside.x, inside.y), hidden(inside.x, inside.y))).toBeGreaterThan(30)
    expect(commands()).toBe(n)
    await page.click(`[data-testid=gt-hide-${objId}]`)

    const objects = () =>
      (db.prepare('SELECT COUNT(*) AS n FROM gt_objects WHERE sample_id = ?').get(id) as { n: number }).n
    await page.click('[data-testid=gt-add-object]')
    await expect.poll(objects).toBe(2)
    const second = (
      db.prepare('SELECT obj_id FROM gt_objects WHERE sample_id = ? ORDER BY obj_id DESC').get(id) as {
        obj_id: number
      }
    ).obj_id
    await page.click(`[data-testid=gt-delete-${second}]`)
    await expect.poll(objects).toBe(1)

    // Esc drops a polygon in progress; Backspace takes back a vertex, and fewer than 3 are refused with a message.
    await page.locator('[data-testid=gt-object-ignore] input').check()
    await page.click('[data-testid=gt-tool-polygon]')
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    n = commands()
    const click = async (x: number, y: number) => {
      const q = toPage(v, x, y)
      await page.mouse.click(q.x, q.y)
    }
    await click(2, 40)
    await click(6, 40)
    await page.keyboard.press('Escape')
    await click(3, 44)
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.textContent('[data-testid=gt-error]'))
      .toBe('A polygon needs at least 3 vertices (it has 1); keep clicking or press Esc.')
    await page.keyboard.press('Escape')
    await click(2, 40)
    await click(6, 40)
    await click(6, 46)
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.textContent('[data-testid=gt-error]'))
      .toBe('A polygon needs at least 3 vertices (it has 2); keep clicking or press Esc.')
    await page.keyboard.press('Escape')
    await page.waitForTimeout(300)
    expect(commands()).toBe(n)

    // Why it was corrected (text + the failure tag it came from), and a flag with its reason.
    const tag = db.prepare('SELECT id, name FROM tags ORDER BY id').get() as { id: number; name: string }
    await page.fill('[data-testid=gt-reason]', 'mask bled into the table')
    await page.selectOption('[data-testid=gt-reason-tag]', String(tag.id))
    await page.click('[data-testid=gt-save-reason]')
    await expect.poll(() => rev()?.reason).toBe('mask bled into the table')
    expect(rev()?.tag_id).toBe(tag.id)
    await page.selectOption('[data-testid=gt-flag-kind]', 'ambiguous')
    await page.fill('[data-testid=gt-flag-reason]', 'two pans')
    await page.click('[data-testid=gt-flag-button]')
    const flag = () => db.prepare('SELECT kind, reason FROM sample_flags WHERE sample_id = ?').get(id)
    await expect.poll(flag).toEqual({ kind: 'ambiguous', reason: 'two pans' })
    await expect.poll(() => page.textContent('[data-testid=gt-flag]')).toBe('flagged ambiguous: two pans')
    await page.click('[data-testid=gt-unflag]')
    await expect.poll(flag).toBeUndefined()
  })
})
