/**
 * The one global key handler, driven by the shortcut table the help overlay shows. Callers pass a handler
 * per action (the latest ones are used, so handlers may close over fresh state); a handler that returns
 * `false` declines the key, which then keeps its default. Escape always reaches its handler, even from a
 * text field (which it leaves); other keys are ignored while the user types.
 */
import { useEffect, useRef } from 'react'
import { matchShortcut, type Action } from '../features/help/shortcuts'
import { isTypingTarget } from './keyboard'

export type ShortcutHandlers = Partial<Record<Action, (match: { tagIndex?: number }) => void | false>>

export function useShortcuts(handlers: ShortcutHandlers): void {
  const current = useRef(handlers)
  useEffect(() => {
    current.current = handlers
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const h = current.current
      const typing = isTypingTarget(e.target)
      if (e.key === 'Escape') {
        h.escape?.({})
        if (typing) (e.target as HTMLElement).blur()
        return
      }
      if (typing) return
      const m = matchShortcut(e)
      if (!m) return
      const handler = h[m.action]
      if (!handler) return
      if (handler({ tagIndex: m.tagIndex }) === false) return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
