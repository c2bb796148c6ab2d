/**
 * The analysis view in the served app: it shows the run's headline numbers, and clicking a histogram bar
 * or a breakdown bar filters the sample browser to exactly the samples behind it.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runMetrics } from '../../src/main/metrics/runMetrics'
import { listRuns } from '../../src/main/store/runs'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

let served: Served
let browser: Browser
let page: Page

beforeAll(async () => {
  served = await startServe({ projectDir: await makeDemoProject({ images: 8 }) })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  await page.goto(served.url)
  await page.getByTestId('tab-analysis').click()
  await page.getByTestId('analysis-view').waitFor()
})
afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

async function backToAnalysis() {
  await page.getByTestId('tab-analysis').click()
  await page.getByTestId('analysis-view').waitFor()
}

describe('AnalysisView', () => {
  it('shows the headline gIoU of the selected run as `reseg metrics` computes it', async () => {
    const runs = listRuns(served.project.db)
    const shown = Number(await page.locator('[data-metric="gIoU"]').first().textContent())
    const candidates = runs.map((r) => Number(runMetrics(served.project.db, r.id).gIoU?.toFixed(4)))
    expect(candidates).toContain(shown)
  })

  it('clicking a histogram bar filters the browser to that IoU bin', async () => {
    const gIoU = Number(await page.locator('[data-metric="gIoU"]').first().textContent())
    const m = listRuns(served.project.db)
      .map((r) => runMetrics(served.project.db, r.id))
      .find((x) => Number(x.gIoU?.toFixed(4)) === gIoU)!
    // Expected per-bin counts straight from the metrics: bin = floor(IoU × 10), IoU 1 in the last bin.
    const bins = Array(10).fill(0)
    for (const s of m.samples) bins[Math.min(9, Math.floor(s.iou * 10))]++
    const bin = bins.findIndex((c) => c > 0)
    await page.locator(`[data-testid="chart-histogram"] rect[data-key="${bin}"]`).click()
    await expect
      .poll(() => page.getByTestId('sample-list').getAttribute('data-total'))
      .toBe(String(bins[bin]))
    await backToAnalysis()
  })

  it('clicking a query-kind bar filters the browser to that group', async () => {
    const rowN = await page
      .locator('[data-testid="table-queryKind"] tbody tr')
      .first()
      .locator('td')
      .nth(1)
      .textContent()
    await page.locator('[data-testid="chart-queryKind"] [data-key="phrase"] rect').first().click()
    await expect.poll(() => page.getByTestId('sample-list').getAttribute('data-total')).toBe(rowN)
    await backToAnalysis()
  })
})
