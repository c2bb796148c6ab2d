/**
 * PDF = the HTML report printed by headless Chromium (playwright-core driving the system's Chromium),
 * with every network request refused so printing cannot reach out. Where no Chromium is installed the
 * error says what to install instead of failing obscurely.
 */
import { pathToFileURL } from 'node:url'
import { CHROMIUM_ARGS, CHROMIUM_CANDIDATES, findChromium } from './chromium'

export async function printHtmlToPdf(htmlFile: string, pdfFile: string): Promise<void> {
  const executablePath = findChromium()
  if (!executablePath) {
    throw new Error(
      `PDF export needs Chromium or Chrome (looked for ${CHROMIUM_CANDIDATES.join(', ')}; set RESEG_CHROMIUM to its path). ` +
        'Install it (e.g. `apt install chromium`) or export --format html and print that file from any browser.',
    )
  }
  let chromium: typeof import('playwright-core').chromium
  try {
    chromium = (await import('playwright-core')).chromium
  } catch {
    throw new Error(
      'PDF export needs the playwright-core package (npm install playwright-core); or export --format html and print it',
    )
  }
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS],
  })
  try {
    const page = await browser.newPage()
    const url = pathToFileURL(htmlFile).href
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()))
    await page.goto(url, { waitUntil: 'load' })
    await page.emulateMedia({ media: 'print' })
    await page.pdf({ path: pdfFile, format: 'A4', printBackground: true, preferCSSPageSize: true })
  } finally {
    await browser.close()
  }
}
