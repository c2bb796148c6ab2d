/**
 * The object list of the shown sample (CVAT-style): which object the canvas edits, which are hidden, an
 * added object waiting for its first prompt, and the commands (select, hide, delete, add, cycle). Object
 * ids live in the prompt-editing hook (they go with every segmentation); the view state here is kept per
 * sample view, so switching samples and back keeps it.
 */
import { useCallback, useMemo, useRef, useState } from 'react'
import { loadPref, savePref } from '../../app/prefs'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'
import type { ObjectResult, Prediction } from '../../../../shared/contract/samples'
import { decodeMask } from '../canvas/overlayCache'
import type { PromptEditing } from '../edit/usePromptEditing'
import type { PromptRef } from '../reasoning/answerSpans'
import {
  answerObjectOf,
  commitWithDraft,
  cycleObject,
  freshId,
  indexOfAnswerObject,
  objectRows,
  removeObject,
  type ObjectRow,
} from './objectList'

interface ViewState {
  /** Object index chosen in the list (the canvas' selected point or box wins while there is one). */
  active: number | null
  hidden: ReadonlySet<string>
  /** Id of the added object still without prompts. */
  draft: string | null
}
const FRESH: ViewState = { active: null, hidden: new Set(), draft: null }

export interface ObjectMask {
  index: number
  color: string
  mask: Uint8Array
}

export interface ObjectList {
  rows: ObjectRow[]
  /** Index of the object the canvas edits (new points and boxes go into it), or null for the first. */
  active: number | null
  /** Prompt positions whose mask and prompts the canvas leaves out. */
  hidden: ReadonlySet<number>
  /** The prompts the canvas shows and edits: the sample's, then the added object while it is empty. */
  canvasPrompts: ObjectPrompt[]
  /** Each visible object's own mask in its colour (null: draw the union instead). */
  masks: ObjectMask[] | null
  /** Colour of each object on the canvas, by position. */
  colors: string[]
  byObject: boolean
  setByObject(on: boolean): void
  /** Where the canvas' edits go (keeps the added object and the ids). */
  onCanvasChange(next: ObjectPrompt[]): void
  select(index: number | null): void
  toggleHidden(index: number): void
  remove(index: number): void
  /** Deletes the chosen object, if any. */
  removeActive(): void
  /** The objects have their own masks and IoUs (the model's own prediction keeps only the union). */
  hasResults: boolean
  add(): void
  cycle(dir: 1 | -1): void
  hoverRow: number | null
  setHoverRow(index: number | null): void
  /** The answer's object (position in the model's output) that a row stands for, or null for added ones. */
  answerObject(index: number): number | null
  /** Highlight for the reasoning panel: the hovered prompt, mapped to the answer's object numbering. */
  reasoningHighlight: PromptRef | null
  /** The answer object whose spans are highlighted as a whole (hovered or active row). */
  highlightObject: number | null
  /** The reasoning panel's hover (answer numbering) as a canvas hover (prompt positions). */
  onReasoningHover(ref: PromptRef | null): void
}

