import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportReport } from '../../../../src/main/reports/export'
import { createAnalysisProject, rectCounts, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string
let html: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-html-'))
  fx = await createAnalysisProject(path.join(dir, 'p'))
  const out = path.join(dir, 'r.html')
  await exportReport(fx.project, { run: 'runA', format: 'html', out, worstK: 4 })
  html = fs.readFileSync(out, 'utf8')
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('HTML report (static checks)', () => {
  it('references nothing outside the file', () => {
    expect(html).not.toMatch(/(src|href)="(?!data:)/)
    expect(html).not.toMatch(/url\(/)
    expect(html).not.toMatch(/<script/)
    expect(html).not.toMatch(/@import/)
  })

  it('escapes user text (reasoning, notes, queries)', () => {
    expect(html).toContain('A chair is for sitting; &lt;it&gt; is on the right &amp; small.')
    expect(html).not.toContain('<it>')
  })

  it('has the sections in order, without a comparison when none is asked for', () => {
    const ids = [...html.matchAll(/<section class="page" id="([^"]+)"/g)].map((m) => m[1])
    expect(ids).toEqual([
      'headline',
      'distribution',
      'breakdown-tag',
      'breakdown-queryKind',
      'breakdown-objectSize',
      'breakdown-imageSize',
      'stages',
      'worst',
      'tags',
      'notes',
    ])
    expect(html).toContain('Not computed for this run')
    expect(html).toContain('Ground truth: original (as imported).')
  })

  it('shows the worst k samples, lowest IoU first, and every note', () => {
    const worst = html.slice(html.indexOf('id="worst"'), html.indexOf('id="tags"'))
    const shown = [...worst.matchAll(/<figure data-sample="(\d+)"/g)].map((m) => Number(m[1]))
    const order = fx.samples
      .map((s, i) => ({ id: fx.sampleIds[i], iou: rectCounts(s.a?.rect ?? null, s.gt).iou }))
      .sort((a, b) => a.iou - b.iou || a.id - b.id)
      .slice(0, 4)
      .map((x) => x.id)
    expect(shown).toEqual(order)
    const notes = html.slice(html.indexOf('id="notes"'))
    expect(notes).toContain('perfect')
    expect(notes).toContain('tiny target')
  })
})
