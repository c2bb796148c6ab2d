/**
 * Failure paths in the browser: a sample whose detail fails to load shows the error and a Retry button (not
 * "Loading…" forever), and Retry loads it; a double click on a tag chip before the first reply lands "off" on
 * screen and on the server, because each click sends the state it wants (set / unset), never a toggle; a
 * project left open by a process that died (a killed import) gets the project check offered, and its Fix
 * removes what the import left behind.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSIONS_DIR } from '../../src/main/store/sessions'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

let browser: Browser
let demo: Served
let demoDir: string

beforeAll(async () => {
  demoDir = await makeDemoProject({ images: 6 })
  demo = await startServe({ projectDir: demoDir })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await demo?.stop()
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true })
})

async function newPage(): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  p.on('pageerror', (e) => console.error('page error:', e))
  return p
}

describe('robustness in the inspector', () => {
  it('shows a failed sample load with Retry, and Retry loads the sample', async () => {
    const page = await newPage()
    let failing = true
    await page.route('**/api/getSampleDetail', (route: Route) =>
      failing
        ? route.fulfill({
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({ ok: false, error: { code: 'internal', message: 'database is locked' } }),
          })
        : route.continue(),
    )
    await page.goto(demo.url)
    const error = page.locator('[data-testid=load-error]')
    await error.waitFor({ timeout: 30_000 })
    expect(await error.textContent()).toContain('Could not load this sample: database is locked')
    failing = false
    await page.click('[data-testid=load-retry]')
    await page.waitForSelector('[data-testid=canvas][data-sample-id]', { timeout: 30_000 })
    expect(await error.count()).toBe(0)
    await page.close()
  })

  it('a double click on a tag before the first reply ends untagged, on screen and on the server', async () => {
    const page = await newPage()
    const sent: { on: boolean }[] = []
    await page.route('**/api/setSampleTag', async (route: Route) => {
      sent.push(JSON.parse(route.request().postData() ?? '{}') as { on: boolean })
      // Slow replies: both clicks happen before the first one comes back.
      await new Promise((r) => setTimeout(r, 400))
      await route.continue()
    })
    // Counted when the page has the reply, so the server has handled the request (route.continue()
    // resolves once the request is passed on, before the server answers).
    let answered = 0
    page.on('response', (r) => {
      if (r.url().endsWith('/api/setSampleTag')) answered++
    })
    await page.goto(demo.url)
    await page.waitForSelector('[data-testid=canvas][data-sample-id]')
    const sampleId = Number(await page.getAttribute('[data-testid=app]', 'data-sample-id'))
    const chip = page.locator('[data-testid=tag-chip]').first()
    const tagId = Number(await chip.getAttribute('data-tag-id'))
    expect(await chip.getAttribute('aria-pressed')).toBe('false')
    await chip.dblclick()
    await expect.poll(() => answered, { timeout: 10_000 }).toBe(2)
    await page.waitForTimeout(200)
    expect(sent.map((b) => b.on)).toEqual([true, false])
    expect(await chip.getAttribute('aria-pressed')).toBe('false')
    const onServer = demo.project.db
      .prepare('SELECT COUNT(*) AS n FROM sample_tags WHERE sample_id = ? AND tag_id = ?')
      .get(sampleId, tagId) as { n: number }
    expect(onServer.n).toBe(0)
    await page.close()
  })

  it('offers the project check after a crash, and Fix removes what a killed import left', async () => {
    const dir = await makeDemoProject({ images: 3 })
    // What `reseg import` leaves when killed: its session marker and its staging folder.
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout,
    )
    fs.writeFileSync(
      path.join(dir, SESSIONS_DIR, `${dead}.deadbeef.json`),
      JSON.stringify({
        pid: dead,
        host: os.hostname(),
        startedAt: '2026-11-28T03:00:00Z',
        command: 'reseg import dataset x',
      }),
    )
    const staging = path.join(dir, 'media', `.staging-${dead}-0badc0de`)
    fs.mkdirSync(staging)
    fs.writeFileSync(path.join(staging, 'a.jpg'), Buffer.alloc(4096))
    const crashed = await startServe({ projectDir: dir })
    const page = await newPage()
    try {
      await page.goto(crashed.url)
      const banner = page.locator('[data-testid=crash-check]')
      await banner.waitFor({ timeout: 30_000 })
      expect(await banner.textContent()).toContain(`reseg import dataset x (pid ${dead})`)
      await page.click('[data-testid=crash-check-run]')
      const result = page.locator('[data-testid=crash-check-result]')
      await result.waitFor()
      expect(await result.textContent()).toContain('1 orphaned media entries')
      expect(fs.existsSync(staging)).toBe(true)
      await page.click('[data-testid=crash-check-fix]')
      await page.waitForFunction(() =>
        document.querySelector('[data-testid=crash-check-result]')?.textContent?.includes('now clean'),
      )
      expect(fs.existsSync(staging)).toBe(false)
      // Checked and fixed: a reload no longer offers it.
      await page.reload()
      await page.waitForSelector('[data-testid=canvas][data-sample-id]')
      expect(await banner.count()).toBe(0)
    } finally {
      await page.close()
      await crashed.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
