import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoProject } from '../../../../src/main/demo/demo'

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
