/**
 * The object list on a two-object answer (segmentProject's scene 2: an ellipse left of x = W/2, a star
 * right of it), segmented by a tiny ONNX "SAM" whose mask is exactly the box (pixel centres inside it;
 * fixtures/onnxModels.ts), so every expected IoU is computed here from the scene's shapes and the boxes:
 * - the model's prediction lists both objects with "—" (it keeps only the union);
 * - a new box for object 1 decodes both objects and shows each one's IoU against the GT piece it matches;
 * - editing object 1's box again re-decodes only object 1 (the server's `decoded` flags), undo restores;
 * - deleting object 2 leaves the union equal to object 1's mask, with object 1's IoU unchanged;
 * - deleting object 1 instead keeps object 2's id (its mask comes from memory); `n` adds an object;
 * - hiding an object changes no number (it still counts in the union);
 * - a run variant keeps the per-object results.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tinySamManifestEntry, useTestModelCatalogue, writeTinyModel } from '../fixtures/onnxModels'
import { createSegmentProject, type SegmentFixture } from '../fixtures/segmentProject'
import { boxFill, maskIou } from '../fixtures/shapes'
import { callApi, launchBrowser, startServe, type Served } from './harness'
import { canvasView, decodeCoco, grab, toPage } from './inspector.shared'

type Box = [number, number, number, number]

let fx: SegmentFixture
let served: Served
let browser: Browser
let page: Page
let root: string
let restoreEnv: () => void
/** segmentSample requests, in order (what the page sent). */
const requests: { prompts: unknown[]; objectIds?: string[]; refine?: boolean }[] = []
/** segmentSample responses, in order: per object its id and whether the engine decoded it. */
const responses: { objects: { id: string; decoded: boolean; iou: number }[]; iou: number }[] = []

const sample = () => fx.samples[2]
const size = () => ({ W: sample().scene.image.width, H: sample().scene.image.height })
/** The scene's two GT objects, split at x = W/2 (see fixtures/segmentProject.ts). */
function pieces(): Uint8Array[] {
  const { W } = size()
  const obj = sample().scene.object
  return [true, false].map((left) => obj.map((v, i) => (v && i % W < W / 2 === left ? 1 : 0)))
}
/** IoU of the box's mask with its best GT piece (one object per piece here, so one-to-one is the best). */
function objectIou(box: Box): { iou: number; piece: number } {
  const { W, H } = size()
  const m = boxFill(box, W, H)
  const ious = pieces().map((p) => maskIou(m, p))
  const piece = ious[0] >= ious[1] ? 0 : 1
  return { iou: ious[piece], piece }
}
/** gtPieces numbers the GT's components largest first. */
function gtNumber(piece: number): number {
  const areas = pieces().map((p) => p.reduce((a, b) => a + b, 0))
  return areas[piece] >= areas[1 - piece] ? 1 : 2
}
function unionIou(boxes: Box[]): number {
  const { W, H } = size()
  const u = new Uint8Array(W * H)
  for (const b of boxes) boxFill(b, W, H).forEach((v, i) => (u[i] |= v))
  return maskIou(u, sample().scene.object)
}

interface EditRow {
  id: number
  prompts_json: string
  mask_rle: string
  iou: number
}
const lastEdit = () =>
  served.project.db
    .prepare('SELECT id, prompts_json, mask_rle, iou FROM prompt_edits WHERE sample_id = ? ORDER BY id DESC')
    .get(sample().id) as EditRow | undefined

async function rowTexts(p: Page): Promise<{ id: string; iou: string; gt: string; decoded: string }[]> {
  return p.$$eval('[data-testid=object-row]', (rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-object-id') ?? '',
      iou: r.querySelector('[data-testid=object-iou]')?.textContent ?? '',
      gt: r.querySelector('[data-testid=object-gt]')?.textContent ?? '',
      decoded: r.getAttribute('data-decoded') ?? '',
    })),
  )
}

/** B + drag from one image point to another (the box goes into the object being edited). */
async function drawBox(p: Page, b: Box): Promise<void> {
  const v = await canvasView(p)
  const a = toPage(v, b[0], b[1])
  const c = toPage(v, b[2], b[3])
  await p.keyboard.down('b')
  await p.mouse.move(a.x, a.y)
  await p.mouse.down()
  await p.mouse.move((a.x + c.x) / 2, (a.y + c.y) / 2, { steps: 4 })
  await p.mouse.move(c.x, c.y, { steps: 4 })
  await p.mouse.up()
  await p.keyboard.up('b')
}

