import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportReport } from '../../../../src/main/reports/export'
import { createAnalysisProject, rectCounts, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-table-'))
  fx = await createAnalysisProject(path.join(dir, 'project'))
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A minimal RFC 4180 reader, written for this test (quoted fields, doubled quotes, CRLF inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  return rows
}

describe('CSV export', () => {
  it('one row per sample with IoUs, tags, notes, prompts and reasoning intact', async () => {
    const out = path.join(dir, 'a.csv')
    const r = await exportReport(fx.project, { run: 'runA', compare: 'runB', format: 'csv', out })
    expect(r.rows).toBe(6)
    const [head, ...rows] = parseCsv(fs.readFileSync(out, 'utf8'))
    expect(rows).toHaveLength(6)
    const col = (row: string[], name: string) => row[head.indexOf(name)]
    fx.samples.forEach((s, i) => {
      const a = rectCounts(s.a?.rect ?? null, s.gt)
      const b = rectCounts(s.b?.rect ?? null, s.gt)
      expect(col(rows[i], 'image_id')).toBe(s.imageId)
      expect(Number(col(rows[i], 'intersection'))).toBe(a.intersection)
      expect(Number(col(rows[i], 'union'))).toBe(a.union)
      expect(Number(col(rows[i], 'iou'))).toBeCloseTo(a.iou, 12)
      expect(Number(col(rows[i], 'compare_iou'))).toBeCloseTo(b.iou, 12)
      expect(Number(col(rows[i], 'iou_delta'))).toBeCloseTo(b.iou - a.iou, 12)
      expect(col(rows[i], 'missing')).toBe(s.a ? 'false' : 'true')
      expect(col(rows[i], 'tags')).toBe([...(s.tags ?? [])].sort().join(';'))
      expect(col(rows[i], 'note')).toBe(s.note ?? '')
      expect(col(rows[i], 'reasoning')).toBe(s.reasoning ?? '')
      expect(col(rows[i], 'prompts')).toBe(s.a?.box ? JSON.stringify([{ box: s.a.box, points: [] }]) : '')
    })
    expect(col(rows[3], 'query_kind')).toBe('sentence')
    expect(col(rows[3], 'object_size')).toBe('tiny')
    expect(col(rows[1], 'query')).toBe('What could a person sit on to rest?')
  })

  it('a failed export leaves no file behind', async () => {
    const out = path.join(dir, 'bad.csv')
    await expect(
      exportReport(fx.project, { run: 'runA', compare: 'nope', format: 'csv', out }),
    ).rejects.toThrow(/no run 'nope'/)
    expect(fs.existsSync(out)).toBe(false)
    expect(fs.readdirSync(dir).some((f) => f.includes('partial'))).toBe(false)
  })
})

describe('JSON export', () => {
  it('headline metrics and one object per sample', async () => {
    const out = path.join(dir, 'a.json')
    await exportReport(fx.project, { run: 'runA', format: 'json', out })
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      run: string
      n: number
      missing: number
      gIoU: number
      cIoU: number
      samples: Record<string, unknown>[]
    }
    const counts = fx.samples.map((s) => rectCounts(s.a?.rect ?? null, s.gt))
    expect(doc.run).toBe('runA')
    expect(doc.n).toBe(6)
    expect(doc.missing).toBe(1)
    expect(doc.gIoU).toBeCloseTo(counts.reduce((s, c) => s + c.iou, 0) / 6, 12)
    expect(doc.cIoU).toBeCloseTo(
      counts.reduce((s, c) => s + c.intersection, 0) / counts.reduce((s, c) => s + c.union, 0),
      12,
    )
    expect(doc.samples).toHaveLength(6)
    expect(doc.samples[1]).toMatchObject({
      ann_id: '1',
      tags: ['wrong-object'],
      prompts: [{ box: [80, 20, 119, 59], points: [] }],
    })
    expect(typeof doc.samples[0].mask_rle).toBe('string')
    expect(doc.samples[2]).toMatchObject({ missing: true, mask_rle: null, intersection: 0, union: 15000 })
    expect('compare_iou' in doc.samples[0]).toBe(false)
  })
})
