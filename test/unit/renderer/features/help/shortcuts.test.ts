import { expect, it } from 'vitest'
import { matchShortcut, SHORTCUTS } from '../../../../../src/renderer/src/features/help/shortcuts'

const key = (
  k: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
})

it('maps the documented keys', () => {
  expect(matchShortcut(key('j'))?.action).toBe('next')
  expect(matchShortcut(key('ArrowUp'))?.action).toBe('prev')
  expect(matchShortcut(key('o'))?.action).toBe('toggleLive')
  expect(matchShortcut(key('d'))?.action).toBe('toggleDiff')
  expect(matchShortcut(key('7'))).toEqual({ action: 'tag', tagIndex: 6 })
  expect(matchShortcut(key('0'))?.action).toBe('fit')
  expect(matchShortcut(key('?', { shiftKey: true }))?.action).toBe('help')
  expect(matchShortcut(key('z', { ctrlKey: true }))?.action).toBe('undo')
  expect(matchShortcut(key('Z', { metaKey: true, shiftKey: true }))?.action).toBe('redo')
  expect(matchShortcut(key('J', { shiftKey: true }))?.action).toBe('next')
  expect(matchShortcut(key('j', { altKey: true }))).toBeNull()
  expect(matchShortcut(key('x'))?.action).toBe('toggleCompare')
  expect(matchShortcut(key('q'))).toBeNull()
})

it('maps the ground-truth edit keys', () => {
  expect(matchShortcut(key('e'))?.action).toBe('gtMode')
  expect(matchShortcut(key('['))?.action).toBe('radiusDown')
  expect(matchShortcut(key(']'))?.action).toBe('radiusUp')
  expect(matchShortcut(key('Enter'))?.action).toBe('confirm')
  expect(matchShortcut(key('e', { ctrlKey: true }))).toBeNull()
})

it('maps the object-list keys: Tab / Shift+Tab cycle, n adds, h hides', () => {
  expect(matchShortcut(key('Tab'))?.action).toBe('nextObject')
  expect(matchShortcut(key('Tab', { shiftKey: true }))?.action).toBe('prevObject')
  expect(matchShortcut(key('n'))?.action).toBe('newObject')
  expect(matchShortcut(key('h'))?.action).toBe('toggleObjectHidden')
  expect(matchShortcut(key('Tab', { ctrlKey: true }))).toBeNull()
})

it('has no key bound to two actions', () => {
  const seen = new Map<string, string>()
  for (const s of SHORTCUTS)
    for (const k of s.keys) {
      expect(seen.get(k), k).toBeUndefined()
      seen.set(k, s.action)
    }
})