/** The segmentSample response after the first `n` (the page reads response bodies asynchronously). */
async function responseAfter(n: number): Promise<(typeof responses)[0]> {
  await expect.poll(() => responses.length).toBeGreaterThan(n)
  return responses[n]
}

/** Waits for a new stored edit whose result the page shows (live IoU and no spinner). */
async function waitForEdit(p: Page, after: number): Promise<EditRow> {
  await expect.poll(() => lastEdit()?.id ?? 0, { timeout: 60_000 }).toBeGreaterThan(after)
  const e = lastEdit()!
  await p.waitForFunction(
    (want) =>
      document.querySelector('[data-testid=live-iou]')?.textContent === want &&
      !document.querySelector('[data-testid=segmenting]'),
    e.iou.toFixed(3),
  )
  return e
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'reseg-objects-'))
  restoreEnv = useTestModelCatalogue(root, [tinySamManifestEntry('tiny-sam')])
  writeTinyModel(join(root, 'weights', 'tiny-sam'), 'sam')
  fx = await createSegmentProject('two-objects')
  // A VisionReasoner-style answer for the two objects, for the reasoning panel's highlighting.
  const answer = JSON.stringify(fx.samples[2].prompts.map((p) => ({ bbox_2d: p.box!.map(Math.round) })))
  fx.project.db
    .prepare('UPDATE predictions SET raw_output = ? WHERE run_id = ? AND sample_id = ?')
    .run(`<think>two shapes</think><answer>${answer}</answer>`, fx.runId, fx.samples[2].id)
  const dir = fx.project.dir
  fx.project.close()
  served = await startServe({ projectDir: dir })
  await callApi(served, 'selectModel', { modelId: 'tiny-sam' })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (e) => console.error('page error:', e))
  page.on('request', (r) => {
    if (r.url().endsWith('/api/segmentSample')) requests.push(JSON.parse(r.postData() ?? '{}'))
  })
  page.on('response', async (r) => {
    if (!r.url().endsWith('/api/segmentSample')) return
    const body = (await r.json().catch(() => null)) as { ok: boolean; value: (typeof responses)[0] } | null
    if (body?.ok) responses.push(body.value)
  })
  await page.goto(served.url)
  await page.waitForSelector('[data-testid=row][data-sample-id]')
  await page.click(`[data-testid=row][data-sample-id="${sample().id}"]`)
  await page.waitForSelector(`[data-testid=canvas][data-sample-id="${sample().id}"]`)
  await page.waitForTimeout(300)
})

