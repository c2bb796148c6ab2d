/**
 * The inspector in Chromium through the serve host: overlays tint exactly the GT pixels, the keyboard
 * moves through the list, editing the box / adding a negative point re-segments with the engine (the
 * GrabCut baseline) and shows the IoU an independent decoder computes from the stored mask, undo brings
 * the previous mask back, tags survive a reload, the IoU filter lists exactly the fixture's samples, and
 * a 100,000-sample project scrolls with its visible rows rendered.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBrowseProject, type BrowseSampleSpec } from '../fixtures/browseProject'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'
import {
  canvasView,
  currentSample,
  decodeCoco,
  dist,
  grab,
  interiorPixels,
  iouOf,
  openApp,
  toPage,
  type Db,
} from './inspector.shared'

let browser: Browser
let demo: Served
let demoDir: string
let page: Page

const CYAN = [0, 209, 255]
const YELLOW = [255, 214, 10]
const ORANGE = [255, 140, 0]

const liveIou = (p: Page) => p.textContent('[data-testid=live-iou]')
/** Waits until the app shows sample `id`. */
const shows = (p: Page, id: number) =>
  p.waitForSelector(`[data-testid=app][data-sample-id="${id}"]`, { state: 'attached' })
/** The ids of the list's rendered rows, in order. */
const listedIds = (p: Page) =>
  p.$$eval('[data-testid=row][data-sample-id]', (els) =>
    els.map((e) => Number(e.getAttribute('data-sample-id'))),
  )

/** Selects a sample by clicking its row and waits until the canvas shows it with its image. */
async function showSample(p: Page, id: number): Promise<void> {
  await p.click(`[data-testid=row][data-sample-id="${id}"]`)
  await p.waitForSelector(`[data-testid=canvas][data-sample-id="${id}"]`)
  await p.waitForTimeout(300)
}

type OverlayKey = 'gt' | 'pred' | 'live' | 'compare' | 'diff' | 'contour'

async function setOverlays(
  p: Page,
  want: Record<Exclude<OverlayKey, 'compare'>, boolean> & { compare?: boolean },
) {
  for (const [k, v] of Object.entries(want)) {
    const box = p.locator(`[data-testid=toggle-${k}] input`)
    if ((await box.isChecked()) !== v) await box.click()
  }
  await p.locator('body').click({ position: { x: 5, y: 795 } })
  await p.waitForTimeout(150)
}

interface SampleRec {
  id: number
  width: number
  height: number
  gt_rle: string
}
const sampleRec = (db: Db, id: number) =>
  db.prepare('SELECT * FROM samples WHERE id = ?').get(id) as SampleRec
const lastEdit = (db: Db) =>
  db.prepare('SELECT * FROM prompt_edits ORDER BY id DESC LIMIT 1').get() as
    { id: number; prompts_json: string; mask_rle: string; iou: number } | undefined

async function waitForEdit(
  p: Page,
  db: Db,
  after: number,
): Promise<{ id: number; prompts_json: string; mask_rle: string; iou: number }> {
  // The first call also starts the engine (GrabCut's WebAssembly worker), which takes a while on a busy machine.
  for (let i = 0; i < 900; i++) {
    const e = lastEdit(db)
    if (e && e.id > after && (await p.locator('[data-testid=segmenting]').count()) === 0) {
      await p.waitForFunction(
        (want) => document.querySelector('[data-testid=live-iou]')?.textContent === want,
        e.iou.toFixed(3),
      )
      return e
    }
    await p.waitForTimeout(100)
  }
  const shown = await p
    .locator('[data-testid=edit-error]')
    .textContent({ timeout: 100 })
    .catch(() => null)
  throw new Error(`no new prompt edit was stored${shown ? `; the inspector shows: ${shown}` : ''}`)
}

beforeAll(async () => {
  demoDir = await makeDemoProject({ images: 8 })
  demo = await startServe({ projectDir: demoDir })
  browser = await launchBrowser()
  page = await openApp(browser, demo.url)
})

afterAll(async () => {
  await browser?.close()
  await demo?.stop()
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true })
})

