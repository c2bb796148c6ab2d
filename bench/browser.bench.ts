/**
 * The inspector in Chromium over generated 10k- and 100k-sample projects (served by the serve host from
 * the production renderer build): project open → first sample drawn, sample switch p50/p95 (j key →
 * next sample on the canvas), filter latency (IoU range typed → list total updated) and sort latency
 * (column click → first row changed). The baseline is the same list query over the raw HTTP API in the
 * same run, so the ratio is what the UI adds on top of the backend. Targets (issue 6): switch p95
 * < 100 ms, open < 2 s, filter < 200 ms at 100k.
 *
 *   npx tsx bench/browser.bench.ts [--sizes 10000,100000] [--switches 60]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildRenderer, rendererIsFresh } from '../scripts/buildRenderer.mjs'
import { chromium, type Page } from 'playwright-core'
import { startServeHost } from '../src/main/hosts/serve/server'
import { openProject } from '../src/main/store/project'
import { createBrowseProject } from '../test/fixtures/browseProject'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : dflt
}
const sizes = arg('sizes', '10000,100000').split(',').map(Number)
const switches = Number(arg('switches', '60'))

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const ms = (v: number) => `${v.toFixed(1)} ms`

/** Runs `act` in the page and resolves when `done` holds, measured with the page's own clock. */
async function timeInPage(page: Page, act: string, done: string): Promise<number> {
  // Passed as source text: tsx's keepNames helpers would not exist inside the page.
  return page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    ${act};
    const check = () => ((${done}) ? requestAnimationFrame(() => resolve(performance.now() - t0))
      : performance.now() - t0 > 15000 ? resolve(NaN) : requestAnimationFrame(check));
    check();
  })`) as Promise<number>
}

async function apiMs(url: string, token: string, body: unknown): Promise<number> {
  const t0 = performance.now()
  const r = await fetch(`${new URL(url).origin}/api/listSamples`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  await r.json()
  return performance.now() - t0
}

async function main(): Promise<void> {
  const rendererDir = path.join(root, 'out/renderer')
  if (!rendererIsFresh()) {
    buildRenderer()
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  })
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-bench-browser-'))
  console.log(`browser bench: ${os.cpus().length} cores, Chromium headless, 1280×800`)
  try {
    for (const n of sizes) {
      const dir = path.join(tmp, `p${n}`)
      let t = performance.now()
      const bp = await createBrowseProject(dir, { samples: n, seed: 9 })
      bp.project.close()
      console.log(`\n[${n.toLocaleString('en')} samples] project generated in ${ms(performance.now() - t)}`)
      const project = openProject(dir)
      const host = await startServeHost({ project, rendererDir })
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })

      t = performance.now()
      await page.goto(host.url)
      await page.waitForSelector('[data-testid=canvas][data-sample-id] canvas')
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))))
      const open = performance.now() - t
      console.log(`open → first sample drawn: ${ms(open)} (target < 2000 ms)`)

      const sw: number[] = []
      for (let i = 0; i < switches; i++) {
        const cur = await page.getAttribute('[data-testid=app]', 'data-sample-id')
        sw.push(
          await timeInPage(
            page,
            "window.dispatchEvent(new KeyboardEvent('keydown', { key: 'j' }))",
            `document.querySelector('[data-testid=canvas]')?.getAttribute('data-sample-id') !== '${cur}'`,
          ),
        )
      }
      console.log(
        `switch (j): p50 ${ms(pct(sw, 50))}, p95 ${ms(pct(sw, 95))}, max ${ms(Math.max(...sw))} over ${switches} (target p95 < 100 ms)`,
      )

      // Filter: the IoU-min field, typed → list total changes.
      const before = await page.getAttribute('[data-testid=sample-list]', 'data-total')
      const filterMs = await timeInPage(
        page,
        `const el = document.querySelector('[data-testid=iou-min]');
         const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
         set.call(el, '0.5'); el.dispatchEvent(new Event('input', { bubbles: true }))`,
        `document.querySelector('[data-testid=sample-list]')?.getAttribute('data-total') !== '${before}'`,
      )
      const apiFilter = await apiMs(host.url, host.token, {
        runId: bp.runA,
        filter: { iouMin: 0.45 },
        limit: 200,
      })
      console.log(
        `filter IoU ≥ 0.5: ${ms(filterMs)} in the UI; API alone ${ms(apiFilter)} (ratio ${(filterMs / apiFilter).toFixed(2)}×; target < 200 ms)`,
      )

      // Sort: click the IoU header → the list shows the rows of the IoU-sorted query.
      const sortMs = await timeInPage(
        page,
        "document.querySelector('[data-testid=sort-iou]').click()",
        `(document.querySelector('[data-testid=sample-list]')?.getAttribute('data-query') ?? '').includes('"key":"iou"') &&
          document.querySelector('[data-testid=row][data-sample-id]') != null`,
      )
      const apiSort = await apiMs(host.url, host.token, {
        runId: bp.runA,
        sort: { key: 'deltaIou', dir: 'desc' },
        compareRunId: bp.runB,
        limit: 200,
      })
      console.log(
        `sort by IoU: ${ms(sortMs)} in the UI; API alone (cold ΔIoU sort) ${ms(apiSort)} (ratio ${(sortMs / apiSort).toFixed(2)}×)`,
      )

      // Scroll: jump to the middle and wait for its rows (after the sort has re-found the selected sample).
      await page.waitForTimeout(500)
      const mid = Math.floor(Number(await page.getAttribute('[data-testid=sample-list]', 'data-total')) / 2)
      const scrollMs = await timeInPage(
        page,
        `document.querySelector('[data-testid=sample-list]').scrollTop = ${mid * 30}`,
        `document.querySelector('[data-testid=row][data-index="${mid}"]')?.getAttribute('data-sample-id') != null`,
      )
      console.log(
        `scroll to row ${mid.toLocaleString('en')} of the filtered list: ${ms(scrollMs)} until its rows are filled`,
      )

      await page.close()
      await host.close()
      project.close()
    }
  } finally {
    await browser.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err)
  process.exit(1)
})