afterAll(async () => {
  await browser?.close()
  await served?.stop()
  restoreEnv?.()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('the object list of a two-object answer', () => {
  let box1: Box
  let box1Edited: Box
  const box2 = (): Box => sample().prompts[1].box!

  it("lists the model's two objects without per-object IoUs (its prediction keeps only the union)", async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=object-row]').length === 2)
    expect((await rowTexts(page)).map((r) => [r.id, r.iou])).toEqual([
      ['0', '—'],
      ['1', '—'],
    ])
    expect(await page.isVisible('[data-testid=objects-union-only]')).toBe(true)
  })

  it("a new box for object 1 decodes both objects and shows each one's IoU against its GT piece", async () => {
    const [x0, y0, x1, y1] = sample().prompts[0].box!
    // Inset far enough (in screen pixels) that the drag starts off the old box's outline.
    const a = Math.ceil(14 / (await canvasView(page)).scale)
    const n = responses.length
    await page.click('[data-testid=object-row][data-index="0"]')
    await drawBox(page, [x0 + a, y0 + a, x1 - a, y1 - a])
    const e = await waitForEdit(page, 0)
    const prompts = JSON.parse(e.prompts_json) as { box: Box }[]
    box1 = prompts[0].box
    // The drawn box, rounded to whole pixels by the canvas; object 2 unchanged.
    expect(box1.map((v, k) => Math.abs(v - [x0 + a, y0 + a, x1 - a, y1 - a][k]) <= 1)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(prompts[1].box).toEqual(box2())
    expect((await responseAfter(n)).objects.map((o) => [o.id, o.decoded])).toEqual([
      ['0', true],
      ['1', true],
    ])
    expect(requests[n]).toMatchObject({ objectIds: ['0', '1'], refine: true })
    const rows = await rowTexts(page)
    const want = [objectIou(box1), objectIou(box2())]
    expect(want[0].piece).not.toBe(want[1].piece)
    expect(rows.map((r) => [r.id, r.iou, r.gt])).toEqual([
      ['0', want[0].iou.toFixed(3), `GT ${gtNumber(want[0].piece)}`],
      ['1', want[1].iou.toFixed(3), `GT ${gtNumber(want[1].piece)}`],
    ])
    expect(Number(await page.textContent('[data-testid=live-iou]'))).toBeCloseTo(unionIou([box1, box2()]), 3)
    expect(await page.isVisible('[data-testid=objects-union-only]')).toBe(false)
  })

  it("editing object 1's box re-decodes only object 1; undo restores its box and IoU", async () => {
    const before = lastEdit()!.id
    const a = Math.ceil(14 / (await canvasView(page)).scale)
    const want: Box = [box1[0] + a, box1[1] + a, box1[2] - 1, box1[3] - 1]
    const n = responses.length
    await drawBox(page, want)
    const e = await waitForEdit(page, before)
    box1Edited = (JSON.parse(e.prompts_json) as { box: Box }[])[0].box
    expect(box1Edited).not.toEqual(box1)
    expect((await responseAfter(n)).objects.map((o) => [o.id, o.decoded])).toEqual([
      ['0', true],
      ['1', false],
    ])
    // The panel marks the re-decoded object.
    expect((await rowTexts(page)).map((r) => r.decoded)).toEqual(['true', 'false'])
    expect((await rowTexts(page))[0].iou).toBe(objectIou(box1Edited).iou.toFixed(3))
    expect(objectIou(box1Edited).iou.toFixed(3)).not.toBe(objectIou(box1).iou.toFixed(3))

    await page.click('[data-testid=undo]')
    await page.waitForFunction(
      (want) =>
        document.querySelector('[data-testid=object-row] [data-testid=object-iou]')?.textContent === want,
      objectIou(box1).iou.toFixed(3),
    )
    const cur = await callApi<{ currentEdit: { prompts: { box: Box }[] } }>(served, 'getSampleDetail', {
      sampleId: sample().id,
      runId: fx.runId,
    })
    expect(cur.currentEdit.prompts[0].box).toEqual(box1)
  })

  it('hiding object 2 changes no number: it still counts in the union', async () => {
    const iou = await page.textContent('[data-testid=live-iou]')
    await page.click('[data-testid=object-row][data-index="1"] [data-testid=object-hide]')
    await page.waitForSelector('[data-testid=object-row][data-index="1"][data-hidden=true]')
    expect(await page.textContent('[data-testid=live-iou]')).toBe(iou)
    expect(
      await page.getAttribute('[data-testid=object-row][data-index="1"] [data-testid=object-hide]', 'title'),
    ).toContain('still counts in the union')
    await page.click('[data-testid=object-row][data-index="1"] [data-testid=object-hide]')
    await page.waitForSelector('[data-testid=object-row][data-index="1"][data-hidden=false]')
  })

  it("deleting object 2 leaves the union equal to object 1's mask, with object 1's IoU", async () => {
    const before = lastEdit()!.id
    const n = responses.length
    await page.click('[data-testid=object-row][data-index="1"] [data-testid=object-delete]')
    const e = await waitForEdit(page, before)
    const { W, H } = size()
    // The stored union is exactly object 1's box mask.
    expect(maskIou(decodeCoco(e.mask_rle, H, W), boxFill(box1, W, H))).toBe(1)
    expect(JSON.parse(e.prompts_json)).toEqual([{ box: box1, points: [] }])
    expect((await responseAfter(n)).objects.map((o) => [o.id, o.decoded])).toEqual([['0', false]])
    const rows = await rowTexts(page)
    expect(rows.map((r) => [r.id, r.iou])).toEqual([['0', objectIou(box1).iou.toFixed(3)]])
    expect(Number(await page.textContent('[data-testid=live-iou]'))).toBeCloseTo(unionIou([box1]), 3)
  })

  it('undo, then deleting object 1: object 2 keeps its id, so its mask comes from memory', async () => {
    await page.click('[data-testid=undo]')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=object-row]').length === 2)
    const before = lastEdit()!.id
    const n = responses.length
    await page.click('[data-testid=object-row][data-index="0"] [data-testid=object-delete]')
    const e = await waitForEdit(page, before)
    const { W, H } = size()
    expect(maskIou(decodeCoco(e.mask_rle, H, W), boxFill(box2(), W, H))).toBe(1)
    // Sent as object "1": the server knows its prompt and does not decode it again.
    expect(requests[n].objectIds).toEqual(['1'])
    expect((await responseAfter(n)).objects.map((o) => [o.id, o.decoded])).toEqual([['1', false]])
    expect((await rowTexts(page)).map((r) => [r.id, r.iou])).toEqual([
      ['1', objectIou(box2()).iou.toFixed(3)],
    ])
  })

  it("hovering the remaining object's row outlines its coordinates in the answer (object 2's, not 1's)", async () => {
    const outlined = () =>
      page.$$eval('[data-testid=coord]', (els) =>
        els.map((e) => [e.getAttribute('data-obj'), e.classList.contains('object')]),
      )
    // Nothing hovered or chosen: no object outlined.
    await page.mouse.move(5, 795)
    await expect.poll(outlined).toEqual([
      ['0', false],
      ['1', false],
    ])
    await page.hover('[data-testid=object-row][data-index="0"] .object-name')
    await expect.poll(outlined).toEqual([
      ['0', false],
      ['1', true],
    ])
    await page.mouse.move(5, 795)
  })

  it('n adds an object: the next box goes into it, with a fresh id and its own colour', async () => {
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.keyboard.press('n')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=object-row]').length === 2)
    // Not sent until it holds a prompt.
    expect(await rowTexts(page)).toEqual([
      expect.objectContaining({ id: '1' }),
      expect.objectContaining({ id: '2', iou: '—' }),
    ])
    const before = lastEdit()!.id
    const n = responses.length
    await drawBox(page, box1)
    const e = await waitForEdit(page, before)
    expect(JSON.parse(e.prompts_json)).toEqual([
      { box: box2(), points: [] },
      { box: box1, points: [] },
    ])
    expect((await responseAfter(n)).objects.map((o) => [o.id, o.decoded])).toEqual([
      ['1', false],
      ['2', true],
    ])
    expect(requests[n]).toMatchObject({ objectIds: ['1', '2'], refine: true })
    expect((await rowTexts(page)).map((r) => [r.id, r.iou])).toEqual([
      ['1', objectIou(box2()).iou.toFixed(3)],
      ['2', objectIou(box1).iou.toFixed(3)],
    ])
    const swatches = await page.$$eval('[data-testid=object-row] .object-swatch', (els) =>
      els.map((el) => getComputedStyle(el).backgroundColor),
    )
    expect(new Set(swatches).size).toBe(2)
    expect(Number(await page.textContent('[data-testid=live-iou]'))).toBeCloseTo(unionIou([box1, box2()]), 3)
  })

  it("draws each object's mask in its own colour, or the union in one colour when asked", async () => {
    const setLayer = async (k: string, on: boolean) => {
      const box = page.locator(`[data-testid=toggle-${k}] input`)
      if ((await box.isChecked()) !== on) await box.click()
    }
    for (const k of ['gt', 'pred', 'diff', 'contour']) await setLayer(k, false)
    await setLayer('live', true)
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16))
    // Which colour the overlay moved a pixel towards: cosine of (shown - bare image) with (colour - bare).
    const towards = (shown: number[], bare: number[], colors: string[]) => {
      const d = shown.map((v, k) => v - bare[k])
      const cos = colors.map((c) => {
        const e = hex(c).map((v, k) => v - bare[k])
        return d.reduce((a, v, k) => a + v * e[k], 0) / (Math.hypot(...d) * Math.hypot(...e) || 1)
      })
      return cos.indexOf(Math.max(...cos))
    }
    const centre = (b: Box) => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] as const
    const shots = async () => {
      await page.mouse.move(5, 795)
      await page.waitForTimeout(150)
      const v = await canvasView(page)
      const shown = await grab(page)
      await setLayer('live', false)
      await page.waitForTimeout(150)
      const bare = await grab(page)
      await setLayer('live', true)
      return (b: Box) => {
        const p = toPage(v, ...centre(b))
        return { shown: shown(p.x, p.y), bare: bare(p.x, p.y) }
      }
    }
    const palette = ['#00d1ff', '#7cff4f', '#b36bff'] // objects "1" and "2" take the 2nd and 3rd colours
    const byObject = await shots()
    for (const [b, want] of [
      [box2(), 1],
      [box1, 2],
    ] as const) {
      const px = byObject(b)
      expect(towards(px.shown, px.bare, palette)).toBe(want)
    }
    await page.click('[data-testid=object-colours]')
    const union = await shots()
    for (const b of [box2(), box1]) {
      const px = union(b)
      expect(towards(px.shown, px.bare, palette)).toBe(0)
    }
    await page.click('[data-testid=object-colours]')
  })

  it('a saved run variant keeps the per-object results', async () => {
    await page.click('button:has-text("Save as run variant")')
    await expect
      .poll(
        () =>
          served.project.db.prepare("SELECT id FROM runs WHERE kind = 'variant'").get() as
            { id: number } | undefined,
      )
      .toBeTruthy()
    const variant = served.project.db.prepare("SELECT id FROM runs WHERE kind = 'variant'").get() as {
      id: number
    }
    const d = await callApi<{
      prediction: { objects: { id: string; iou: number; gtIndex: number | null }[] }
    }>(served, 'getSampleDetail', { sampleId: sample().id, runId: variant.id })
    const want = [objectIou(box2()), objectIou(box1)]
    expect(d.prediction.objects.map((o) => [o.id, o.gtIndex! + 1])).toEqual([
      ['1', gtNumber(want[0].piece)],
      ['2', gtNumber(want[1].piece)],
    ])
    for (const [k, o] of d.prediction.objects.entries()) expect(o.iou).toBeCloseTo(want[k].iou, 12)
  })

  it('Tab / Shift+Tab choose an object, h hides it, Del deletes it, with the refine toggle sent', async () => {
    await page.click('[data-testid=refine-toggle]')
    await page.keyboard.press('Escape') // no point or box selected: keys act on the chosen object
    const activeRow = () =>
      page.$$eval('[data-testid=object-row]', (rows) => rows.findIndex((r) => r.dataset.active === 'true'))
    await page.keyboard.press('Tab')
    const first = await activeRow()
    expect(first).toBeGreaterThanOrEqual(0)
    await page.keyboard.press('Tab')
    await expect.poll(activeRow).toBe((first + 1) % 2)
    await page.keyboard.press('Shift+Tab')
    await expect.poll(activeRow).toBe(first)
    if (first !== 1) await page.keyboard.press('Tab')
    await expect.poll(activeRow).toBe(1)
    await page.keyboard.press('h')
    await page.waitForSelector('[data-testid=object-row][data-index="1"][data-hidden=true]')
    await page.keyboard.press('h')
    await page.waitForSelector('[data-testid=object-row][data-index="1"][data-hidden=false]')
    const before = lastEdit()!.id
    const n = requests.length
    await page.keyboard.press('Delete')
    await waitForEdit(page, before)
    expect(requests[n]).toMatchObject({ objectIds: ['1'], refine: false })
    expect(await page.textContent('[data-testid=edit-refine]')).toBe('not refined')
  })
})

