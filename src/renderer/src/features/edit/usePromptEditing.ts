/**
 * Prompt editing of the current sample: the prompts being segmented (or that failed) before they become a
 * stored edit, the hovered and selected prompt, and the commands (change prompts, undo / redo / reset).
 * Segmentations are latest-wins per sample; one that answers after the user moved on is still stored
 * under its own sample.
 */
import { useCallback, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { PromptEdit } from '../../../../shared/contract/samples'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'
import type { SampleList } from '../browser/useSampleList'
import type { SampleDetails } from '../inspector/useSampleDetails'
import type { PromptRef } from '../reasoning/answerSpans'
import type { EngineState } from '../status/useEngine'
import { idsOfEdit, reconcileIds } from '../objects/objectList'
import { KeyedLatestWins } from './latestWins'
import { deleteBox, deletePoint, isSegmentable } from './promptOps'

interface LiveState {
  key: string
  prompts: ObjectPrompt[] | null
  /** The stable object ids of `prompts` (one each). */
  ids: string[] | null
  pending: boolean
  error: string | null
}
const IDLE: LiveState = { key: '', prompts: null, ids: null, pending: false, error: null }

/** Which objects the engine decoded for the latest edit (the others' masks came from memory). */
export interface DecodedObjects {
  key: string
  editId: number
  decoded: Record<string, boolean>
}

export interface PromptEditing {
  /** The prompts on the canvas: the ones being segmented, else the current edit's, else the model's. */
  prompts: ObjectPrompt[]
  /** Stable ids of `prompts`, one each (sent with every segmentation so state follows objects). */
  objectIds: string[]
  pending: boolean
  error: string | null
  edit: PromptEdit | null
  hover: PromptRef | null
  setHover(ref: PromptRef | null): void
  selectedRef: PromptRef | null
  setSelectedRef(ref: PromptRef | null): void
  /**
   * Segments `next`. Without `ids`, objects keep their ids by position and appended ones get fresh ids
   * (above `idFloor`, a high-water mark that keeps a deleted object's id from coming back).
   */
  changePrompts(next: ObjectPrompt[], ids?: string[], idFloor?: number): Promise<void>
  /** SAM's iterative refinement (mask_input) for the next edits; recorded with each edit. */
  refine: boolean
  setRefine(on: boolean): void
  /** Per object id of the latest edit on this sample: decoded now (true) or from memory (false). */
  decoded: DecodedObjects | null
  moveEdit(kind: 'undo' | 'redo' | 'reset'): Promise<void>
  /** Deletes the selected point or box. */
  deleteSelected(): void
}

export function usePromptEditing(
  api: ApiClient,
  scope: {
    runId: number | null
    details: SampleDetails
    list: SampleList
    engine: Pick<EngineState, 'noteProvider'>
  },
): PromptEditing {
  const { runId, details, list } = scope
  const { noteProvider } = scope.engine
  const { detailKey, shown, updateDetail } = details
  const [liveState, setLive] = useState<LiveState>(IDLE)
  const [hover, setHover] = useState<PromptRef | null>(null)
  const [refine, setRefine] = useState(true)
  const [decodedState, setDecoded] = useState<DecodedObjects | null>(null)
  const [selection, setSelection] = useState<{ key: string; ref: PromptRef | null }>({ key: '', ref: null })
  const latest = useRef(new KeyedLatestWins())

  const live = liveState.key === detailKey ? liveState : IDLE
  const selectedRef = selection.key === detailKey ? selection.ref : null
  const setSelectedRef = useCallback(
    (ref: PromptRef | null) => setSelection({ key: detailKey, ref }),
    [detailKey],
  )
  const livePrompts = live.prompts
  const prompts = useMemo(
    () => livePrompts ?? shown?.currentEdit?.prompts ?? shown?.prediction?.prompts ?? [],
    [livePrompts, shown],
  )
  const liveIds = live.ids
  const objectIds = useMemo(
    () =>
      liveIds ??
      (shown?.currentEdit
        ? idsOfEdit(shown.currentEdit.prompts, shown.currentEdit.objects ?? null)
        : idsOfEdit(prompts, shown?.prediction?.objects ?? null)),
    [liveIds, shown, prompts],
  )
  const decoded = decodedState?.key === detailKey ? decodedState : null

  const applyEdit = useCallback(
    (key: string, sid: number, edit: PromptEdit | null, canUndo: boolean, canRedo: boolean) => {
      updateDetail(key, (d) => ({ ...d, currentEdit: edit, canUndo, canRedo }))
      if (edit) list.patch(sid, (r) => ({ ...r, edited: true }))
    },
    [list, updateDetail],
  )

  const changePrompts = useCallback(
    async (next: ObjectPrompt[], givenIds?: string[], idFloor?: number) => {
      if (!shown || runId == null) return
      const key = detailKey
      const ids = givenIds ?? reconcileIds(objectIds, next.length, idFloor)
      setLive({ key, prompts: next, ids, pending: true, error: null })
      if (!isSegmentable(next)) {
        latest.current.for(key).invalidate()
        setLive({ key, prompts: next, ids, pending: false, error: 'Add a point or a box to segment.' })
        return
      }
      const sid = shown.sample.id
      try {
        const r = await latest.current
          .for(key)
          .run(() => api.segmentSample({ runId, sampleId: sid, prompts: next, objectIds: ids, refine }))
        if (r.stale) return
        const v = r.value
        noteProvider(v.model.id, v.model.provider)
        setDecoded({
          key,
          editId: v.editId,
          decoded: Object.fromEntries(v.objects.map((o) => [o.id, o.decoded])),
        })
        applyEdit(
          key,
          sid,
          {
            id: v.editId,
            prompts: next,
            // The id, as the stored edit holds it (a reload shows the same): the panel shows its label.
            model: v.model.id,
            mask: { size: [v.mask.size[0], v.mask.size[1]], counts: v.mask.counts },
            score: v.score,
            intersection: v.intersection,
            union: v.union,
            iou: v.iou,
            // As stored (null for a model without a mask input): asked for but not applied means none.
            refine: v.model.isBaseline || (refine && !v.refine) ? null : v.refine,
            objects: v.objects.map(({ decoded: _decoded, ...o }) => o),
            createdAt: new Date().toISOString(),
          },
          true,
          false,
        )
        // The user may have moved on (and edited another sample) while this one segmented: its edit is
        // stored under its own key above, and only its own live state is cleared.
        setLive((cur) => (cur.key === key ? IDLE : cur))
      } catch (e) {
        setLive((cur) =>
          cur.key === key ? { key, prompts: next, ids, pending: false, error: (e as Error).message } : cur,
        )
      }
    },
    [api, shown, runId, detailKey, applyEdit, noteProvider, objectIds, refine],
  )

  const moveEdit = useCallback(
    async (kind: 'undo' | 'redo' | 'reset') => {
      if (!shown || runId == null) return
      const key = detailKey
      latest.current.for(key).invalidate()
      const target = { runId, sampleId: shown.sample.id }
      const st =
        kind === 'undo'
          ? await api.undoPromptEdit(target)
          : kind === 'redo'
            ? await api.redoPromptEdit(target)
            : await api.resetPromptEdits(target)
      setLive((cur) => (cur.key === key ? IDLE : cur))
      applyEdit(key, target.sampleId, st.current, st.canUndo, st.canRedo)
    },
    [api, shown, runId, detailKey, applyEdit],
  )

  const deleteSelected = useCallback(() => {
    const r = selectedRef
    if (!r) return
    setSelectedRef(null)
    void changePrompts(r.kind === 'point' ? deletePoint(prompts, r.obj, r.index) : deleteBox(prompts, r.obj))
  }, [selectedRef, setSelectedRef, changePrompts, prompts])

  return {
    prompts,
    objectIds,
    pending: live.pending,
    error: live.error,
    edit: shown?.currentEdit ?? null,
    hover,
    setHover,
    selectedRef,
    setSelectedRef,
    changePrompts,
    moveEdit,
    deleteSelected,
    refine,
    setRefine,
    decoded,
  }
}
