import { describe, expect, it } from 'vitest'
import { labelComponents } from '../../../../src/shared/domain/components'

// 4×5 mask, row-major:
//   1 1 0 0 0
//   0 0 1 0 0     the (1,2) pixel touches the first run only diagonally
//   0 0 0 0 1
//   0 0 0 1 1
const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1])

describe('labelComponents', () => {
  it('keeps diagonal neighbours apart with 4-connectivity, numbering in row-major discovery order', () => {
    const { labels, sizes } = labelComponents(mask, 5, 4, 4)
    expect(sizes).toEqual([0, 2, 1, 3])
    expect(Array.from(labels)).toEqual([1, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 3])
  })

  it('joins diagonal neighbours with 8-connectivity', () => {
    const { labels, sizes } = labelComponents(mask, 5, 4, 8)
    expect(sizes).toEqual([0, 3, 3])
    expect(Array.from(labels)).toEqual([1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 2])
  })
})