describe('first screen', () => {
  it('tints pixels inside the GT mask and leaves pixels outside it untouched', async () => {
    const id = await currentSample(page)
    const s = sampleRec(demo.project.db, id)
    const gt = decodeCoco(s.gt_rle, s.height, s.width)
    await setOverlays(page, { gt: false, pred: false, live: false, diff: false, contour: false })
    const v = await canvasView(page)
    const off = await grab(page)
    await setOverlays(page, { gt: true, pred: false, live: false, diff: false, contour: false })
    const on = await grab(page)
    const inside = interiorPixels(gt, s.width, s.height, 1)
    const outside = interiorPixels(gt, s.width, s.height, 0)
    expect(inside.length).toBeGreaterThan(5)
    for (const q of [inside[0], inside[Math.floor(inside.length / 2)], inside[inside.length - 1]]) {
      const at = toPage(v, q.x + 0.5, q.y + 0.5)
      const a = off(at.x, at.y)
      const b = on(at.x, at.y)
      // Half-opacity yellow over the image: moved towards yellow by about half the distance.
      expect(dist(b, YELLOW)).toBeLessThan(dist(a, YELLOW) * 0.7)
    }
    // Probes away from the legend, which floats over the canvas' top-left corner and changes with the toggles.
    const legend = (await page.locator('[data-testid=legend]').boundingBox())!
    const clear = outside.filter((q) => {
      const at = toPage(v, q.x + 0.5, q.y + 0.5)
      return at.y > legend.y + legend.height + 2 || at.x > legend.x + legend.width + 2
    })
    expect(clear.length).toBeGreaterThan(5)
    for (const q of [clear[0], clear[Math.floor(clear.length / 3)], clear[clear.length - 1]]) {
      const at = toPage(v, q.x + 0.5, q.y + 0.5)
      expect(dist(off(at.x, at.y), on(at.x, at.y))).toBeLessThan(3)
    }
  })

  it('names the GrabCut baseline and its execution provider in the status bar, and offers it in the picker', async () => {
    const status = '[data-testid=engine-status]'
    await expect
      .poll(() => page.textContent(status), { timeout: 30_000 })
      .toBe('GrabCut baseline (not SAM) · wasm')
    const options = await page.$$eval('[data-testid=model-select] option', (els) =>
      els.map((e) => [(e as HTMLOptionElement).value, e.textContent]),
    )
    expect(options).toContainEqual(['grabcut-baseline', 'GrabCut baseline (not SAM) · wasm'])
    expect(options.every(([, text]) => !/^GrabCut/.test(text ?? '') || /not SAM/.test(text ?? ''))).toBe(true)
    await page.selectOption('[data-testid=model-select]', 'grabcut-baseline')
    await page.waitForTimeout(200)
    expect(await page.locator('[data-testid=engine-error]').count()).toBe(0)
    expect(await page.textContent(status)).toBe('GrabCut baseline (not SAM) · wasm')
    await page.locator('body').click({ position: { x: 5, y: 795 } })
  })

  it('moves through the list with j/k and the arrow keys', async () => {
    const rows = await listedIds(page)
    await page.keyboard.press('Home')
    await shows(page, rows[0])
    await page.keyboard.press('j')
    await shows(page, rows[1])
    await page.keyboard.press('ArrowDown')
    await shows(page, rows[2])
    await page.keyboard.press('k')
    await shows(page, rows[1])
    expect(await page.textContent('[data-testid=position]')).toBe(
      `2 / ${await page.getAttribute('[data-testid=sample-list]', 'data-total')}`,
    )
  })

  it('holding j loads the secondary panels only for the sample it stops on', async () => {
    const rows = await listedIds(page)
    await page.keyboard.press('Home')
    await shows(page, rows[0])
    await page.waitForTimeout(400)
    const asked: { method: string; sampleId: number }[] = []
    const onRequest = (r: import('playwright-core').Request) => {
      const m = /\/api\/(prepareSample|getRolloutGroup|listVariants|getNote)$/.exec(r.url())
      if (m)
        asked.push({
          method: m[1],
          sampleId: (JSON.parse(r.postData() ?? '{}') as { sampleId: number }).sampleId,
        })
    }
    page.on('request', onRequest)
    // Four presses a frame apart: faster than the settle delay, as when the key is held.
    await page.evaluate(async () => {
      for (let i = 0; i < 4; i++) {
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'j' }))
        await new Promise((r) => requestAnimationFrame(r))
      }
    })
    await shows(page, rows[4])
    await page.waitForTimeout(600)
    page.off('request', onRequest)
    const of = (method: string) => asked.filter((a) => a.method === method).map((a) => a.sampleId)
    // The note is part of the first glance: asked for each sample shown. The warm-up, the rollout group
    // and the re-ask panel's variants wait until the sample settles: only the last one.
    expect(of('prepareSample')).toEqual([rows[4]])
    expect(of('getRolloutGroup')).toEqual([rows[4]])
    expect(of('listVariants')).toEqual([rows[4]])
  })
})

