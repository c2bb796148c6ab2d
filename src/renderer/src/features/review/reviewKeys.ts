/** The review mode's keys: Enter accepts, Backspace skips, u undoes, 1–9 pick the taxonomy's first nine tags. */
import type { Tag } from '../../../../shared/contract/tags'
import type { ReviewCommand } from './useReview'

/** The review command a key stands for, or null. */
export function reviewKey(e: KeyboardEvent, tags: Tag[]): ReviewCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  if (e.key === 'Enter') return { kind: 'accept' }
  if (e.key === 'Backspace') return { kind: 'skip' }
  if (e.key === 'u' || e.key === 'U') return { kind: 'undo' }
  if (/^[1-9]$/.test(e.key)) {
    const t = tags[Number(e.key) - 1]
    return t ? { kind: 'pick', tagId: t.id } : null
  }
  return null
}
