import { describe, expect, it } from 'vitest'
import { boundaryBand } from '../../../../src/shared/domain/boundaryBand'
import { seededRng } from '../../../../src/shared/domain/random'

const grid = (rows: string[]) => Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0))

describe('boundaryBand', () => {
  // A 3×3 block in a 7×7 grid.
  const block = grid(['.......', '.......', '..###..', '..###..', '..###..', '.......', '.......'])

  it('marks both sides of the edge within r (Chebyshev), not the block centre at r = 1', () => {
    expect(boundaryBand(block, 7, 7, 1)).toEqual(
      grid(['.......', '.#####.', '.#####.', '.##.##.', '.#####.', '.#####.', '.......']),
    )
  })

  it('covers everything within 2 of the edge at r = 2', () => {
    expect(boundaryBand(block, 7, 7, 2)).toEqual(grid(Array(7).fill('#######')))
  })

  it('clips the window at the grid edge', () => {
    const col = grid(['#...', '#...', '#...'])
    expect(boundaryBand(col, 4, 3, 1)).toEqual(grid(['##..', '##..', '##..']))
    expect(boundaryBand(col, 4, 3, 2)).toEqual(grid(['###.', '###.', '###.']))
  })

  it('is empty for a mask of one label, and for r < 1', () => {
    expect(boundaryBand(grid(['###', '###']), 3, 2, 3)).toEqual(new Uint8Array(6))
    expect(boundaryBand(grid(['...', '...']), 3, 2, 3)).toEqual(new Uint8Array(6))
    expect(boundaryBand(block, 7, 7, 0)).toEqual(new Uint8Array(49))
  })

  it('matches a direct scan of each window on random masks', () => {
    const rnd = seededRng(11)
    for (const [w, h, r] of [
      [13, 9, 1],
      [20, 17, 3],
      [8, 30, 5],
    ]) {
      const mask = Uint8Array.from({ length: w * h }, () => (rnd() < 0.3 ? 1 : 0))
      const expected = new Uint8Array(w * h)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
            for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++)
              if (mask[yy * w + xx] !== mask[y * w + x]) expected[y * w + x] = 1
      expect(boundaryBand(mask, w, h, r)).toEqual(expected)
    }
  })

  it('rejects a mask of the wrong size', () => {
    expect(() => boundaryBand(new Uint8Array(5), 2, 3, 1)).toThrow(/5 pixels, expected 2x3/)
  })
})