export function useObjectList(
  editing: PromptEditing,
  scope: { detailKey: string; prediction: Prediction | null },
): ObjectList {
  const { detailKey, prediction } = scope
  const { prompts, objectIds, edit, changePrompts, selectedRef, setSelectedRef, setHover } = editing
  const [views, setViews] = useState<{ key: string; view: ViewState }>({ key: '', view: FRESH })
  const view = views.key === detailKey ? views.view : FRESH
  const update = useCallback(
    (f: (v: ViewState) => ViewState) =>
      setViews((cur) => ({ key: detailKey, view: f(cur.key === detailKey ? cur.view : FRESH) })),
    [detailKey],
  )
  // Highest id handed out per sample view: a deleted object's id is never given to a new one.
  const highWater = useRef(new Map<string, number>())
  const floorOf = useCallback(() => {
    const f = Number(freshId(objectIds, highWater.current.get(detailKey) ?? -1)) - 1
    highWater.current.set(detailKey, f)
    return f
  }, [objectIds, detailKey])
  const [byObject, setByObjectState] = useState(() => loadPref('objectColours', true))
  const setByObject = useCallback((on: boolean) => {
    setByObjectState(on)
    savePref('objectColours', on)
  }, [])
  const [hoverRowState, setHoverRowState] = useState<{ key: string; index: number | null }>({
    key: '',
    index: null,
  })
  const hoverRow = hoverRowState.key === detailKey ? hoverRowState.index : null
  const setHoverRow = useCallback(
    (index: number | null) => setHoverRowState({ key: detailKey, index }),
    [detailKey],
  )

  // The per-object results shown: the current edit's, else (no edit) the stored prediction's.
  const results: ObjectResult[] | null = edit ? (edit.objects ?? null) : (prediction?.objects ?? null)
  const rows = useMemo(
    () => objectRows(prompts, objectIds, results, view.draft),
    [prompts, objectIds, results, view.draft],
  )
  const canvasPrompts = useMemo(
    () => (view.draft != null ? [...prompts, { points: [] }] : prompts),
    [prompts, view.draft],
  )
  const active = selectedRef?.obj ?? (view.active != null && view.active < rows.length ? view.active : null)
  const hidden = useMemo(
    () => new Set(rows.filter((r) => view.hidden.has(r.id)).map((r) => r.index)),
    [rows, view.hidden],
  )
  const decodedMasks = useMemo(
    () => new Map((results ?? []).map((o) => [o.id, decodeMask(o.mask)])),
    [results],
  )
  const masks = useMemo(() => {
    if (!byObject || results == null) return null
    const out: ObjectMask[] = []
    for (const r of rows) {
      const mask = decodedMasks.get(r.id)
      if (mask && !hidden.has(r.index)) out.push({ index: r.index, color: r.color, mask })
    }
    return out
  }, [byObject, results, rows, decodedMasks, hidden])
  const colors = useMemo(() => rows.map((r) => r.color), [rows])

  const onCanvasChange = useCallback(
    (next: ObjectPrompt[]) => {
      const floor = floorOf()
      if (view.draft == null) return void changePrompts(next, undefined, floor)
      const c = commitWithDraft(next, [...objectIds, view.draft], prompts.length)
      if (c.draftUsed) update((v) => ({ ...v, draft: null }))
      void changePrompts(c.prompts, c.ids, floor)
    },
    [view.draft, objectIds, prompts.length, changePrompts, update, floorOf],
  )

  const select = useCallback(
    (index: number | null) => {
      setSelectedRef(null)
      update((v) => ({ ...v, active: index }))
    },
    [setSelectedRef, update],
  )

  const toggleHidden = useCallback(
    (index: number) => {
      const id = rows[index]?.id
      if (id == null) return
      update((v) => {
        const h = new Set(v.hidden)
        if (h.has(id)) h.delete(id)
        else h.add(id)
        return { ...v, hidden: h }
      })
    },
    [rows, update],
  )

  const remove = useCallback(
    (index: number) => {
      const row = rows[index]
      if (!row) return
      setSelectedRef(null)
      setHover(null)
      const shift = (a: number | null) => (a == null || a === index ? null : a > index ? a - 1 : a)
      if (row.draft) {
        update((v) => ({ ...v, draft: null, active: shift(v.active) }))
        return
      }
      const floor = floorOf()
      const r = removeObject(prompts, objectIds, index)
      // The added object, if any, stays last.
      update((v) => ({ ...v, active: shift(v.active) }))
      void changePrompts(r.prompts, r.ids, floor)
    },
    [rows, prompts, objectIds, changePrompts, setSelectedRef, setHover, update, floorOf],
  )

  const removeActive = useCallback(() => {
    if (active != null) remove(active)
  }, [active, remove])

  const add = useCallback(() => {
    setSelectedRef(null)
    const floor = floorOf()
    update((v) => {
      if (v.draft != null) return { ...v, active: prompts.length }
      const id = freshId(objectIds, floor)
      highWater.current.set(detailKey, Number(id))
      return { ...v, draft: id, active: prompts.length }
    })
  }, [setSelectedRef, floorOf, update, prompts.length, objectIds, detailKey])

  const cycle = useCallback(
    (dir: 1 | -1) => select(cycleObject(active, rows.length, dir)),
    [select, active, rows.length],
  )

  const answerCount = prediction?.prompts?.length ?? 0
  const answerObject = useCallback(
    (index: number) => answerObjectOf(rows[index]?.id, answerCount),
    [rows, answerCount],
  )
  const hover = editing.hover
  const reasoningHighlight = useMemo(() => {
    if (!hover) return null
    const obj = answerObject(hover.obj)
    return obj == null ? null : { ...hover, obj }
  }, [hover, answerObject])
  const highlightObject = answerObject(hoverRow ?? active ?? -1)
  const onReasoningHover = useCallback(
    (ref: PromptRef | null) => {
      if (!ref) return setHover(null)
      const index = indexOfAnswerObject(objectIds, ref.obj)
      setHover(index == null ? null : { ...ref, obj: index })
    },
    [objectIds, setHover],
  )

  return {
    rows,
    active,
    hidden,
    canvasPrompts,
    masks,
    colors,
    byObject,
    setByObject,
    onCanvasChange,
    select,
    toggleHidden,
    remove,
    removeActive,
    hasResults: results != null,
    add,
    cycle,
    hoverRow,
    setHoverRow,
    answerObject,
    reasoningHighlight,
    highlightObject,
    onReasoningHover,
  }
}
