/**
 * integrations/reseg_hook.py run by Debian's python3 + numpy: an independent (numpy, vectorised) COCO RLE
 * encoder checked against rle.ts on masks numpy builds, and the JSONL it writes imported as a run.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importRun } from '../../../../src/main/runs/importRun'
import type { Project } from '../../../../src/main/store/project'
import { getRunByName } from '../../../../src/main/store/runs'
import { area, countsToString, encodeRowMajor, fromCoco } from '../../../../src/shared/domain/rle'
import { makeRunProject, tempDir } from '../../../fixtures/runProject'

const PYTHON = '/usr/bin/python3'
const HOOK_DIR = path.resolve(__dirname, '../../../../integrations')

function hasNumpy(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function python(script: string): string {
  return execFileSync(PYTHON, ['-c', script], {
    env: { ...process.env, PYTHONPATH: HOOK_DIR },
    encoding: 'utf8',
  })
}

describe.skipIf(!hasNumpy())('reseg_hook.py (python3-numpy)', () => {
  let project: Project
  let dir: string
  beforeEach(() => {
    dir = tempDir('reseg-hook-')
    project = makeRunProject([
      { imageId: 'img1', annId: '1', rows: ['.....', '.#...', '.##..', '.....'] },
      { imageId: 'img2', annId: '7', rows: ['##.', '##.', '...'] },
    ])
  })
  afterEach(() => {
    project.close()
    fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('encodes like rle.ts on masks numpy builds', () => {
    const out = python(`
import json, numpy as np, reseg_hook as h
rng = np.random.default_rng(3)
masks = [np.ones((1, 1)), np.zeros((1, 1)), np.zeros((1, 1000)), rng.random((37, 23)) < 0.5, np.ones((5, 7))]
masks[2][0, [3, 4, 5, 999]] = 1
yy, xx = np.mgrid[0:600, 0:800]
r = np.hypot(yy - 300, xx - 410)
masks.append((r < 250) & (r > 60))          # a ring: one component with a hole
masks.append(((yy // 9 + xx // 13) % 2 == 0)[:90, :120])  # many components
for m in masks:
    m = np.asarray(m).astype(np.uint8)
    print(json.dumps({"h": m.shape[0], "w": m.shape[1], "bits": "".join(map(str, m.ravel().tolist())),
                      "rle": h.encode_rle(m), "area": int(m.sum())}))
`)
    const lines = out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            h: number
            w: number
            bits: string
            rle: { size: number[]; counts: string }
            area: number
          },
      )
    expect(lines).toHaveLength(7)
    for (const l of lines) {
      const mask = Uint8Array.from(l.bits, (c) => (c === '1' ? 1 : 0))
      const ours = encodeRowMajor(mask, l.h, l.w)
      expect(l.rle).toEqual({ size: [l.h, l.w], counts: countsToString(ours.counts) })
      expect(area(fromCoco({ size: [l.h, l.w], counts: l.rle.counts }))).toBe(l.area)
    }
    // The hand-derived example: runs 5,2,3,1,9.
    expect(
      python(`
import numpy as np, reseg_hook as h
m = np.zeros((4, 5), np.uint8); m[1, 1] = m[2, 1] = m[2, 2] = 1
print(h.encode_rle(m)["counts"])`).trim(),
    ).toBe('523O6')
  })

  it('writes a JSONL that imports as a run with the same masks', async () => {
    const file = path.join(dir, 'hook.jsonl')
    python(`
import numpy as np
from reseg_hook import ResegWriter
a = np.zeros((4, 5), bool); a[1, 1] = a[2, 1] = a[2, 2] = True
b = np.zeros((3, 3), np.uint8); b[:, 1] = 1
with ResegWriter(${JSON.stringify(file)}) as w:
    w.write("img1", 1, mask=a, output="<think>small</think><answer>[]</answer>", bboxes=[[1.0, 1.0, 3.0, 3.0]], points=[[2, 2]])
    w.write("img2", "7", mask=b)
`)
    const r = await importRun(project, { path: file, name: 'hooked' })
    expect(r).toMatchObject({ format: 'jsonl', imported: 2, missing: 0 })
    const rows = project.db
      .prepare(
        'SELECT mask_rle, intersection, union_px, reasoning, prompts_json FROM predictions WHERE run_id = ? ORDER BY sample_id',
      )
      .all(getRunByName(project.db, 'hooked')!.id) as {
      mask_rle: string
      intersection: number
      union_px: number
      reasoning: string
      prompts_json: string
    }[]
    expect(rows[0]).toMatchObject({ mask_rle: '523O6', intersection: 3, union_px: 3, reasoning: 'small' })
    expect(JSON.parse(rows[0].prompts_json)).toEqual([
      { box: [1, 1, 3, 3], points: [{ x: 2, y: 2, label: 1 }] },
    ])
    // b = middle column of 3x3: runs 3,3,3 → "333"; vs GT (2x2 top-left): I = 2, U = 3 + 4 - 2 = 5.
    expect(rows[1]).toMatchObject({ mask_rle: '333', intersection: 2, union_px: 5 })
  })
})
