import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { gtPieces, matchObjects, maxAssignment } from '../../../../src/shared/domain/objectMatching'
import { decodeRowMajor, encodeRowMajor } from '../../../../src/shared/domain/rle'
import { seededRng } from '../../../../src/shared/domain/random'

/** Best total weight per matrix from scipy.optimize.linear_sum_assignment (maximize). */
function scipyBest(matrices: number[][][]): number[] {
  const py = String.raw`
import sys, json
import numpy as np
from scipy.optimize import linear_sum_assignment
out = []
for m in json.load(sys.stdin):
    a = np.array(m, dtype=float)
    r, c = linear_sum_assignment(a, maximize=True)
    out.append(float(a[r, c].sum()))
print(json.dumps(out))
`
  const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(matrices), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`python3/scipy reference failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as number[]
}

describe('maxAssignment', () => {
  it('finds the assignment of maximum total weight, as scipy does, for square and rectangular matrices', () => {
    const rand = seededRng(7)
    const matrices: number[][][] = []
    for (let t = 0; t < 60; t++) {
      const rows = 1 + Math.floor(rand() * 6)
      const cols = 1 + Math.floor(rand() * 6)
      matrices.push(
        Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rand() < 0.3 ? 0 : rand()))),
      )
    }
    const best = scipyBest(matrices)
    for (const [t, m] of matrices.entries()) {
      const a = maxAssignment(m, m.length, m[0].length)
      const cols = a.filter((j) => j >= 0)
      expect(new Set(cols).size, `one-to-one in case ${t}`).toBe(cols.length)
      expect(cols.length).toBe(Math.min(m.length, m[0].length))
      const total = a.reduce((s, j, i) => s + (j >= 0 ? m[i][j] : 0), 0)
      expect(total, `case ${t}`).toBeCloseTo(best[t], 9)
    }
  })

  it('prefers the one-to-one optimum over greedy choice', () => {
    // Greedy would give row 0 column 0 (0.9) and row 1 nothing useful (0.1): total 1.0 < 0.8 + 0.8.
    expect(
      maxAssignment(
        [
          [0.9, 0.8],
          [0.8, 0.1],
        ],
        2,
        2,
      ),
    ).toEqual([1, 0])
  })
})

describe('gtPieces and matchObjects', () => {
  // 10 x 6 image: a 3x2 block (left) and a 2x4 block (right), 8-connected pieces.
  const W = 10
  const H = 6
  const mask = (cells: [number, number][]) => {
    const m = new Uint8Array(W * H)
    for (const [x, y] of cells) m[y * W + x] = 1
    return encodeRowMajor(m, H, W)
  }
  const left: [number, number][] = [
    [1, 1],
    [2, 1],
    [3, 1],
    [1, 2],
    [2, 2],
    [3, 2],
  ]
  const right: [number, number][] = [
    [7, 1],
    [8, 1],
    [7, 2],
    [8, 2],
    [7, 3],
    [8, 3],
    [7, 4],
    [8, 4],
  ]

  it('splits the GT into its connected components, largest first', () => {
    const pieces = gtPieces(mask([...left, ...right]))
    expect(pieces.map((p) => Array.from(decodeRowMajor(p)))).toEqual([
      Array.from(decodeRowMajor(mask(right))),
      Array.from(decodeRowMajor(mask(left))),
    ])
  })

  it('scores each object against its matched piece; an object on nothing is unmatched', () => {
    const pieces = gtPieces(mask([...left, ...right]))
    const objects = [
      mask([
        [1, 1],
        [2, 1],
        [3, 1],
        [1, 2],
      ]), // 4 of the left block's 6: IoU 4/6
      mask([
        [7, 1],
        [8, 1],
        [7, 2],
        [8, 2],
        [7, 3],
        [8, 3],
        [7, 4],
        [8, 4],
        [9, 4],
      ]), // 8/9
      mask([[5, 5]]), // background
    ]
    expect(matchObjects(objects, pieces)).toEqual([
      { gtIndex: 1, intersection: 4, union: 6, iou: 4 / 6 },
      { gtIndex: 0, intersection: 8, union: 9, iou: 8 / 9 },
      { gtIndex: null, intersection: 0, union: 1, iou: 0 },
    ])
  })

  it('excludes ignore pixels from I and U', () => {
    const pieces = [mask(left)]
    const ignore = mask([
      [3, 1],
      [3, 2],
    ])
    expect(matchObjects([mask(left)], pieces, ignore)).toEqual([
      { gtIndex: 0, intersection: 4, union: 4, iou: 1 },
    ])
  })
})
