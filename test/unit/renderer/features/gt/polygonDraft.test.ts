import { expect, it } from 'vitest'
import {
  clickVertex,
  closePolygon,
  CLOSE_RADIUS_PX,
  wouldClose,
} from '../../../../../src/renderer/src/features/gt/polygonDraft'

const tri: [number, number][] = [
  [10, 10],
  [40, 10],
  [40, 30],
]

it('adds vertices until a click lands on the first one', () => {
  expect(clickVertex([], [5, 5], 1)).toEqual({ kind: 'open', points: [[5, 5]] })
  // At scale 2, 3 image px away is 6 screen px: within the 8 px closing radius.
  expect(clickVertex(tri, [13, 10], 2)).toEqual({ kind: 'closed', points: tri })
  // At scale 1 the same click is 3 screen px away: still closes; 10 px away does not.
  expect(clickVertex(tri, [10 + CLOSE_RADIUS_PX + 2, 10], 1).kind).toBe('open')
  expect(wouldClose(tri, [11, 11], 1)).toBe(true)
})

it('never closes with fewer than three vertices', () => {
  const two: [number, number][] = [
    [0, 0],
    [10, 0],
  ]
  expect(clickVertex(two, [0, 0], 1)).toEqual({ kind: 'open', points: [...two, [0, 0]] })
  expect(closePolygon(two)).toEqual({ error: expect.stringContaining('at least 3 vertices (it has 2)') })
  expect(closePolygon(tri)).toEqual({ points: tri })
})
