/**
 * A run with one not-segmented prediction (prompts but no mask): the HTML report says "not segmented" for
 * it instead of an IoU of 0, leaves it out of the distribution, breakdowns and worst samples, and shows
 * no gIoU / cIoU for the run while it remains (as runMetrics / `reseg metrics`). Expected numbers are
 * worked out by hand from the fixture's rectangles below.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportReport } from '../../../../src/main/reports/export'
import { upsertPrediction } from '../../../../src/main/store/runs'
import { createAnalysisProject, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string
let html: string
let notSegmentedId: number

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-html-notseg-'))
  fx = await createAnalysisProject(path.join(dir, 'p'))
  // Sample 1 ("What could a person sit on to rest?", GT [60,20,100,60] = 1600 px, tag wrong-object):
  // run A's answer becomes a prompt box without a mask; its stored I = 0, U = 1600 are no score.
  notSegmentedId = fx.sampleIds[1]
  upsertPrediction(fx.project.db, {
    runId: fx.runA,
    sampleId: notSegmentedId,
    prompts: [{ box: [80, 20, 119, 59], points: [] }],
    intersection: 0,
    union: 1600,
    iou: 0,
  })
  const out = path.join(dir, 'r.html')
  await exportReport(fx.project, { run: 'runA', format: 'html', out, worstK: 6 })
  html = fs.readFileSync(out, 'utf8')
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const section = (id: string) => {
  const start = html.indexOf(`<section class="page" id="${id}"`)
  return html.slice(start, html.indexOf('</section>', start))
}

describe('HTML report with a not-segmented sample', () => {
  it('shows no gIoU / cIoU for the run, and counts the sample as not segmented', () => {
    const head = section('headline')
    expect(head).toMatch(/data-metric="gIoU" data-not-segmented="1">not segmented</)
    expect(head).toMatch(/data-metric="cIoU" data-not-segmented="1">not segmented</)
    expect(head).not.toMatch(/data-metric="gIoU" data-value=/)
    expect(head).toContain('data-metric="n" data-value="6"')
    expect(head).toContain('data-metric="notSegmented" data-value="1"')
    expect(head).toContain('data-metric="missing" data-value="1"')
  })

  it('leaves it out of the IoU histogram', () => {
    // Segmented IoUs of run A: s0 1, s2 missing 0, s3 0, s4 1800/3600 = 0.5, s5 2700/3000 = 0.9.
    const rows = [...section('distribution').matchAll(/<tr><td>runA<\/td>(.*?)<\/tr>/g)]
    const counts = [...rows[0][1].matchAll(/<td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]))
    expect(counts).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 2])
  })

  it('leaves it out of the breakdowns', () => {
    // Sentences: s1 (not segmented) and s3 (9 words ending in '?'): only s3 is scored, I = 0, U = 500.
    const kinds = section('breakdown-queryKind')
    expect(kinds).toMatch(
      /<tr data-key="sentence"><td>[^<]*<\/td><td class="num">1<\/td><td class="num">0<\/td><td class="num" data-value="0">/,
    )
    // Phrases: s0 1, s2 0 (missing, U = 15000), s4 0.5, s5 0.9 → gIoU 2.4 / 4 = 0.6.
    const phrase = kinds.match(/<tr data-key="phrase">.*?<\/tr>/)![0]
    expect(phrase).toContain('<td class="num">4</td><td class="num">1</td>')
    const value = Number(phrase.match(/data-value="([^"]+)"/)![1])
    expect(value).toBeCloseTo(0.6, 12)
    // cIoU of the phrases: (1600 + 0 + 1800 + 2700) / (1600 + 15000 + 3600 + 3000).
    const cIoU = Number([...phrase.matchAll(/data-value="([^"]+)"/g)][1][1])
    expect(cIoU).toBeCloseTo(6100 / 23200, 12)
  })

  it('does not rank it among the worst samples, and labels its thumbnail "not segmented"', () => {
    const worst = section('worst')
    const shown = [...worst.matchAll(/<figure data-sample="(\d+)"/g)].map((m) => Number(m[1]))
    // Lowest IoU first, ties by id: s2 (0), s3 (0), s4 (0.5), s5 (0.9), s0 (1).
    expect(shown).toEqual([2, 3, 4, 5, 0].map((i) => fx.sampleIds[i]))
    const tags = html.slice(html.indexOf('id="tags"'), html.indexOf('id="notes"'))
    const fig = tags.match(new RegExp(`<figure data-sample="${notSegmentedId}".*?</figure>`))![0]
    expect(fig).toContain('IoU <b>not segmented</b>')
    expect(fig).not.toContain('0.0000')
  })
})
