import { describe, expect, it } from 'vitest'
import { seededRng } from '../../../../src/shared/domain/random'
import { linearSumAssignment } from '../../../../src/shared/domain/assignment'
import { hasScipy, pythonLsa } from './rewards/pythonReference'

describe('linearSumAssignment', () => {
  it('solves a hand-checked 3x3', () => {
    // Rows pick columns 1, 0, 2: 1 + 2 + 2 = 5 is the minimum of the 6 permutations.
    const r = linearSumAssignment([
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ])
    expect(r).toEqual({
      pairs: [
        [0, 1],
        [1, 0],
        [2, 2],
      ],
      total: 5,
    })
  })
  it('matches min(rows, cols) pairs of a rectangular matrix, either orientation', () => {
    expect(linearSumAssignment([[3, 1, 2]]).pairs).toEqual([[0, 1]])
    expect(linearSumAssignment([[3], [1], [2]]).pairs).toEqual([[1, 0]])
    expect(linearSumAssignment([])).toEqual({ pairs: [], total: 0 })
  })
})

describe.skipIf(!hasScipy())('linearSumAssignment against SciPy', () => {
  it('has the same optimal total on 300 random 0..3 integer and real matrices up to 130x130', () => {
    const rng = seededRng(5)
    const ms: number[][][] = []
    for (let i = 0; i < 300; i++) {
      const big = i % 50 === 0
      const r = big ? 100 + Math.floor(rng() * 30) : 1 + Math.floor(rng() * 8)
      const c = big ? 100 + Math.floor(rng() * 30) : 1 + Math.floor(rng() * 8)
      const real = i % 3 === 0
      ms.push(
        Array.from({ length: r }, () =>
          Array.from({ length: c }, () => (real ? rng() * 10 : Math.floor(rng() * 4))),
        ),
      )
    }
    const py = pythonLsa(ms)
    ms.forEach((m, i) => {
      const ours = linearSumAssignment(m)
      expect(ours.pairs.length).toBe(py[i][1])
      expect(ours.total).toBeCloseTo(py[i][0], 9)
    })
  })
})
