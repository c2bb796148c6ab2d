/**
 * Ground-truth edit mode for the current sample: the corrected GT as the backend holds it, the chosen tool,
 * target (an object or the ignore region), brush radius and combine mode, which objects are hidden, and
 * the commands. Every edit is one `applyGtEdit` call, sent in order (one at a time) and saved by the
 * backend at once; undo / redo are the backend's, so they survive a reload.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { GroundTruthDto, GtEditOp, SampleFlagKind } from '../../../../shared/contract/gt'
import type { CombineMode, Vec2 } from '../../../../shared/domain/maskOps'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'
import { DEFAULT_RADIUS, stepRadius } from './brushRadius'
import { closePolygon } from './polygonDraft'

export type GtTool = 'segment' | 'brush' | 'eraser' | 'polygon'
/** What the tools edit: an object by id, or the ignore region. */
export type GtTargetChoice = number | 'ignore'

export interface GtSample {
  id: number
  width: number
  height: number
}

export interface GtEditing {
  active: boolean
  setActive(on: boolean): void
  sample: GtSample | null
  /** The corrected GT of the current sample (null while loading or outside the mode). */
  gt: GroundTruthDto | null
  tool: GtTool
  setTool(t: GtTool): void
  radius: number
  stepRadius(dir: 1 | -1): void
  mode: CombineMode
  setMode(m: CombineMode): void
  /** The selected object or the ignore region; null when the sample has no object yet (edits add one). */
  target: GtTargetChoice | null
  setTarget(t: GtTargetChoice): void
  hidden: ReadonlySet<GtTargetChoice>
  toggleHidden(t: GtTargetChoice): void
  pending: boolean
  error: string | null
  setError(message: string | null): void
  /** Vertices of the polygon being drawn. */
  polygon: Vec2[]
  setPolygon(points: Vec2[]): void
  /** Box / points for the segmenter-assisted tool. */
  segmentPrompts: ObjectPrompt[]
  setSegmentPrompts(p: ObjectPrompt[]): void
  applySegment(): void
  applyPolygon(points: readonly Vec2[]): void
  applyStroke(points: Vec2[], radius: number, erase: boolean): Promise<void>
  fillHoles(): void
  removeSpecks(minArea: number): void
  addObject(): void
  deleteObject(id: number): void
  undo(): void
  redo(): void
  resetToOriginal(): void
  setRevisionInfo(info: { reason: string | null; tagId: number | null }): void
  flag(kind: SampleFlagKind, reason: string): void
  unflag(): void
  /** Enter: closes the polygon or applies the segmenter prompts; false when there is nothing to confirm. */
  confirm(): boolean
  /** Escape: drops the polygon or the prompts in progress; false when there is nothing to cancel. */
  cancel(): boolean
}

/** The mask target an edit goes to: the chosen one if it still exists, else a new object. */
function resolveTarget(gt: GroundTruthDto | null, t: GtTargetChoice | null): number | 'ignore' | 'new' {
  if (t === 'ignore') return 'ignore'
  if (t != null && gt?.objects.some((o) => o.id === t)) return t
  return gt?.objects[0]?.id ?? 'new'
}

