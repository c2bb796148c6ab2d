import { afterEach, describe, expect, it } from 'vitest'
import { findChromium } from '../../../../src/main/reports/chromium'
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
