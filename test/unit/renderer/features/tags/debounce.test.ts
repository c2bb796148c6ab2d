import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { DebouncedSaver } from '../../../../../src/renderer/src/features/tags/debounce'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

it('saves once after the pause, flushes on demand and skips unchanged text', async () => {
  const saved: [string, string][] = []
  const s = new DebouncedSaver<string>(
    async (k, v) => void saved.push([k, v]),
    500,
    (k) => k,
  )
  s.markSaved('a', 'x')
  s.push('a', 'xy')
  s.push('a', 'xyz')
  await vi.advanceTimersByTimeAsync(499)
  expect(saved).toEqual([])
  await vi.advanceTimersByTimeAsync(1)
  expect(saved).toEqual([['a', 'xyz']])
  s.push('a', 'xyz')
  await s.flush()
  expect(saved).toHaveLength(1)
  s.push('a', 'q')
  s.push('b', 'other sample')
  expect(saved).toEqual([
    ['a', 'xyz'],
    ['a', 'q'],
  ])
  await s.flush()
  expect(saved[2]).toEqual(['b', 'other sample'])
})
