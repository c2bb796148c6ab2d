/**
 * `reseg import run` and `reseg metrics` as a user runs them: results on stdout (one JSON object with
 * --json), progress and skipped lines on stderr, a bad line → non-zero exit naming file:line.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRunProject, tempDir } from '../../../fixtures/runProject'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

let projectDir: string
let dir: string
beforeAll(() => {
  const p = makeRunProject([
    { imageId: 'a', annId: '1', rows: ['##', '..'] },
    { imageId: 'b', annId: '2', rows: ['.#', '.#'] },
  ])
  projectDir = p.dir
  p.close()
  dir = tempDir('reseg-cli-runs-')
})
afterAll(() => {
  fs.rmSync(path.dirname(projectDir), { recursive: true, force: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

function jsonl(name: string, lines: (object | string)[]): string {
  const f = path.join(dir, name)
  fs.writeFileSync(f, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'))
  return f
}

// a: predicted left column → I = 1, U = 3. b: predicted exactly → I = U = 2.
const good = [
  { image_id: 'a', ann_id: '1', mask: { size: [2, 2], counts: [0, 2, 2] } },
  { image_id: 'b', ann_id: '2', mask: { size: [2, 2], counts: '22' } },
]

describe('reseg import run / metrics', () => {
  it('a bad line exits non-zero with file:line and imports nothing', () => {
    const f = jsonl('bad.jsonl', [good[0], '{oops', good[1]])
    const r = reseg('import', 'run', f, '--project', projectDir, '--name', 'm')
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`${f}:2: not valid JSON`)
    const m = reseg('metrics', '--project', projectDir, '--json')
    expect(JSON.parse(m.stdout)).toEqual({ runs: [] })
  })

  it('--skip-bad imports the rest; metrics --json prints exactly one object of the stable shape', () => {
    const f = jsonl('run.jsonl', [good[0], '{oops', good[1]])
    const r = reseg('import', 'run', f, '--project', projectDir, '--name', 'm', '--skip-bad')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /^imported run 'm' \(jsonl\) into dataset 'reasonseg-test': 2 predictions, 0 dataset samples without one, 1 bad lines skipped\n$/,
    )
    expect(r.stderr).toContain(`skipped ${f}:2: not valid JSON`)

    const m = reseg('metrics', '--project', projectDir, '--json', '--run', 'm')
    expect(m.status).toBe(0)
    expect(m.stdout.trim().split('\n')).toHaveLength(1)
    expect(JSON.parse(m.stdout)).toEqual({
      runs: [
        {
          run: 'm',
          n: 2,
          missing: 0,
          not_segmented: 0,
          gIoU: (1 / 3 + 1) / 2,
          cIoU: 3 / 5,
          gt: 'original',
          exclude_flagged: false,
          gt_statement: 'Ground truth: original (as imported).',
          samples: [
            { image_id: 'a', ann_id: '1', intersection: 1, union: 3, iou: 1 / 3 },
            { image_id: 'b', ann_id: '2', intersection: 2, union: 2, iou: 1 },
          ],
        },
      ],
    })

    const again = reseg('import', 'run', f, '--project', projectDir, '--name', 'm', '--skip-bad')
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/already exists; pass --replace/)

    const table = reseg('metrics', '--project', projectDir, '--convention', 'lisa')
    expect(table.stdout).toMatch(
      /^run\s+n\s+missing\s+gIoU\s+cIoU\nm\s+2\s+0\s+0\.6667\s+0\.6000\nLISA convention/,
    )
  })

  it('bad arguments exit 2 with one line', () => {
    const r = reseg('metrics', '--project', projectDir, '--convention', 'coco')
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/coco/)
  })
})