describe('comparison run', () => {
  it("draws the comparison run's mask only while that run is chosen and its layer is on", async () => {
    const db = demo.project.db
    const [runA, runB] = db.prepare('SELECT id, name FROM runs ORDER BY id').all() as {
      id: number
      name: string
    }[]
    expect(runB).toBeTruthy()
    const visible = await page.$$eval('[data-testid=row][data-sample-id]', (els) =>
      els.slice(0, 15).map((e) => Number(e.getAttribute('data-sample-id'))),
    )
    const legend = (await page.locator('[data-testid=legend]').boundingBox())!
    const v = await canvasView(page)
    // Probes clear of the legend even once it gains the comparison entry (which widens it, not heightens it).
    const clear = (q: { x: number; y: number }) =>
      toPage(v, q.x + 0.5, q.y + 0.5).y > legend.y + legend.height + 4
    const predOf = (run: number, sample: number) =>
      db
        .prepare('SELECT mask_rle, iou FROM predictions WHERE run_id = ? AND sample_id = ?')
        .get(run, sample) as { mask_rle: string | null; iou: number } | undefined
    let pick: {
      id: number
      onlyB: { x: number; y: number }[]
      none: { x: number; y: number }[]
      iou: number
    } | null = null
    for (const id of visible) {
      const s = sampleRec(db, id)
      const a = predOf(runA.id, id)
      const b = predOf(runB.id, id)
      if (!b?.mask_rle) continue
      const gt = decodeCoco(s.gt_rle, s.height, s.width)
      const ma = a?.mask_rle ? decodeCoco(a.mask_rle, s.height, s.width) : new Uint8Array(s.width * s.height)
      const mb = decodeCoco(b.mask_rle, s.height, s.width)
      const onlyB = mb.map((x, i) => (x && !ma[i] && !gt[i] ? 1 : 0))
      const anyMask = mb.map((x, i) => (x || ma[i] || gt[i] ? 1 : 0))
      const inB = interiorPixels(onlyB, s.width, s.height, 1).filter(clear)
      const none = interiorPixels(anyMask, s.width, s.height, 0).filter(clear)
      if (inB.length >= 3 && none.length >= 3) {
        pick = { id, onlyB: inB, none, iou: b.iou }
        break
      }
    }
    expect(
      pick,
      'a listed sample where run B predicts pixels that run A and the GT do not cover',
    ).toBeTruthy()
    const { id, onlyB, none, iou } = pick!
    await showSample(page, id)
    await setOverlays(page, { gt: true, pred: true, live: false, compare: true, diff: false, contour: false })
    const view = await canvasView(page)
    const noRun = await grab(page)

    await page.selectOption('[data-testid=compare-select]', String(runB.id))
    await page.waitForSelector('[data-testid=compare-iou]')
    expect(await page.textContent('[data-testid=compare-iou]')).toContain(iou.toFixed(3))
    expect(await page.textContent('[data-testid=legend]')).toContain(`vs ${runB.name}`)
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.waitForTimeout(300)
    expect(await currentSample(page)).toBe(id)
    const shownOn = await grab(page)
    await page.keyboard.press('x')
    await expect.poll(() => page.locator('[data-testid=toggle-compare] input').isChecked()).toBe(false)
    await page.waitForTimeout(150)
    const shownOff = await grab(page)

    for (const q of [onlyB[0], onlyB[Math.floor(onlyB.length / 2)], onlyB[onlyB.length - 1]]) {
      const at = toPage(view, q.x + 0.5, q.y + 0.5)
      const before = noRun(at.x, at.y)
      expect(dist(shownOn(at.x, at.y), ORANGE)).toBeLessThan(dist(before, ORANGE) * 0.7)
      expect(dist(shownOff(at.x, at.y), before)).toBeLessThan(3)
    }
    for (const q of [none[0], none[Math.floor(none.length / 2)], none[none.length - 1]]) {
      const at = toPage(view, q.x + 0.5, q.y + 0.5)
      expect(dist(shownOn(at.x, at.y), noRun(at.x, at.y))).toBeLessThan(3)
    }

    // Later tests browse without a comparison run and with the layer on again.
    await page.keyboard.press('x')
    await page.selectOption('[data-testid=compare-select]', '')
    await page.waitForSelector('[data-testid=compare-iou]', { state: 'detached' })
    await page.locator('body').click({ position: { x: 5, y: 795 } })
  })
})

