import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { createDemoProject } from '../../../../src/main/demo/demo'
import { CHROMIUM_ARGS, findChromium } from '../../../../src/main/reports/chromium'
import { exportReport } from '../../../../src/main/reports/export'
import { printHtmlToPdf } from '../../../../src/main/reports/pdf'

const saved = process.env.RESEG_CHROMIUM
afterEach(() => {
  if (saved === undefined) delete process.env.RESEG_CHROMIUM
  else process.env.RESEG_CHROMIUM = saved
})

describe('PDF printing without a browser', () => {
  it('says what to install and how to get a report anyway', async () => {
    process.env.RESEG_CHROMIUM = '/nonexistent/chromium'
    expect(findChromium()).toBeNull()
    await expect(printHtmlToPdf('/tmp/x.html', '/tmp/x.pdf')).rejects.toThrow(
      /PDF export needs Chromium or Chrome .*RESEG_CHROMIUM.*--format html/,
    )
  })
})

describe('PDF report', () => {
  it('packs sections onto pages instead of one section per page', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-pdf-'))
    try {
      const project = await createDemoProject(path.join(dir, 'p'), { images: 8, seed: 3 })
      const html = path.join(dir, 'report.html')
      const pdf = path.join(dir, 'report.pdf')
      await exportReport(project, { run: 'seg-zero-7b', format: 'html', out: html })
      await exportReport(project, { run: 'seg-zero-7b', format: 'pdf', out: pdf })
      project.close()
      const sections = (fs.readFileSync(html, 'utf8').match(/<section class="page"/g) ?? []).length
      const pages = Number(
        /^Pages:\s+(\d+)$/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1],
      )
      // The content's height when printed: A4 less the 12 mm margins is 186 x 273 mm, 703 x 1032 CSS px.
      const browser = await chromium.launch({ executablePath: findChromium()!, args: [...CHROMIUM_ARGS] })
      let height: number
      try {
        const page = await browser.newPage({ viewport: { width: 703, height: 1032 } })
        await page.goto(pathToFileURL(html).href)
        await page.emulateMedia({ media: 'print' })
        height = Number(await page.evaluate('document.documentElement.scrollHeight'))
      } finally {
        await browser.close()
      }
      const filled = Math.ceil(height / 1032)
      expect(sections).toBeGreaterThanOrEqual(8)
      expect(pages).toBeLessThan(sections)
      // Sections kept whole can leave the end of a page blank, at most one page's worth per two sections.
      expect(pages).toBeGreaterThanOrEqual(filled)
      expect(pages).toBeLessThanOrEqual(filled + Math.ceil(sections / 2))
      console.log(`pdf: ${pages} pages for ${sections} sections, ${filled} pages of content`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
