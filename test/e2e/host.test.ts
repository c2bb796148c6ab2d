import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

let served: Served
let browser: Browser

beforeAll(async () => {
  served = await startServe({ projectDir: await makeDemoProject({ images: 4 }) })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await served?.stop()
  if (served) fs.rmSync(served.projectDir, { recursive: true, force: true })
})

describe('serve host in a real browser', () => {
  it('refuses a page load without the token', async () => {
    const page = await browser.newPage()
    const res = await page.goto(served.baseUrl + '/')
    expect(res?.status()).toBe(401)
    expect(await page.textContent('body')).toContain('token')
    await page.close()
  })

  it('loads the renderer with the token, removes it from the address bar, and survives a reload', async () => {
    const page = await browser.newPage()
    const failed: string[] = []
    // A reload cancels requests still in flight (net::ERR_ABORTED); those are not failures of the host.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(r.url())
    })
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`)
    })
    await page.goto(served.url)
    await page.waitForFunction(() =>
      document.querySelector('#root')?.textContent?.includes('ReSeg Inspector'),
    )
    expect(page.url()).not.toContain('token=')
    await page.waitForLoadState('networkidle')
    await page.reload()
    await page.waitForFunction(() =>
      document.querySelector('#root')?.textContent?.includes('ReSeg Inspector'),
    )
    expect(failed).toEqual([])
    await page.close()
  })
})
