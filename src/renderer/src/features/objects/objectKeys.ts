/** The object list's keys (features/help/shortcuts.ts): Tab / Shift+Tab cycle, n adds, h hides. */
import type { ShortcutHandlers } from '../../app/useShortcuts'
import type { Action } from '../help/shortcuts'
import type { ObjectList } from './useObjectList'

export const OBJECT_ACTIONS: readonly Action[] = [
  'nextObject',
  'prevObject',
  'newObject',
  'toggleObjectHidden',
]

/**
 * Handlers for the object keys; a key declines (keeps its default, e.g. Tab moves the focus) while object
 * editing is off (GT mode) or has nothing to act on.
 */
export function objectShortcuts(
  objects: ObjectList,
  on: { enabled: boolean; canAdd: boolean },
): ShortcutHandlers {
  const { enabled } = on
  return {
    nextObject: () => (enabled && objects.rows.length > 0 ? objects.cycle(1) : false),
    prevObject: () => (enabled && objects.rows.length > 0 ? objects.cycle(-1) : false),
    newObject: () => (enabled && on.canAdd ? objects.add() : false),
    toggleObjectHidden: () =>
      enabled && objects.active != null ? objects.toggleHidden(objects.active) : false,
  }
}
