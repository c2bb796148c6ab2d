import { describe, expect, it } from 'vitest'
import {
  addPoint,
  deleteBox,
  deletePoint,
  isSegmentable,
  movePoint,
  normalizeBox,
  setBox,
} from '../../../../../src/renderer/src/features/edit/promptOps'
import type { ObjectPrompt } from '../../../../../src/shared/domain/prompts'

const base: ObjectPrompt[] = [{ box: [10, 10, 50, 40], points: [{ x: 30, y: 25, label: 1 }] }]

describe('prompt operations', () => {
  it('normalises a box drawn backwards and clamps it to the image', () => {
    expect(normalizeBox([80.4, 90, -5, 20.6], 64, 48)).toEqual([0, 21, 64, 48])
  })

  it('adds, moves and deletes points without touching the input', () => {
    const a = addPoint(base, 0, 12.6, 99, 0, 64, 48)
    expect(a[0].points).toEqual([
      { x: 30, y: 25, label: 1 },
      { x: 13, y: 47, label: 0 },
    ])
    expect(base[0].points).toHaveLength(1)
    const m = movePoint(a, 0, 0, -3, 5.2, 64, 48)
    expect(m[0].points[0]).toEqual({ x: 0, y: 5, label: 1 })
    expect(deletePoint(m, 0, 0)[0].points).toEqual([{ x: 13, y: 47, label: 0 }])
  })

  it('creates the object when editing past the end, and deletes a box', () => {
    const p = setBox([], 1, [5, 5, 1, 1], 64, 48)
    expect(p).toEqual([{ points: [] }, { box: [1, 1, 5, 5], points: [] }])
    expect(deleteBox(base, 0)).toEqual([{ points: [{ x: 30, y: 25, label: 1 }] }])
  })

  it('knows when there is nothing to segment', () => {
    expect(isSegmentable([{ points: [] }])).toBe(false)
    expect(isSegmentable(base)).toBe(true)
  })
})
