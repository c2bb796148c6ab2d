import { expect, it } from 'vitest'
import { MAX_RADIUS, MIN_RADIUS, stepRadius } from '../../../../../src/renderer/src/features/gt/brushRadius'

it('steps by at least one pixel and by about 25 % when large, within bounds', () => {
  expect(stepRadius(1, 1)).toBe(2)
  expect(stepRadius(2, -1)).toBe(1)
  expect(stepRadius(1, -1)).toBe(MIN_RADIUS)
  expect(stepRadius(40, 1)).toBe(50)
  expect(stepRadius(50, -1)).toBe(40)
  expect(stepRadius(MAX_RADIUS, 1)).toBe(MAX_RADIUS)
})
