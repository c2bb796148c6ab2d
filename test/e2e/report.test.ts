/**
 * The HTML report opened in Chromium with every network request blocked: no request leaves the page,
 * every chart and thumbnail renders, and the headline numbers equal `reseg metrics` and the fixture's
 * closed-form values. The PDF printed from it has one page per report section.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attributeStages } from '../../src/main/analysis/stages'
import { exportReport } from '../../src/main/reports/export'
import { createAnalysisProject, rectCounts, type AnalysisProject } from '../fixtures/analysisProject'
import { launchBrowser, ROOT } from './harness'

let fx: AnalysisProject
let dir: string
let projectDir: string
let browser: Browser
const htmlFile = () => path.join(dir, 'report.html')

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-report-'))
  projectDir = path.join(dir, 'project')
  fx = await createAnalysisProject(projectDir)
  // Run B plays the oracle so the stage section is filled.
  attributeStages(fx.project.db, fx.runA, fx.runB)
  await exportReport(fx.project, { run: 'runA', compare: 'runB', format: 'html', out: htmlFile() })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('HTML report', () => {
  it('renders every chart and image offline with zero requests', async () => {
    const page = await browser.newPage()
    const url = pathToFileURL(htmlFile()).href
    const requests: string[] = []
    const failed: string[] = []
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url())
    })
    page.on('requestfailed', (r) => failed.push(r.url()))
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()))
    await page.goto(url, { waitUntil: 'load' })

    const images = await page.$$eval('img', (imgs) =>
      imgs.map((i) => ({
        ok: i.complete && i.naturalWidth > 0,
        w: i.getBoundingClientRect().width,
        data: i.src.startsWith('data:image/'),
      })),
    )
    // Worst 6 + examples per tag (boundary 1, missing 1, small-object 1, wrong-object 2).
    expect(images).toHaveLength(11)
    expect(images.every((i) => i.ok && i.data && i.w > 0)).toBe(true)

    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect()
        return { w: r.width, h: r.height, marks: s.querySelectorAll('.bar, .curve, .point').length }
      }),
    )
    // Histogram + cumulative, 2 bar charts for each of 4 breakdowns, the comparison scatter.
    expect(charts).toHaveLength(11)
    expect(charts.every((c) => c.w > 100 && c.h > 100 && c.marks > 0)).toBe(true)
    expect(requests).toEqual([])
    expect(failed).toEqual([])
    await page.close()
  })

  it('headline numbers equal `reseg metrics` and the closed-form values', async () => {
    const page = await browser.newPage()
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file:') ? route.continue() : route.abort(),
    )
    await page.goto(pathToFileURL(htmlFile()).href)
    const shown = await page.$$eval('[data-metric]', (els) =>
      Object.fromEntries(
        els.map((e) => [
          e.getAttribute('data-metric'),
          { value: Number(e.getAttribute('data-value')), text: e.textContent },
        ]),
      ),
    )
    await page.close()

    const cli = JSON.parse(
      execFileSync(
        process.execPath,
        [path.join(ROOT, 'bin/reseg.mjs'), 'metrics', '--project', projectDir, '--json'],
        { encoding: 'utf8' },
      ),
    ) as { runs: { run: string; n: number; missing: number; gIoU: number; cIoU: number }[] }
    const a = cli.runs.find((r) => r.run === 'runA')!
    const b = cli.runs.find((r) => r.run === 'runB')!
    expect(shown.gIoU.value).toBe(a.gIoU)
    expect(shown.cIoU.value).toBe(a.cIoU)
    expect(shown.n.value).toBe(a.n)
    expect(shown.missing.value).toBe(a.missing)
    expect(shown['compare-gIoU'].value).toBe(b.gIoU)
    expect(shown['compare-cIoU'].value).toBe(b.cIoU)
    expect(shown.gIoU.text).toBe(a.gIoU.toFixed(4))

    const counts = fx.samples.map((s) => rectCounts(s.a?.rect ?? null, s.gt))
    expect(shown.gIoU.value).toBeCloseTo(counts.reduce((s, c) => s + c.iou, 0) / counts.length, 12)
    expect(shown.cIoU.value).toBeCloseTo(
      counts.reduce((s, c) => s + c.intersection, 0) / counts.reduce((s, c) => s + c.union, 0),
      12,
    )
    expect(shown['gIoU-diff'].value).toBeCloseTo(b.gIoU - a.gIoU, 12)
  })
})

describe('PDF report', () => {
  it('prints A4 pages with its 12 sections packed onto fewer pages', async () => {
    const out = path.join(dir, 'report.pdf')
    await exportReport(fx.project, {
      run: 'runA',
      compare: 'runB',
      format: 'pdf',
      out,
      worstK: 3,
      examplesPerTag: 1,
    })
    const pdf = fs.readFileSync(out)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    // Page objects ("/Type /Page", not "/Pages"); Chromium writes them uncompressed.
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length
    // 12 sections (headline, distribution, 4 breakdowns, stages, suggested tags, comparison, worst samples, tag examples,
    // notes), packed: short ones share a page (test/unit/main/reports/pdf.test.ts checks the packing).
    expect(pages).toBeGreaterThan(1)
    expect(pages).toBeLessThan(12)
    // poppler's reading of the same file, where installed (apt install poppler-utils).
    if (fs.existsSync('/usr/bin/pdfinfo')) {
      const info = execFileSync('/usr/bin/pdfinfo', [out], { encoding: 'utf8' })
      expect(info).toMatch(new RegExp(`^Pages:\\s+${pages}$`, 'm'))
      expect(info).toMatch(/Page size:\s+59\d\.\d+ x 84\d\.\d+ pts \(A4\)/)
    }
  })
})
