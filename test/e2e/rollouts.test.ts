/**
 * The rollout strip in the served app: a run imported from a rollout dump shows, for each sample, K tiles with
 * reward / advantage / IoU; clicking one shows its text and terms, `]` / `\` step and leave, the list filter
 * narrows the browser to the samples with a format failure, and the analysis view carries the rollout section.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getTemplate, saveEndpoint } from '../../src/main/reason/store'
import { importRollouts } from '../../src/main/rollouts/importJsonl'
import { boxFillSegmenter } from '../fixtures/reasonProject'
import { startFakeVlmServer, type FakeServer } from '../unit/main/reason/fakeVlmServer'
import { launchBrowser, makeDemoProject, startServe, type Served } from './harness'

const GOOD =
  '<think>The object.</think><answer>[{"bbox_2d": [100, 100, 500, 500], "point_2d": [300, 300]}]</answer>'
const NO_TAGS = 'I am not sure.'

let served: Served
let vlm: FakeServer
let browser: Browser
let page: Page
let runId: number
const withFailure: number[] = []

beforeAll(async () => {
  served = await startServe({ projectDir: await makeDemoProject({ images: 8 }) })
  const db = served.project.db
  const samples = db
    .prepare('SELECT id, image_id, ann_id, dataset_id FROM samples ORDER BY id LIMIT 4')
    .all() as {
    id: number
    image_id: string
    ann_id: string
    dataset_id: number
  }[]
  // Samples 0 and 2 get one answer without tags among their three (a format failure); 1 and 3 do not.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-ro-')), 'dump.jsonl')
  fs.writeFileSync(
    file,
    samples
      .map((s, i) => {
        if (i % 2 === 0) withFailure.push(s.id)
        const texts = i % 2 === 0 ? [GOOD, NO_TAGS, GOOD] : [GOOD, GOOD, GOOD]
        return JSON.stringify({ image_id: s.image_id, ann_id: s.ann_id, rollouts: texts })
      })
      .join('\n'),
  )
  const r = await importRollouts(served.project, {
    file,
    datasetId: samples[0].dataset_id,
    runName: 'ro-e2e',
    reward: 'visionreasoner',
    template: getTemplate(db, 'visionreasoner'),
    segmenter: boxFillSegmenter(),
  })
  runId = r.runId
  // An endpoint for starting a rollout run from the app; it answers with no objects (nothing to segment).
  vlm = await startFakeVlmServer(() => ({
    kind: 'completion',
    text: '<think>none</think><answer>[]</answer>',
  }))
  saveEndpoint(db, {
    name: 'fake-vllm',
    baseUrl: vlm.baseUrl,
    model: 'vr',
    temperature: 0,
    maxTokens: 64,
    timeoutMs: 5000,
  })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1500, height: 950 } })
  await page.goto(served.url)
  await page.waitForSelector(`[data-testid=run-select] option[value="${runId}"]`, { state: 'attached' })
  await page.selectOption('[data-testid=run-select]', String(runId))
})
afterAll(async () => {
  await browser?.close()
  await served?.stop()
  await vlm?.close()
})

describe('rollout strip', () => {
  it('shows K tiles with reward, advantage and IoU, and a clicked rollout with its text and terms', async () => {
    await page.getByTestId('rollout-strip').waitFor()
    await expect.poll(() => page.locator('[data-testid=rollout-strip] .rollout-tile canvas').count()).toBe(3)
    // First sample: rewards GOOD, NO_TAGS, GOOD → the NO_TAGS tile has the lowest reward (1: non-repeat only).
    expect(await page.getByTestId('rollout-1').textContent()).toMatch(/^1\.00/)
    expect(await page.getByTestId('rollout-stats').textContent()).toMatch(/mean \d\.\d{3} · std \d\.\d{3}/)
    await page.getByTestId('rollout-1').click()
    await expect.poll(() => page.getByTestId('rollout-detail').textContent()).toContain(NO_TAGS)
    expect(await page.getByTestId('rollout-detail').textContent()).toMatch(/thinkingFormat\s*0\.000/)
    await page.keyboard.press(']')
    await expect
      .poll(() => page.getByTestId('rollout-detail').textContent())
      .toContain('rollout 2 on the canvas')
    await page.keyboard.press('\\')
    await expect.poll(() => page.getByTestId('rollout-detail').count()).toBe(0)
  })

  it('filters the sample list to groups with a format failure', async () => {
    await page.selectOption('[data-testid=rollout-filter]', 'format-failure')
    await expect
      .poll(() => page.getByTestId('sample-list').getAttribute('data-total'))
      .toBe(String(withFailure.length))
  })

  it('adds the rollout section to the analysis view', async () => {
    await page.getByTestId('tab-analysis').click()
    await page.getByTestId('rollout-analysis').waitFor()
    expect(await page.getByTestId('rollout-analysis').textContent()).toContain('zero-variance groups')
    expect(await page.locator('[data-testid=rollout-analysis] svg').count()).toBeGreaterThanOrEqual(3)
  })

  it('starts a rollout run of another run from the analysis view as a job', async () => {
    const other = served.project.db
      .prepare("SELECT id, name FROM runs WHERE name != 'ro-e2e' ORDER BY id LIMIT 1")
      .get() as {
      id: number
      name: string
    }
    await page.selectOption('[data-testid=run-select]', String(other.id))
    await page.getByTestId('tab-analysis').click()
    await page.getByTestId('rollout-start').waitFor()
    await page.locator('[data-testid=rollout-start] summary').click()
    await page.getByLabel('fake-vllm').check()
    await page.locator('[data-testid=rollout-start] input[type=number]').first().fill('2')
    await page.locator('[data-testid=rollout-start] button').click()
    await page.waitForSelector(`[data-testid=run-select] option:text("${other.name}-rollouts")`, {
      state: 'attached',
      timeout: 60_000,
    })
    const db = served.project.db
    const made = db.prepare('SELECT id FROM runs WHERE name = ?').get(`${other.name}-rollouts`) as {
      id: number
    }
    await expect
      .poll(
        () =>
          (
            db
              .prepare('SELECT COUNT(*) AS n FROM rollout_groups WHERE run_id = ? AND complete = 1')
              .get(made.id) as { n: number }
          ).n,
        { timeout: 60_000 },
      )
      .toBe(
        (db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE run_id = ?').get(other.id) as { n: number })
          .n,
      )
    expect(db.prepare('SELECT DISTINCT k FROM rollout_groups WHERE run_id = ?').all(made.id)).toEqual([
      { k: 2 },
    ])
  })
})
