import { describe, expect, it } from 'vitest'
import { withTag } from '../../../../../src/renderer/src/features/tags/tagState'

describe('withTag', () => {
  it('sets and unsets one tag, idempotently, leaving the others', () => {
    expect(withTag([1, 2], 3, true)).toEqual([1, 2, 3])
    expect(withTag([1, 2, 3], 3, true)).toEqual([1, 2, 3])
    expect(withTag([1, 2, 3], 2, false)).toEqual([1, 3])
    expect(withTag([1, 3], 2, false)).toEqual([1, 3])
  })

  it('a double click computed from the state shown after the first click lands where it started', () => {
    const start = [4]
    const first = withTag(start, 7, !start.includes(7))
    const second = withTag(first, 7, !first.includes(7))
    expect(first).toEqual([4, 7])
    expect(second).toEqual([4])
  })
})