describe("segmenting the model's own objects", () => {
  it('"Segment each object" turns the union-only prediction into per-object IoUs', async () => {
    // Sample 0: one box around the scene's object; the tiny SAM's mask is exactly that box.
    const s0 = fx.samples[0]
    const box = s0.prompts[0].box!
    await page.click(`[data-testid=row][data-sample-id="${s0.id}"]`)
    await page.waitForSelector(`[data-testid=canvas][data-sample-id="${s0.id}"]`)
    await page.waitForSelector('[data-testid=objects-union-only]')
    const n = requests.length
    await page.click('[data-testid=objects-segment]')
    await expect.poll(() => requests.length).toBeGreaterThan(n)
    // The model's prompts, unchanged, with the object's id.
    expect(requests[n]).toMatchObject({ prompts: s0.prompts, objectIds: ['0'] })
    const { width: W, height: H } = s0.scene.image
    const want = maskIou(boxFill(box, W, H), s0.scene.object)
    await page.waitForSelector('[data-testid=objects-union-only]', { state: 'detached' })
    await expect
      .poll(() => page.textContent('[data-testid=object-row] [data-testid=object-iou]'))
      .toBe(want.toFixed(3))
    expect(await page.textContent('[data-testid=object-row] [data-testid=object-gt]')).toBe('GT 1')
  })
})
