/**
 * Export from the app: the "Export dataset…" form in Chromium starts the job; the hf-parquet folder it
 * writes re-imports into a new project with the same masks, and DuckDB reads it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importDataset } from '../../src/main/datasets/importDataset'
import { openProject } from '../../src/main/store/project'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

let served: Served
let browser: Browser
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-export-'))

beforeAll(async () => {
  served = await startServe({ projectDir: await makeDemoProject({ images: 4 }) })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await served?.stop()
  if (served) fs.rmSync(served.projectDir, { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('export dataset from the app', () => {
  it('exports hf-parquet through the form; the folder re-imports with the same masks and DuckDB reads it', async () => {
    const out = path.join(tmp, 'hf')
    const page = await browser.newPage()
    await page.goto(served.url)
    await page.click('[data-testid=export-dataset]')
    await page.waitForSelector('[data-testid=export-dataset-form] select option', { state: 'attached' })
    await page.fill('[data-testid=export-dataset-out]', out)
    await page.click('[data-testid=export-dataset-form] button[type=submit]')
    await page.waitForFunction(() => document.body.textContent?.includes('Export started'))
    const readme = path.join(out, 'README.md')
    await expect
      .poll(() => fs.existsSync(readme), { timeout: 20_000, message: `${readme} did not appear` })
      .toBe(true)

    // A second export into the now non-empty folder is refused, and the form says why.
    await page.click('[data-testid=export-dataset-form] button[type=submit]')
    await page.waitForFunction(() => document.body.textContent?.includes('pass --force to replace it'))
    await page.close()

    const orig = openProject(served.projectDir)
    const back = openProject(path.join(tmp, 'back'), { create: true })
    try {
      const r = await importDataset(back, out, { name: 'back' })
      const q = 'SELECT image_id, ann_id, query, gt_rle FROM samples ORDER BY id'
      const want = orig.db.prepare(q).all()
      expect(r.samples).toBe(want.length)
      expect(back.db.prepare(q).all()).toEqual(want)
    } finally {
      back.close()
      orig.close()
    }
    const inst = await DuckDBInstance.create(':memory:')
    const con = await inst.connect()
    const rows = await con.runAndReadAll(
      `SELECT count(*), sum(len(mask)) = sum(img_height) FROM '${path.join(out, 'data', '*.parquet')}'`,
    )
    const [count, heightsMatch] = rows.getRows()[0]
    expect(Number(count)).toBeGreaterThan(0)
    expect(heightsMatch).toBe(true)
    con.closeSync()
  })
})
