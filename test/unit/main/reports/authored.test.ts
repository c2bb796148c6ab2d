import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { AuthorFilterError } from '../../../../src/main/reports/authored'
import { exportReport } from '../../../../src/main/reports/export'
import type { Caller } from '../../../../src/shared/contract/access'
import { createAnalysisProject, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string
let dispatch: Dispatch
/** audit_log `at` by row id, read raw from the table (the expectations below are built from these). */
let at: Map<number, string>

const ana: Caller = { user: 'ana', role: 'annotator', remote: null }
const bob: Caller = { user: 'bob', role: 'annotator', remote: null }

async function write(method: string, input: unknown, caller: Caller): Promise<void> {
  const r = await dispatch(method, input, caller)
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`)
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-authored-'))
  fx = await createAnalysisProject(path.join(dir, 'project'))
  dispatch = createDispatcher(createApiContext(fx.project))
  const s = fx.sampleIds
  const tagId = (fx.project.db.prepare("SELECT id FROM tags WHERE name = 'boundary'").get() as { id: number })
    .id
  // audit ids 1..7, in this order
  await write('setSampleTag', { runId: fx.runA, sampleId: s[0], tagId, on: true }, ana) // 1
  await write('saveNote', { runId: fx.runA, sampleId: s[0], text: 'first' }, ana) // 2
  await write('saveNote', { runId: fx.runA, sampleId: s[0], text: 'second' }, ana) // 3
  await write('saveNote', { runId: fx.runB, sampleId: s[1], text: 'other run' }, ana) // 4
  await write('flagSample', { sampleId: s[4], kind: 'ambiguous', reason: 'two kites' }, ana) // 5
  await write('saveNote', { runId: fx.runA, sampleId: s[2], text: 'bob was here' }, bob) // 6
  await write('setSampleTag', { runId: fx.runA, sampleId: s[0], tagId, on: false }, bob) // 7
  // refused (a viewer may not write): not audited, so sample 3 is nobody's
  const refused = await dispatch(
    'saveNote',
    { runId: fx.runA, sampleId: s[3], text: 'x' },
    { user: 'ana', role: 'viewer', remote: null },
  )
  expect(refused.ok).toBe(false)
  const log = fx.project.db.prepare('SELECT id, at, user_name FROM audit_log ORDER BY id').all() as {
    id: number
    at: string
    user_name: string
  }[]
  expect(log.map((r) => [r.id, r.user_name])).toEqual([
    [1, 'ana'],
    [2, 'ana'],
    [3, 'ana'],
    [4, 'ana'],
    [5, 'ana'],
    [6, 'bob'],
    [7, 'bob'],
  ])
  at = new Map(log.map((r) => [r.id, r.at]))
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** RFC 4180 rows; the cells this fixture writes for these samples have no quoted line breaks. */
const csvLines = (file: string) => fs.readFileSync(file, 'utf8').split('\r\n').slice(0, -1)

describe('reports filtered by author', () => {
  it("CSV: only the author's samples of that run, each row the full row plus its authored cell", async () => {
    const full = path.join(dir, 'full.csv')
    const mine = path.join(dir, 'ana.csv')
    await exportReport(fx.project, { run: 'runA', format: 'csv', out: full })
    const r = await exportReport(fx.project, { run: 'runA', format: 'csv', out: mine, author: 'ana' })
    expect(r.rows).toBe(2)
    const [fullHead, ...fullRows] = csvLines(full)
    const [head, ...rows] = csvLines(mine)
    expect(fullHead.split(',')).not.toContain('authored')
    const cols = head.split(',')
    const k = cols.indexOf('authored')
    expect(cols.filter((c) => c !== 'authored')).toEqual(fullHead.split(','))
    // sample 0: her tag (id 1) and her last note (id 3, not 2); sample 4: her flag (a GT-side write, no
    // run); sample 1 was noted in run B only; bob's writes and the refused one are not hers.
    const expected = [
      { i: 0, authored: `setSampleTag@${at.get(1)};saveNote@${at.get(3)}` },
      { i: 4, authored: `flagSample@${at.get(5)}` },
    ]
    expect(rows).toHaveLength(expected.length)
    expected.forEach((e, j) => {
      const cells = rows[j].split(',')
      expect(cells[k]).toBe(e.authored)
      cells.splice(k, 1)
      expect(cells.join(',')).toBe(fullRows[e.i])
    })

    const bobs = path.join(dir, 'bob.csv')
    await exportReport(fx.project, { run: 'runA', format: 'csv', out: bobs, author: 'bob' })
    const [, ...b] = csvLines(bobs)
    expect(b.map((l) => l.split(',')[0])).toEqual([fx.sampleIds[0], fx.sampleIds[2]].map(String))
    expect(b.map((l) => l.split(',')[k])).toEqual([`setSampleTag@${at.get(7)}`, `saveNote@${at.get(6)}`])
  })

  it('JSON: whole-run headline metrics, a header naming the filter, and the authored field', async () => {
    const full = path.join(dir, 'full.json')
    const mine = path.join(dir, 'ana-b.json')
    await exportReport(fx.project, { run: 'runB', format: 'json', out: full })
    await exportReport(fx.project, { run: 'runB', format: 'json', out: mine, author: 'ana' })
    type Doc = Record<string, unknown> & { samples: Record<string, unknown>[] }
    const f = JSON.parse(fs.readFileSync(full, 'utf8')) as Doc
    const m = JSON.parse(fs.readFileSync(mine, 'utf8')) as Doc
    expect(f).not.toHaveProperty('author')
    expect(f.samples[0]).not.toHaveProperty('authored')
    expect(m.author).toEqual({ name: 'ana', samples: 2, metrics: 'whole run' })
    expect([m.gIoU, m.cIoU, m.n]).toEqual([f.gIoU, f.cIoU, f.n])
    expect(m.samples).toEqual([
      { ...f.samples[1], authored: `saveNote@${at.get(4)}` },
      { ...f.samples[4], authored: `flagSample@${at.get(5)}` },
    ])
  })

  it('an author with no writes in the run, or a format that cannot filter, is refused without a file', async () => {
    const out = path.join(dir, 'none.csv')
    const run = exportReport(fx.project, { run: 'runB', format: 'csv', out, author: 'bob' })
    await expect(run).rejects.toThrow(AuthorFilterError)
    await expect(
      exportReport(fx.project, { run: 'runB', format: 'csv', out, author: 'bob' }),
    ).rejects.toThrow("'bob' has no audited writes on samples of run 'runB'")
    await expect(
      exportReport(fx.project, { run: 'runA', format: 'coco', out, author: 'ana' }),
    ).rejects.toThrow('--author applies to the csv, json, html, pdf formats only, not coco')
    expect(fs.existsSync(out)).toBe(false)
  })

  it('exportReport through the dispatcher: bad_request before any job, and a filtered file otherwise', async () => {
    const bad = await dispatch('exportReport', {
      runId: fx.runA,
      format: 'csv',
      out: path.join(dir, 'x.csv'),
      author: 'zoe',
    })
    expect(bad).toEqual({
      ok: false,
      error: {
        code: 'bad_request',
        message: "'zoe' has no audited writes on samples of run 'runA' (see `reseg audit --author zoe`)",
      },
    })
    const coco = await dispatch('exportReport', {
      runId: fx.runA,
      format: 'coco',
      out: path.join(dir, 'x.json'),
      author: 'ana',
    })
    expect(coco).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const out = path.join(dir, 'api.csv')
    const ok = await dispatch('exportReport', { runId: fx.runA, format: 'csv', out, author: 'bob' })
    expect(ok.ok).toBe(true)
    const jobId = (ok as { value: { jobId: string } }).value.jobId
    let status = 'running'
    for (let i = 0; i < 200 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25))
      const jobs = await dispatch('listJobs', {})
      status = (jobs as { value: { id: string; status: string }[] }).value.find((j) => j.id === jobId)!.status
    }
    expect(status).toBe('done')
    expect(
      csvLines(out)
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual([fx.sampleIds[0], fx.sampleIds[2]].map(String))
  })
})
