/**
 * Review mode in the served app, keyboard only: confirm 10 failures (Enter accepts, a digit picks another
 * tag, Backspace skips, u undoes), reload, and find the confirmations kept — in the store, on the samples'
 * tags and in the progress — with the proposals of the remaining failures still shown.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { listTags } from '../../src/main/store/tags'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

let served: Served
let browser: Browser
let page: Page

beforeAll(async () => {
  served = await startServe({ projectDir: await makeDemoProject({ images: 40 }) })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  await page.goto(served.url)
  await openReview()
})
afterAll(async () => {
  await browser?.close()
  await served?.stop()
})

async function openReview() {
  await page.getByTestId('tab-review').click()
  // Keys go to the window, not to the tab button that keeps the focus after the click.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await page.getByTestId('review-item').waitFor()
}

const item = (p: Page) => p.getByTestId('review-item')
const current = async () => ({
  sampleId: Number(await item(page).getAttribute('data-sample-id')),
  tag: (await page.getByTestId('review-proposal').getAttribute('data-tag')) ?? '',
})
const confirmedInUi = async () =>
  Number(await page.getByTestId('review-progress').getAttribute('data-confirmed'))

/** Presses a key and waits until the shown failure is another one. */
async function pressAndMove(key: string, from: number) {
  await page.keyboard.press(key)
  await expect.poll(async () => Number(await item(page).getAttribute('data-sample-id'))).not.toBe(from)
}

it('confirms 10 failures with the keyboard alone, and they survive a reload', async () => {
  const db = served.project.db
  const runId = (db.prepare("SELECT id FROM runs WHERE name = 'seg-zero-7b'").get() as { id: number }).id
  const failures = Number(await page.getByTestId('review-progress').getAttribute('data-failures'))
  expect(failures).toBeGreaterThan(12)
  const tags = listTags(db)
  const expected = new Map<number, string>()

  for (let i = 0; i < 10; i++) {
    const c = await current()
    expect(c.sampleId).toBeGreaterThan(0)
    if (i === 8 || !c.tag) {
      // A digit picks another tag: the second in the taxonomy.
      expected.set(c.sampleId, tags[1].name)
      await pressAndMove('2', c.sampleId)
    } else if (i === 9) {
      // Skip, undo the skip (the same failure comes back), then accept it.
      await pressAndMove('Backspace', c.sampleId)
      await page.keyboard.press('u')
      await expect.poll(async () => Number(await item(page).getAttribute('data-sample-id'))).toBe(c.sampleId)
      expected.set(c.sampleId, c.tag)
      await pressAndMove('Enter', c.sampleId)
    } else {
      expected.set(c.sampleId, c.tag)
      await pressAndMove('Enter', c.sampleId)
    }
  }
  await expect.poll(confirmedInUi).toBe(10)

  // The store: ten confirmed reviews, each sample carrying the confirmed tag among its own tags.
  const rows = db
    .prepare(
      `SELECT r.sample_id, t.name FROM tag_reviews r JOIN tags t ON t.id = r.tag_id
       WHERE r.run_id = ? AND r.state = 'confirmed'`,
    )
    .all(runId) as { sample_id: number; name: string }[]
  expect(new Map(rows.map((r) => [r.sample_id, r.name]))).toEqual(expected)
  for (const [sampleId, name] of expected) {
    const has = db
      .prepare(
        'SELECT 1 FROM sample_tags st JOIN tags t ON t.id = st.tag_id WHERE st.run_id = ? AND st.sample_id = ? AND t.name = ?',
      )
      .get(runId, sampleId, name)
    expect(has).toBeTruthy()
  }

  // Back in the inspector, the list rows loaded before the review show the confirmed tags (no reload).
  await page.getByRole('button', { name: 'Inspect', exact: true }).click()
  await page.getByTestId('sample-list').waitFor()
  const visible = (await page
    .locator('[data-testid=row][data-sample-id]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-sample-id'))))) as number[]
  const reviewedVisible = visible.filter((id) => expected.has(id))
  expect(reviewedVisible.length).toBeGreaterThan(0)
  for (const id of reviewedVisible) {
    await page
      .locator(`[data-testid=row][data-sample-id="${id}"] .tag-dot[title="${expected.get(id)}"]`)
      .waitFor({ timeout: 5000 })
  }

  await page.reload()
  await openReview()
  await expect.poll(confirmedInUi).toBe(10)
  // The next failure shown is an unreviewed one, with its proposal and evidence.
  const next = await current()
  expect(expected.has(next.sampleId)).toBe(false)
  const proposal = db
    .prepare('SELECT tag FROM tag_proposals WHERE run_id = ? AND sample_id = ?')
    .get(runId, next.sampleId) as { tag: string | null }
  expect(next.tag).toBe(proposal.tag ?? '')
  if (proposal.tag) await page.getByTestId('review-evidence').waitFor()
  const unreviewed = db
    .prepare(
      `SELECT COUNT(*) AS n FROM tag_proposals p LEFT JOIN tag_reviews r USING (run_id, sample_id)
       WHERE p.run_id = ? AND p.failure = 1 AND r.state IS NULL AND p.tag IS NOT NULL`,
    )
    .get(runId) as { n: number }
  expect(unreviewed.n).toBeGreaterThan(0)
  expect(await page.getByTestId('review-progress').textContent()).toContain(
    `10 / ${failures} failures confirmed`,
  )
})

