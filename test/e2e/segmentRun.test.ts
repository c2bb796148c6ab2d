/**
 * A run holding prompts but no masks in the served app: its rows and the sample header say "not segmented"
 * (never IoU 0.000), the top bar offers "Segment this run", and one click segments it as a job after which
 * the rows show the IoU of each stored mask against the GT — recomputed here with the tests' own COCO
 * decoder from the scene's object mask — and the button is gone. The unparseable answer stays "parse".
 * Each sample switch asks the engine to warm that sample (prepareSample), and a grid thumbnail carries the
 * "edited" badge exactly where the sample has a prompt edit.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSegmentProject, type SegmentFixture } from '../fixtures/segmentProject'
import { callApi, launchBrowser, startServe, type Served } from './harness'
import { decodeCoco, iouOf } from './inspector.shared'

let fx: SegmentFixture
let served: Served
let browser: Browser
let page: Page
/** The inputs of every prepareSample call the page made, in order. */
const prepared: { runId: number; sampleId: number }[] = []

beforeAll(async () => {
  // Prompts for four samples, none for the fourth scene (an unparseable answer); no masks anywhere.
  fx = await createSegmentProject('raw-run')
  const dir = fx.project.dir
  fx.project.close()
  served = await startServe({ projectDir: dir })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (e) => console.error('page error:', e))
  page.on('request', (r) => {
    if (r.url().endsWith('/api/prepareSample')) prepared.push(JSON.parse(r.postData() ?? '{}'))
  })
  await page.goto(served.url)
  await page.waitForSelector('[data-testid=row][data-sample-id]')
})

afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

/** The IoU cell's text of every listed row, by sample id. */
async function iouCells(p: Page): Promise<Map<number, string>> {
  const cells = await p.$$eval('[data-testid=row][data-sample-id]', (rows) =>
    rows.map((r) => [Number(r.getAttribute('data-sample-id')), r.querySelector('.iou')?.textContent ?? '']),
  )
  return new Map(cells as [number, string][])
}

describe('a run that is not segmented', () => {
  it('lists its rows and shows its sample as "not segmented", not IoU 0.000', async () => {
    const unparseable = fx.samples[3].id
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=row][data-sample-id]').length === 5,
    )
    const cells = await iouCells(page)
    expect(cells.size).toBe(5)
    for (const s of fx.samples) expect(cells.get(s.id)).toBe(s.id === unparseable ? 'parse' : 'not segmented')
    // The first sample is shown: its header says so too.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=pred-iou]')?.textContent === 'not segmented',
    )
    expect(await page.textContent('[data-testid=segment-run-button]')).toBe('Segment this run (4)')
  })

  it('segments with one click: numeric IoUs equal to the stored masks against the GT, button gone', async () => {
    await page.click('[data-testid=segment-run-button]')
    await page.waitForSelector('[data-testid=segment-run-button]', { state: 'detached', timeout: 60_000 })
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=row] .iou')].every(
          (c) => c.textContent !== 'not segmented',
        ),
      undefined,
      { timeout: 60_000 },
    )
    await page.waitForSelector('[data-testid=segment-run-cancel]', { state: 'detached' })

    const stored = served.project.db
      .prepare('SELECT sample_id, mask_rle FROM predictions WHERE run_id = ? AND mask_rle IS NOT NULL')
      .all(fx.runId) as { sample_id: number; mask_rle: string }[]
    expect(stored).toHaveLength(4)
    const cells = await iouCells(page)
    for (const s of fx.samples) {
      const row = stored.find((x) => x.sample_id === s.id)
      if (!row) {
        expect(cells.get(s.id)).toBe('parse')
        continue
      }
      const { width: W, height: H } = s.scene.image
      const want = iouOf(decodeCoco(row.mask_rle, H, W), s.scene.object)
      expect(cells.get(s.id)).toMatch(/^\d\.\d{3}$/)
      expect(Number(cells.get(s.id))).toBeCloseTo(want, 3)
    }
    // The shown sample's header now carries its IoU too.
    const shown = stored.find((x) => x.sample_id === fx.samples[0].id)!
    const { width: W, height: H } = fx.samples[0].scene.image
    const want0 = iouOf(decodeCoco(shown.mask_rle, H, W), fx.samples[0].scene.object)
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid=pred-iou]')?.textContent === t,
      `IoU ${want0.toFixed(3)}`,
    )
  })

  it('shows a segmented neighbour with its IoU (no stale "not segmented" from before the job)', async () => {
    await page.click(`[data-testid=row][data-sample-id="${fx.samples[1].id}"]`)
    const row = served.project.db
      .prepare('SELECT mask_rle FROM predictions WHERE run_id = ? AND sample_id = ?')
      .get(fx.runId, fx.samples[1].id) as { mask_rle: string }
    const { width: W, height: H } = fx.samples[1].scene.image
    const want = iouOf(decodeCoco(row.mask_rle, H, W), fx.samples[1].scene.object)
    await page.waitForFunction(
      (t) => document.querySelector('[data-testid=pred-iou]')?.textContent === t,
      `IoU ${want.toFixed(3)}`,
    )
  })

  it('asks the engine to warm each sample the user stays on', async () => {
    // Sample 1 was left as soon as its IoU showed; stay on it now (longer than the settle delay).
    await page.click(`[data-testid=row][data-sample-id="${fx.samples[1].id}"]`)
    await expect.poll(() => prepared.at(-1)).toEqual({ runId: fx.runId, sampleId: fx.samples[1].id })
    await page.click(`[data-testid=row][data-sample-id="${fx.samples[2].id}"]`)
    await expect.poll(() => prepared.at(-1)).toEqual({ runId: fx.runId, sampleId: fx.samples[2].id })
    // The first sample (shown on open, during the job) was warmed too.
    expect(prepared.map((p) => p.sampleId)).toContain(fx.samples[0].id)
  })

  it('badges exactly the thumbnails whose sample has a prompt edit', async () => {
    // A prompt edit on sample 4 through the API, as the canvas makes one.
    const edited = fx.samples[4]
    // callApi throws unless the call succeeds.
    await callApi(served, 'segmentSample', { runId: fx.runId, sampleId: edited.id, prompts: edited.prompts })
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.keyboard.press('v')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=grid-cell] img').length === 5)
    const badged = await page.$$eval('[data-testid=grid-cell]', (cells) =>
      cells.map((c) => [
        Number(c.getAttribute('data-sample-id')),
        c.querySelector('[data-testid=edited-badge]') != null,
      ]),
    )
    expect(new Map(badged as [number, boolean][])).toEqual(
      new Map(fx.samples.map((s) => [s.id, s.id === edited.id])),
    )
  })
})