describe('prompt editing', () => {
  it('re-segments after a box drag and a negative point, and undo restores the previous mask', async () => {
    const db = demo.project.db
    // A sample whose prediction has a box, among the first rows of the list.
    const visible = await page.$$eval('[data-testid=row][data-sample-id]', (els) =>
      els.slice(0, 15).map((e) => Number(e.getAttribute('data-sample-id'))),
    )
    const pick = db
      .prepare(
        `SELECT sample_id, prompts_json FROM predictions WHERE run_id = (SELECT MIN(id) FROM runs)
         AND parse_error IS NULL AND prompts_json LIKE '%"box"%' AND sample_id IN (${visible.join(',')}) ORDER BY sample_id LIMIT 1`,
      )
      .get() as { sample_id: number; prompts_json: string }
    expect(pick).toBeTruthy()
    await showSample(page, pick.sample_id)
    await setOverlays(page, { gt: false, pred: false, live: true, diff: false, contour: false })
    const s = sampleRec(db, pick.sample_id)
    const gt = decodeCoco(s.gt_rle, s.height, s.width)
    const box = (JSON.parse(pick.prompts_json) as { box: number[] }[])[0].box
    const v = await canvasView(page)
    const before = lastEdit(db)?.id ?? 0

    // Grab the top edge a quarter of the way along (not a resize handle) and drag by 12 × 8 image pixels.
    const grabAt = toPage(v, box[0] + (box[2] - box[0]) / 4, box[1])
    const dx = 12
    const dy = 8
    await page.mouse.move(grabAt.x, grabAt.y)
    await page.mouse.down()
    await page.mouse.move(grabAt.x + (dx * v.scale) / 2, grabAt.y + (dy * v.scale) / 2, { steps: 4 })
    await page.mouse.move(grabAt.x + dx * v.scale, grabAt.y + dy * v.scale, { steps: 4 })
    await page.mouse.up()
    const e1 = await waitForEdit(page, db, before)
    const moved = (JSON.parse(e1.prompts_json) as { box: number[] }[])[0].box
    expect(moved[0] - box[0]).toBeCloseTo(dx, -0.5)
    expect(moved[1] - box[1]).toBeCloseTo(dy, -0.5)
    expect(moved[2] - moved[0]).toBe(box[2] - box[0])
    const m1 = decodeCoco(e1.mask_rle, s.height, s.width)
    expect(await liveIou(page)).toBe(iouOf(m1, gt).toFixed(3))

    // The live overlay covers the new mask's pixels.
    const off = async () => {
      await setOverlays(page, { gt: false, pred: false, live: false, diff: false, contour: false })
      const g = await grab(page)
      await setOverlays(page, { gt: false, pred: false, live: true, diff: false, contour: false })
      return g
    }
    const base = await off()
    const shot1 = await grab(page)
    const in1 = interiorPixels(m1, s.width, s.height, 1)
    expect(in1.length).toBeGreaterThan(3)
    const probe = toPage(v, in1[Math.floor(in1.length / 2)].x + 0.5, in1[Math.floor(in1.length / 2)].y + 0.5)
    expect(dist(shot1(probe.x, probe.y), CYAN)).toBeLessThan(dist(base(probe.x, probe.y), CYAN) * 0.7)

    // A negative point inside the mask, away from the positive point.
    const pos = (JSON.parse(e1.prompts_json) as { points: { x: number; y: number }[] }[])[0].points[0]
    // Inside the mask, clear of the positive point and of the box edges (which take the click to select the box).
    const cx = (moved[0] + moved[2]) / 2
    const cy = (moved[1] + moved[3]) / 2
    const target = in1
      .filter(
        (q) =>
          (!pos || Math.hypot(q.x - pos.x, q.y - pos.y) > 10) &&
          Math.min(q.x - moved[0], moved[2] - q.x, q.y - moved[1], moved[3] - q.y) > 8,
      )
      .sort((a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy))[0]
    expect(target).toBeTruthy()
    const at = toPage(v, target.x + 0.5, target.y + 0.5)
    await page.keyboard.down('Shift')
    await page.mouse.click(at.x, at.y)
    await page.keyboard.up('Shift')
    const e2 = await waitForEdit(page, db, e1.id)
    const prompts2 = JSON.parse(e2.prompts_json) as { points: { x: number; y: number; label: number }[] }[]
    expect(prompts2[0].points.filter((q) => q.label === 0)).toEqual([{ x: target.x, y: target.y, label: 0 }])
    const m2 = decodeCoco(e2.mask_rle, s.height, s.width)
    expect(await liveIou(page)).toBe(iouOf(m2, gt).toFixed(3))

    // Undo: the shown IoU and the overlay go back to the first edit's mask.
    await page.keyboard.press('Control+z')
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=live-iou]')?.textContent === want,
      iouOf(m1, gt).toFixed(3),
    )
    await page.waitForTimeout(200)
    const shotUndo = await grab(page)
    const changed: { x: number; y: number }[] = []
    for (let i = 0; i < m1.length; i++)
      if (m1[i] !== m2[i]) changed.push({ x: i % s.width, y: Math.floor(i / s.width) })
    for (const q of [in1[0], in1[in1.length - 1], ...changed.slice(0, 5)]) {
      const pp = toPage(v, q.x + 0.5, q.y + 0.5)
      expect(dist(shotUndo(pp.x, pp.y), shot1(pp.x, pp.y))).toBeLessThan(4)
    }
    // One more undo is the model's own prompts: no live mask, so its pixels are the bare image again.
    await page.keyboard.press('Control+z')
    await page.waitForFunction(() => document.querySelector('[data-testid=live-iou]')?.textContent === '—')
    await page.waitForTimeout(200)
    const shotModel = await grab(page)
    for (const q of [in1[0], in1[Math.floor(in1.length / 2)], in1[in1.length - 1]]) {
      const pp = toPage(v, q.x + 0.5, q.y + 0.5)
      expect(dist(shotModel(pp.x, pp.y), base(pp.x, pp.y))).toBeLessThan(4)
    }
    // Redo twice comes back to the second mask.
    await page.keyboard.press('Control+Shift+z')
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=live-iou]')?.textContent === want,
      iouOf(m1, gt).toFixed(3),
    )
    await page.keyboard.press('Control+Shift+z')
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=live-iou]')?.textContent === want,
      iouOf(m2, gt).toFixed(3),
    )
  })

  it('keeps an edit whose segmentation answers after the user moved to the next sample', async () => {
    const db = demo.project.db
    const visible = await page.$$eval('[data-testid=row][data-sample-id]', (els) =>
      els.slice(0, 15).map((e) => Number(e.getAttribute('data-sample-id'))),
    )
    const pick = db
      .prepare(
        `SELECT sample_id, prompts_json FROM predictions WHERE run_id = (SELECT MIN(id) FROM runs)
         AND sample_id IN (${visible.slice(0, -1).join(',')})
         AND sample_id NOT IN (SELECT sample_id FROM prompt_edits) ORDER BY sample_id LIMIT 1`,
      )
      .get() as { sample_id: number; prompts_json: string | null }
    expect(pick).toBeTruthy()
    await showSample(page, pick.sample_id)
    const s = sampleRec(db, pick.sample_id)
    // A click clear of the model's box outline and points, so it adds a point.
    const objs = (JSON.parse(pick.prompts_json ?? '[]') ?? []) as {
      box?: number[]
      points: { x: number; y: number }[]
    }[]
    const v = await canvasView(page)
    const clear = (x: number, y: number) =>
      objs.every(
        (o) =>
          o.points.every((q) => Math.hypot(q.x - x, q.y - y) * v.scale > 20) &&
          (!o.box ||
            Math.min(
              Math.abs(x - o.box[0]),
              Math.abs(x - o.box[2]),
              Math.abs(y - o.box[1]),
              Math.abs(y - o.box[3]),
            ) *
              v.scale >
              20),
      )
    const spots = [0.5, 0.35, 0.65, 0.2, 0.8].flatMap((fx) =>
      [0.5, 0.35, 0.65, 0.2, 0.8].map((fy) => ({
        x: Math.round(s.width * fx),
        y: Math.round(s.height * fy),
      })),
    )
    const spot = spots.find((q) => clear(q.x, q.y))
    expect(spot).toBeTruthy()
    // The backend stores the edit at once; its answer reaches the page only after the user has moved on.
    let answered = false
    await page.route('**/api/segmentSample', async (route) => {
      const response = await route.fetch()
      await new Promise((r) => setTimeout(r, 1500))
      await route.fulfill({ response })
      answered = true
    })
    const before = lastEdit(db)?.id ?? 0
    const at = toPage(v, spot!.x + 0.5, spot!.y + 0.5)
    await page.mouse.click(at.x, at.y)
    await page.waitForSelector('[data-testid=segmenting]')
    await page.keyboard.press('j')
    await expect.poll(() => currentSample(page)).not.toBe(pick.sample_id)
    await expect.poll(() => answered, { timeout: 60_000 }).toBe(true)
    await page.unroute('**/api/segmentSample')
    await page.keyboard.press('k')
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${pick.sample_id}"]`)
    const e = await waitForEdit(page, db, before)
    const added = (JSON.parse(e.prompts_json) as { points: { x: number; y: number; label: number }[] }[])
      .flatMap((o) => o.points)
      .filter((q) => q.label === 1 && Math.abs(q.x - spot!.x) <= 1 && Math.abs(q.y - spot!.y) <= 1)
    expect(added).toHaveLength(1)
    expect(await page.locator('[data-testid=undo]').isEnabled()).toBe(true)
  })
})