it('the analysis view shows the confirmed counts, the unreviewed share and the agreement matrix', async () => {
  const db = served.project.db
  const runId = (db.prepare("SELECT id FROM runs WHERE name = 'seg-zero-7b'").get() as { id: number }).id
  const f = db
    .prepare('SELECT COUNT(*) AS n FROM tag_proposals WHERE run_id = ? AND failure = 1')
    .get(runId) as {
    n: number
  }
  await page.getByTestId('tab-analysis').click()
  const counts = page.getByTestId('suggest-counts')
  await counts.waitFor()
  const share = (((f.n - 10) / f.n) * 100).toFixed(1)
  expect(await counts.textContent()).toContain(
    `${f.n} failures: 10 confirmed, 0 skipped, ${f.n - 10} unreviewed (${share}%)`,
  )
  // The matrix's cells add up to the ten confirmations.
  const cells = await page.locator('[data-testid="suggest-matrix"] tbody td').allTextContents()
  expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(10)
  expect(await page.getByTestId('suggest-thresholds').textContent()).toContain('failureIou 0.5')
})

it('a threshold changed in the review mode becomes a project override and the proposals follow it', async () => {
  const db = served.project.db
  const runId = (db.prepare("SELECT id FROM runs WHERE name = 'seg-zero-7b'").get() as { id: number }).id
  const partial = () =>
    (
      db
        .prepare("SELECT COUNT(*) AS n FROM tag_proposals WHERE run_id = ? AND tag = 'partial object'")
        .get(runId) as { n: number }
    ).n
  expect(partial()).toBeGreaterThan(0)
  await openReview()
  await page.getByTestId('review-thresholds-toggle').click()
  const input = page.locator('[data-threshold="partialMinPrecision"]')
  // No prediction is more than 100 % inside its GT: no partial object any more.
  await input.fill('1.01')
  await input.press('Enter')
  await expect.poll(partial).toBe(0)
  const meta = db.prepare("SELECT value FROM project_meta WHERE key = 'suggest_thresholds'").get() as {
    value: string
  }
  expect(JSON.parse(meta.value)).toEqual({ partialMinPrecision: 1.01 })
  await page.getByText('reset to defaults').click()
  await expect.poll(partial).toBeGreaterThan(0)
  expect(db.prepare("SELECT value FROM project_meta WHERE key = 'suggest_thresholds'").get()).toBeUndefined()
})