export function useGtEditing(
  api: ApiClient,
  sample: GtSample | null,
  opts: { onChanged?(sampleId: number): void } = {},
): GtEditing {
  const [active, setActive] = useState(false)
  const [state, setState] = useState<{ sampleId: number; gt: GroundTruthDto } | null>(null)
  const [tool, setTool] = useState<GtTool>('polygon')
  const [radius, setRadius] = useState(DEFAULT_RADIUS)
  const [mode, setMode] = useState<CombineMode>('add')
  const [targetState, setTargetState] = useState<{ sampleId: number; t: GtTargetChoice } | null>(null)
  const [hiddenState, setHiddenState] = useState<{ sampleId: number; set: Set<GtTargetChoice> } | null>(null)
  const [pendingCount, setPendingCount] = useState(0)
  const [errorState, setErrorState] = useState<{ sampleId: number | null; msg: string } | null>(null)
  const [polygonState, setPolygonState] = useState<{ sampleId: number; pts: Vec2[] } | null>(null)
  const [promptState, setPromptState] = useState<{ sampleId: number; p: ObjectPrompt[] } | null>(null)
  const queue = useRef<Promise<unknown>>(Promise.resolve())
  const onChanged = useRef(opts.onChanged)
  useEffect(() => {
    onChanged.current = opts.onChanged
  })

  const sid = sample?.id ?? null
  const gt = active && state && state.sampleId === sid ? state.gt : null
  const target = targetState?.sampleId === sid ? targetState.t : (gt?.objects[0]?.id ?? null)
  const hidden = hiddenState?.sampleId === sid ? hiddenState.set : EMPTY
  const error = errorState && errorState.sampleId === sid ? errorState.msg : null
  const polygon = polygonState?.sampleId === sid ? polygonState.pts : NO_POINTS
  const segmentPrompts = promptState?.sampleId === sid ? promptState.p : NO_PROMPTS

  // Load the corrected GT whenever the mode is on and the sample changes.
  useEffect(() => {
    if (!active || sid == null) return
    let live = true
    api.getGroundTruth({ sampleId: sid, which: 'corrected' }).then(
      (g) => live && setState({ sampleId: sid, gt: g }),
      (e: Error) => live && setErrorState({ sampleId: sid, msg: e.message }),
    )
    return () => {
      live = false
    }
  }, [api, active, sid])

  /** Runs one backend GT call after the ones before it, and shows its result if still on that sample. */
  const send = useCallback(
    (sampleId: number, call: () => Promise<GroundTruthDto>, after?: (g: GroundTruthDto) => void) => {
      setPendingCount((n) => n + 1)
      const p = queue.current.then(call).then(
        (g) => {
          setState({ sampleId, gt: g })
          setErrorState(null)
          after?.(g)
          onChanged.current?.(sampleId)
        },
        (e: Error) => setErrorState({ sampleId, msg: e.message }),
      )
      queue.current = p.finally(() => setPendingCount((n) => n - 1))
      return p
    },
    [],
  )

  const edit = useCallback(
    (op: GtEditOp) => {
      if (sid == null) return Promise.resolve()
      const before = new Set(gt?.objects.map((o) => o.id) ?? [])
      const creates = op.kind === 'addObject' || ('target' in op && op.target === 'new')
      return send(
        sid,
        () => api.applyGtEdit({ sampleId: sid, op }),
        (g) => {
          // An edit that created an object selects it, so the next stroke goes to the same object.
          const added = g.objects.find((o) => !before.has(o.id))
          if (creates && added) setTargetState({ sampleId: sid, t: added.id })
        },
      )
    },
    [api, sid, gt, send],
  )

  const setError = useCallback(
    (msg: string | null) => setErrorState(msg ? { sampleId: sid, msg } : null),
    [sid],
  )
  const setPolygon = useCallback(
    (pts: Vec2[]) => sid != null && setPolygonState({ sampleId: sid, pts }),
    [sid],
  )
  const setSegmentPrompts = useCallback(
    (p: ObjectPrompt[]) => sid != null && setPromptState({ sampleId: sid, p }),
    [sid],
  )

  const applyPolygon = useCallback(
    (pts: readonly Vec2[]) => {
      const r = closePolygon(pts)
      if ('error' in r) return setError(r.error)
      setPolygon([])
      void edit({ kind: 'polygon', target: resolveTarget(gt, target), points: r.points.map(round), mode })
    },
    [edit, gt, target, mode, setError, setPolygon],
  )

  const applySegment = useCallback(() => {
    const p = segmentPrompts[0]
    if (!p || (!p.box && p.points.length === 0))
      return setError('Draw a box (B + drag) or click points first.')
    setSegmentPrompts([])
    void edit({ kind: 'segment', target: resolveTarget(gt, target), prompt: p, mode })
  }, [edit, gt, target, mode, segmentPrompts, setError, setSegmentPrompts])

  const applyStroke = useCallback(
    (points: Vec2[], r: number, erase: boolean) => {
      const t = resolveTarget(gt, target)
      if (erase && t === 'new') {
        setError('There is no object to erase from.')
        return Promise.resolve()
      }
      return edit({ kind: 'brush', target: t, points: points.map(round), radius: r, erase })
    },
    [edit, gt, target, setError],
  )

  const existing = (): number | 'ignore' | null => {
    const t = resolveTarget(gt, target)
    if (t === 'new') {
      setError('The sample has no object yet.')
      return null
    }
    return t
  }

  const move = (call: 'undoGtEdit' | 'redoGtEdit' | 'resetGtToOriginal') => {
    if (sid == null) return
    setPolygon([])
    void send(sid, () => api[call]({ sampleId: sid }))
  }

  /** Sets or clears the sample's flag, then fetches the corrected GT again (the flag is shown with it). */
  const reflag = (call: (sampleId: number) => Promise<unknown>) => {
    if (sid == null) return
    void send(sid, async () => {
      await call(sid)
      return api.getGroundTruth({ sampleId: sid, which: 'corrected' })
    })
  }

  const confirm = () => {
    if (!gt) return false
    if (tool === 'polygon' && polygon.length > 0) {
      applyPolygon(polygon)
      return true
    }
    if (tool === 'segment' && segmentPrompts.length > 0) {
      applySegment()
      return true
    }
    return false
  }
  const cancel = () => {
    if (polygon.length > 0) {
      setPolygon([])
      return true
    }
    if (segmentPrompts.length > 0) {
      setSegmentPrompts([])
      return true
    }
    return false
  }

  return {
    active,
    setActive,
    sample,
    gt,
    tool,
    setTool: (t) => {
      setTool(t)
      setPolygon([])
      setError(null)
    },
    radius,
    stepRadius: (dir) => setRadius((r) => stepRadius(r, dir)),
    mode,
    setMode,
    target,
    setTarget: (t) => sid != null && setTargetState({ sampleId: sid, t }),
    hidden,
    toggleHidden: (t) => {
      if (sid == null) return
      const next = new Set(hidden)
      if (next.has(t)) next.delete(t)
      else next.add(t)
      setHiddenState({ sampleId: sid, set: next })
    },
    pending: pendingCount > 0,
    error,
    setError,
    polygon,
    setPolygon,
    segmentPrompts,
    setSegmentPrompts,
    applySegment,
    applyPolygon,
    applyStroke,
    fillHoles: () => {
      const t = existing()
      if (t != null) void edit({ kind: 'fillHoles', target: t })
    },
    removeSpecks: (minArea) => {
      const t = existing()
      if (t != null) void edit({ kind: 'removeSpecks', target: t, minArea })
    },
    addObject: () => void edit({ kind: 'addObject', label: `object ${(gt?.objects.length ?? 0) + 1}` }),
    deleteObject: (id) => void edit({ kind: 'deleteObject', objectId: id }),
    undo: () => move('undoGtEdit'),
    redo: () => move('redoGtEdit'),
    resetToOriginal: () => move('resetGtToOriginal'),
    setRevisionInfo: ({ reason, tagId }) => {
      if (sid != null) void send(sid, () => api.setGtRevisionInfo({ sampleId: sid, reason, tagId }))
    },
    flag: (kind, reason) => reflag((sampleId) => api.flagSample({ sampleId, kind, reason })),
    unflag: () => reflag((sampleId) => api.unflagSample({ sampleId })),
    confirm,
    cancel,
  }
}

const EMPTY: ReadonlySet<GtTargetChoice> = new Set()
const NO_POINTS: Vec2[] = []
const NO_PROMPTS: ObjectPrompt[] = []

/** Coordinates go over the wire with two decimals: finer than any pixel test, and a smaller payload. */
const round = (p: Vec2): [number, number] => [Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100]
