/**
 * The suggested-tags section of the HTML report on the rectangle fixture (run A: three failures, worked
 * out by hand in test/unit/main/api/suggest.test.ts — format failure, wrong object, localization off).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { exportReport } from '../../../../src/main/reports/export'
import { suggestSection } from '../../../../src/main/reports/suggestSection'
import { setThresholds } from '../../../../src/main/suggest/proposals'
import { reviewSample } from '../../../../src/main/suggest/review'
import { listTags } from '../../../../src/main/store/tags'
import { createAnalysisProject, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-suggest-report-'))
  fx = await createAnalysisProject(path.join(dir, 'p'))
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const cells = (html: string, table: string) => {
  const t = html.match(new RegExp(`<table ${table}>(.*?)</table>`))?.[1] ?? ''
  return [...t.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]),
  )
}

it('shows proposals, confirmed counts, the unreviewed share, the agreement matrix and the thresholds', async () => {
  const { db } = fx.project
  const [, s2, s3] = fx.sampleIds
  let html = suggestSection(db, fx.runA) // computes the proposals
  expect(html).toContain('3 failures: 0 confirmed, 0 skipped, <b>3 unreviewed (100.0%)</b>')
  expect(html).not.toContain('data-suggest-matrix')

  const wrong = listTags(db).find((t) => t.name === 'wrong object')!.id
  reviewSample(db, fx.runA, s3, { kind: 'accept' })
  reviewSample(db, fx.runA, s2, { kind: 'pick', tagId: wrong })
  setThresholds(db, { boxCloseIou: 0.9 })
  html = suggestSection(db, fx.runA)
  expect(html).toContain('3 failures: 2 confirmed, 0 skipped, <b>1 unreviewed (33.3%)</b>')
  expect(cells(html, 'data-suggest-proposed').slice(1)).toEqual([
    ['format failure', '1'],
    ['localization off', '1'],
    ['wrong object', '1'],
  ])
  expect(cells(html, 'data-suggest-confirmed').slice(1)).toEqual([
    ['format failure', '1'],
    ['wrong object', '1'],
  ])
  expect(cells(html, 'data-suggest-matrix')).toEqual([
    ['', 'format failure', 'wrong object'],
    ['format failure', '1', '0'],
    ['wrong object', '0', '0'],
    ['localization off', '0', '1'],
  ])
  expect(html).toContain('50.0% of confirmed samples kept the proposed tag')
  expect(cells(html, 'data-suggest-thresholds')).toContainEqual(['boxCloseIou', '0.9 *', '0.7'])
  expect(cells(html, 'data-suggest-thresholds')).toContainEqual(['failureIou', '0.5', '0.5'])

  const out = path.join(dir, 'r.html')
  await exportReport(fx.project, { run: 'runA', format: 'html', out, worstK: 2 })
  expect(fs.readFileSync(out, 'utf8')).toContain('<section class="page" id="suggested-tags">')
})
