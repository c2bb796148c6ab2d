/** Every keyboard shortcut, in one table: the help overlay lists it and the key handler matches against it. */

export type Action =
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'toggleGt'
  | 'togglePred'
  | 'toggleLive'
  | 'toggleCompare'
  | 'toggleDiff'
  | 'toggleContour'
  | 'zoomIn'
  | 'zoomOut'
  | 'fit'
  | 'undo'
  | 'redo'
  | 'resetPrompts'
  | 'deleteSelected'
  | 'tag'
  | 'help'
  | 'focusSearch'
  | 'toggleTheme'
  | 'toggleGrid'
  | 'gtMode'
  | 'radiusDown'
  | 'radiusUp'
  | 'confirm'
  | 'escape'
  | 'nextObject'
  | 'prevObject'
  | 'newObject'
  | 'toggleObjectHidden'

export interface Shortcut {
  keys: string[]
  action: Action
  label: string
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ['j', 'ArrowDown', 'ArrowRight'], action: 'next', label: 'Next sample (in filter order)' },
  { keys: ['k', 'ArrowUp', 'ArrowLeft'], action: 'prev', label: 'Previous sample' },
  { keys: ['Home'], action: 'first', label: 'First sample' },
  { keys: ['End'], action: 'last', label: 'Last sample' },
  { keys: ['g'], action: 'toggleGt', label: 'Show / hide ground truth' },
  { keys: ['p'], action: 'togglePred', label: 'Show / hide prediction' },
  { keys: ['o'], action: 'toggleLive', label: 'Show / hide the live (edited) mask' },
  { keys: ['x'], action: 'toggleCompare', label: "Show / hide the comparison run's mask (vs)" },
  { keys: ['d'], action: 'toggleDiff', label: 'Diff mode: TP / FP / FN' },
  { keys: ['c'], action: 'toggleContour', label: 'Fill or contour' },
  { keys: ['+', '='], action: 'zoomIn', label: 'Zoom in' },
  { keys: ['-'], action: 'zoomOut', label: 'Zoom out' },
  { keys: ['f', '0'], action: 'fit', label: 'Fit image to view' },
  { keys: ['Mod+z'], action: 'undo', label: 'Undo prompt edit (GT edit in GT mode)' },
  { keys: ['Mod+Shift+z', 'Mod+y'], action: 'redo', label: 'Redo prompt edit (GT edit in GT mode)' },
  { keys: ['r'], action: 'resetPrompts', label: "Reset to the model's prompts" },
  {
    keys: ['Delete', 'Backspace'],
    action: 'deleteSelected',
    label: 'Delete the selected point or box (else the chosen object)',
  },
  { keys: ['Tab'], action: 'nextObject', label: 'Next object of the answer (object list)' },
  { keys: ['Shift+Tab'], action: 'prevObject', label: 'Previous object' },
  { keys: ['n'], action: 'newObject', label: 'New object: the next box or click goes into it' },
  { keys: ['h'], action: 'toggleObjectHidden', label: 'Hide / show the chosen object (still in the union)' },
  { keys: ['1–9'], action: 'tag', label: 'Toggle failure tag 1–9' },
  { keys: ['/'], action: 'focusSearch', label: 'Search query and reasoning' },
  { keys: ['v'], action: 'toggleGrid', label: 'List or thumbnail grid' },
  { keys: ['e'], action: 'gtMode', label: 'Ground-truth edit mode on / off' },
  { keys: ['['], action: 'radiusDown', label: 'GT brush / eraser: smaller' },
  { keys: [']'], action: 'radiusUp', label: 'GT brush / eraser: larger' },
  { keys: ['Enter'], action: 'confirm', label: 'GT polygon: close and fill' },
  { keys: ['t'], action: 'toggleTheme', label: 'Dark / light theme' },
  { keys: ['?'], action: 'help', label: 'This help' },
  { keys: ['Escape'], action: 'escape', label: 'Close help, deselect, cancel a GT polygon' },
]

export const MOUSE_HELP: [string, string][] = [
  ['Wheel', 'Zoom around the cursor'],
  ['Drag (empty area) / Space + drag', 'Pan'],
  ['Click', 'Add a positive point'],
  ['Shift + click', 'Add a negative point'],
  ['Drag a point / the box', 'Move it (box corners resize)'],
  ['Alt + click a point', 'Delete it'],
  ['B + drag', 'Draw a new box'],
  ['GT mode: drag (brush / eraser)', 'Paint / erase the selected object or ignore region'],
  ['GT mode: click (polygon)', 'Add a vertex; click the first one or Enter to fill'],
]

export interface KeyLike {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

/** The action a key press triggers, or null; `tag` carries the digit's tag index (0-based). */
export function matchShortcut(e: KeyLike): { action: Action; tagIndex?: number } | null {
  const mod = e.ctrlKey || e.metaKey
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  if (mod) {
    if (key === 'z') return { action: e.shiftKey ? 'redo' : 'undo' }
    if (key === 'y') return { action: 'redo' }
    return null
  }
  if (e.altKey) return null
  if (/^[1-9]$/.test(key)) return { action: 'tag', tagIndex: Number(key) - 1 }
  if (e.key === '?') return { action: 'help' }
  if (e.key === 'Tab') return { action: e.shiftKey ? 'prevObject' : 'nextObject' }
  for (const s of SHORTCUTS) {
    if (s.action === 'tag' || s.action === 'undo' || s.action === 'redo' || s.action === 'help') continue
    if (s.keys.includes(key) || s.keys.includes(e.key)) return { action: s.action }
  }
  return null
}
