import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher } from '../../../../src/main/api/index'
import { createDemoProject } from '../../../../src/main/demo/demo'
import { openProject } from '../../../../src/main/store/project'

let dir: string
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-export-'))
  ;(await createDemoProject(dir, { images: 4, seed: 7 })).close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const reseg = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })

describe('reseg analyze breakdowns', () => {
  it('prints an empty bucket as a dash, and every other bucket with its numbers', () => {
    const runs = JSON.parse(
      reseg('analyze', 'breakdowns', '--project', dir, '--run', 'seg-zero-7b', '--json').stdout,
    ) as {
      breakdowns: { label: string; rows: { label: string; n: number }[] }[]
    }
    const rows = runs.breakdowns.flatMap((b) => b.rows)
    const empty = rows.filter((r) => r.n === 0)
    // The demo's small images leave the large-image buckets empty.
    expect(empty.length).toBeGreaterThan(0)
    const text = reseg('analyze', 'breakdowns', '--project', dir, '--run', 'seg-zero-7b').stdout
    for (const r of rows) {
      const line = text.split('\n').find((l) => l.trimStart().startsWith(r.label) && /n=\s*\d+/.test(l))
      expect(line, r.label).toBeDefined()
      if (r.n === 0) expect(line).toMatch(/ n=\s+0 {2}—$/)
      else expect(line).toMatch(new RegExp(`n=\\s+${r.n} {2}gIoU \\d\\.\\d{4} \\[`))
    }
    expect(text).not.toMatch(/n=\s+0\s+gIoU/)
  })
})

describe('reseg export --author', () => {
  it('writes only the samples a user touched in the run, and refuses an author with no writes (exit 2)', async () => {
    const project = openProject(dir)
    const runId = (
      project.db.prepare("SELECT id FROM runs WHERE name = 'seg-zero-7b'").get() as { id: number }
    ).id
    const [s0, s1, s2] = (
      project.db.prepare('SELECT id FROM samples ORDER BY id LIMIT 3').all() as { id: number }[]
    ).map((r) => r.id)
    const dispatch = createDispatcher(createApiContext(project))
    const ana = { user: 'ana', role: 'annotator' as const, remote: null }
    const bob = { user: 'bob', role: 'annotator' as const, remote: null }
    for (const [input, caller] of [
      [{ runId, sampleId: s2, text: 'ana on 2' }, ana],
      [{ runId, sampleId: s0, text: 'ana on 0' }, ana],
      [{ runId, sampleId: s1, text: 'bob on 1' }, bob],
    ] as const)
      expect((await dispatch('saveNote', input, caller)).ok).toBe(true)
    const at = (project.db.prepare('SELECT at FROM audit_log ORDER BY id').all() as { at: string }[]).map(
      (r) => r.at,
    )
    project.close()

    const exportRun = (format: string, out: string, ...more: string[]) =>
      reseg('export', '--project', dir, '--run', 'seg-zero-7b', '--format', format, '--out', out, ...more)
    const out = path.join(dir, 'ana.csv')
    const ok = exportRun('csv', out, '--author', 'ana')
    expect(ok.status, ok.stderr).toBe(0)
    const [head, ...rows] = fs.readFileSync(out, 'utf8').split('\r\n').slice(0, -1)
    const cols = head.split(',')
    const cell = (line: string, name: string) => line.split(',')[cols.indexOf(name)]
    expect(rows.map((r) => [cell(r, 'sample_id'), cell(r, 'note'), cell(r, 'authored')])).toEqual([
      [String(s0), 'ana on 0', `saveNote@${at[1]}`],
      [String(s2), 'ana on 2', `saveNote@${at[0]}`],
    ])

    const none = path.join(dir, 'zoe.csv')
    const bad = exportRun('csv', none, '--author', 'zoe')
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("reseg export: 'zoe' has no audited writes on samples of run 'seg-zero-7b'")
    expect(fs.existsSync(none)).toBe(false)
    const coco = exportRun('coco', none, '--author', 'ana')
    expect(coco.status).toBe(2)
    expect(coco.stderr).toContain('--author applies to the csv, json, html, pdf formats only, not coco')

    // HTML: whole-run headline, a statement of the filter, per-sample sections restricted to her samples.
    const html = (author: string[]) => {
      const file = path.join(dir, `r${author.length}.html`)
      const r = exportRun('html', file, ...author)
      expect(r.status, r.stderr).toBe(0)
      return fs.readFileSync(file, 'utf8')
    }
    const all = html([])
    const mine = html(['--author', 'ana'])
    const section = (doc: string, id: string) =>
      doc.slice(doc.indexOf(`id="${id}"`), doc.indexOf('</section>', doc.indexOf(`id="${id}"`)))
    const shown = (doc: string) =>
      [...section(doc, 'worst').matchAll(/data-sample="(\d+)"/g)].map((m) => Number(m[1]))
    expect(all).not.toContain('Filtered to samples')
    expect(mine).toContain('<b>Filtered to samples touched by ana (2 samples)</b>')
    expect(mine).toContain('the metrics, charts, breakdowns and comparisons are those of the whole run')
    expect(shown(all).length).toBeGreaterThan(2)
    expect(shown(mine).sort((a, b) => a - b)).toEqual([s0, s2])
    expect(section(all, 'notes')).toContain('bob on 1')
    expect(section(mine, 'notes')).not.toContain('bob on 1')
    expect(section(mine, 'notes')).toContain('ana on 0')
    expect(section(mine, 'notes')).toContain('ana on 2')
    const metric = (doc: string) => /data-metric="gIoU" data-value="([^"]+)"/.exec(doc)?.[1]
    expect(metric(mine)).toBeDefined()
    expect(metric(mine)).toBe(metric(all))
  })
})