describe('reasoning panel', () => {
  it('highlights the answer coordinate of the box under the pointer', async () => {
    const db = demo.project.db
    const visible = await page.$$eval('[data-testid=row][data-sample-id]', (els) =>
      els.slice(0, 15).map((e) => Number(e.getAttribute('data-sample-id'))),
    )
    const pick = db
      .prepare(
        `SELECT sample_id, prompts_json FROM predictions WHERE run_id = (SELECT MIN(id) FROM runs)
         AND parse_error IS NULL AND answer LIKE '%bbox_2d%' AND sample_id IN (${visible.join(',')})
         AND sample_id NOT IN (SELECT sample_id FROM prompt_edits) ORDER BY sample_id DESC LIMIT 1`,
      )
      .get() as { sample_id: number; prompts_json: string }
    await showSample(page, pick.sample_id)
    expect(await page.locator('[data-testid=coord].active').count()).toBe(0)
    const box = (JSON.parse(pick.prompts_json) as { box: number[] }[])[0].box
    const v = await canvasView(page)
    const at = toPage(v, box[0] + (box[2] - box[0]) / 3, box[3])
    await page.mouse.move(at.x, at.y)
    await expect
      .poll(() => page.locator('[data-testid=coord].active').textContent())
      .toMatch(/^"bbox_2d":\s*\[/)
    await page.mouse.move(5, 795)
    await expect.poll(() => page.locator('[data-testid=coord].active').count()).toBe(0)
  })
})

describe('tags', () => {
  it('toggles a tag with its number key and keeps it after a reload', async () => {
    await page.keyboard.press('Home')
    const id = await page.waitForFunction(() => {
      const first = document
        .querySelector('[data-testid=row][data-index="0"]')
        ?.getAttribute('data-sample-id')
      return first && document.querySelector('[data-testid=app]')?.getAttribute('data-sample-id') === first
        ? first
        : null
    })
    const sampleId = Number(await id.jsonValue())
    await page.keyboard.press('2')
    const chip = page.locator('[data-testid=tag-chip]').nth(1)
    await expect.poll(() => chip.getAttribute('aria-pressed')).toBe('true')
    await page.reload()
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${sampleId}"]`)
    await expect
      .poll(() => page.locator('[data-testid=tag-chip]').nth(1).getAttribute('aria-pressed'))
      .toBe('true')
    expect(await page.locator('[data-testid=tag-chip][aria-pressed=true]').count()).toBe(1)
    expect(await page.locator(`[data-testid=row][data-sample-id="${sampleId}"] .tag-dot`).count()).toBe(1)
  })
})

describe('analysis tab', () => {
  it('does not tag the hidden sample when a number key is pressed there', async () => {
    const db = demo.project.db
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM sample_tags').get() as { n: number }).n
    const before = count()
    await page.click('[data-testid=tab-analysis]')
    await page.keyboard.press('1')
    await page.waitForTimeout(500)
    await page.click('nav.tabs button:has-text("Inspect")')
    await page.waitForSelector('[data-testid=tagbar]')
    expect(count()).toBe(before)
  })
})

describe('notes', () => {
  it('autosaves while typing and keeps the text after a reload', async () => {
    const sampleId = await currentSample(page)
    await page.click('[data-testid=notes]')
    await page.keyboard.type('mask misses the roof')
    await expect.poll(() => page.textContent('[data-testid=note-state]'), { timeout: 5000 }).toBe('saved')
    // Away and back without a reload: the sample's cached details must carry the saved note.
    await page.keyboard.press('Escape')
    await page.keyboard.press('j')
    await expect.poll(() => currentSample(page)).not.toBe(sampleId)
    await page.keyboard.press('k')
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${sampleId}"]`)
    expect(await page.inputValue('[data-testid=notes]')).toBe('mask misses the roof')
    await page.reload()
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${sampleId}"]`)
    await expect.poll(() => page.inputValue('[data-testid=notes]')).toBe('mask misses the roof')
    const row = demo.project.db.prepare('SELECT text FROM notes WHERE sample_id = ?').get(sampleId) as
      { text: string } | undefined
    expect(row?.text).toBe('mask misses the roof')
  })
})

describe('list on generated projects', () => {
  let dir: string
  let served: Served | null = null
  afterAll(async () => {
    await served?.stop()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('shows exactly the samples in an IoU range, in order', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-list-'))
    const bp = await createBrowseProject(path.join(dir, 'p'), { samples: 300, seed: 21 })
    bp.project.close()
    served = await startServe({ projectDir: path.join(dir, 'p') })
    const p = await openApp(browser, served.url)
    await p.fill('[data-testid=iou-min]', '0.3')
    await p.fill('[data-testid=iou-max]', '0.7')
    const want = bp.specs
      .filter((s: BrowseSampleSpec) => s.a && s.a.iou >= 0.3 && s.a.iou <= 0.7)
      .map((s) => s.id)
    expect(want.length).toBeGreaterThan(30)
    await p.waitForFunction(
      (n) => document.querySelector('[data-testid=sample-list]')?.getAttribute('data-total') === String(n),
      want.length,
    )
    const seen = new Map<number, number>()
    const collect = async () => {
      for (const [i, id] of await p.$$eval('[data-testid=row][data-sample-id]', (els) =>
        els.map((e) => [Number(e.getAttribute('data-index')), Number(e.getAttribute('data-sample-id'))]),
      ))
        seen.set(i, id)
    }
    await collect()
    for (let k = 0; seen.size < want.length && k < 40; k++) {
      await p.$eval('[data-testid=sample-list]', (el) => el.scrollBy(0, el.clientHeight - 60))
      await p.waitForTimeout(120)
      await collect()
    }
    expect([...seen.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])).toEqual(want)
    await p.close()
    await served.stop()
    served = null
  })

  it('scrolls a 100,000-sample project and renders the rows in view', async () => {
    const big = path.join(dir, 'big')
    const bp = await createBrowseProject(big, { samples: 100_000, seed: 4 })
    bp.project.close()
    served = await startServe({ projectDir: big })
    const p = await openApp(browser, served.url)
    expect(await p.getAttribute('[data-testid=sample-list]', 'data-total')).toBe('100000')
    for (const target of [61_234, 99_990, 5_000]) {
      await p.$eval('[data-testid=sample-list]', (el, t) => (el.scrollTop = t * 30), target)
      await p.waitForFunction(
        (t) =>
          document.querySelector(`[data-testid=row][data-index="${t}"]`)?.getAttribute('data-sample-id') !=
          null,
        target,
      )
      const ids = await p.$$eval('[data-testid=row][data-sample-id]', (els) =>
        els.map((e) => [Number(e.getAttribute('data-index')), Number(e.getAttribute('data-sample-id'))]),
      )
      expect(ids.length).toBeGreaterThan(10)
      for (const [i, id] of ids) expect(id).toBe(bp.specs[i].id)
    }
    await p.close()
  })
})

describe('importing a run', () => {
  it('imports a run file named in the import form, and a bad line fails with file:line in the form and the status bar', async () => {
    const db = demo.project.db
    const samples = db
      .prepare('SELECT id, image_id, ann_id, gt_rle, width, height FROM samples ORDER BY id')
      .all() as {
      id: number
      image_id: string
      ann_id: string
      gt_rle: string
      width: number
      height: number
    }[]
    const line = (s: (typeof samples)[number]) =>
      JSON.stringify({
        image_id: s.image_id,
        ann_id: s.ann_id,
        mask: { size: [s.height, s.width], counts: s.gt_rle },
      })
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-runfile-'))
    const good = path.join(tmp, 'oracle.jsonl')
    fs.writeFileSync(good, `${line(samples[0])}\n${line(samples[1])}\n`)
    const bad = path.join(tmp, 'broken.jsonl')
    fs.writeFileSync(bad, `${line(samples[0])}\n{"image_id": \n`)
    // The import form (features/importing): a path typed into it is read by the backend like a picked one.
    const importThrough = async (file: string, name: string) => {
      await page.click('[data-testid=import-run]')
      await page.fill('[data-testid=import-path]', file)
      await page.waitForSelector('[data-testid=import-preview]')
      await page.fill('[data-testid=import-name]', name)
      await page.click('[data-testid=import-submit]')
    }
    try {
      await importThrough(good, 'oracle-e2e')
      await page.waitForSelector('[data-testid=run-select] option:text("oracle-e2e")', { state: 'attached' })
      await page.waitForSelector('[data-testid=import-dialog]', { state: 'detached' })
      const run = db.prepare("SELECT id FROM runs WHERE name = 'oracle-e2e'").get() as { id: number }
      // The GT's own masks: two predictions, both scoring IoU 1.
      expect(
        db.prepare('SELECT sample_id, iou FROM predictions WHERE run_id = ? ORDER BY sample_id').all(run.id),
      ).toEqual([
        { sample_id: samples[0].id, iou: 1 },
        { sample_id: samples[1].id, iou: 1 },
      ])

      const runsBefore = db.prepare('SELECT COUNT(*) AS n FROM runs').get()
      await importThrough(bad, 'broken-e2e')
      await page.waitForSelector('[data-testid=statusbar] .job.failed')
      expect(await page.textContent('[data-testid=statusbar] .job.failed')).toContain(`${bad}:2: `)
      // The form stays open on the job's error.
      expect(await page.textContent('[data-testid=import-error]')).toContain(`${bad}:2: `)
      expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual(runsBefore)
      await page.click('[data-testid=import-dialog] button[aria-label=Close]')
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
})
