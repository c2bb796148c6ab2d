/**
 * The inspector: sample list (or grid) on the left, the canvas in the middle, the reasoning, tags,
 * notes and prompt-edit controls on the right, status bar below. Holds the app state and wires the
 * keyboard; the pieces under features/ render and edit it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../shared/contract/client'
import type { Job } from '../../shared/contract/events'
import type { EngineStatusDto, ModelInfoDto } from '../../shared/contract/segment'
import type { RunSummary } from '../../shared/contract/project'
import type { PromptEdit, SampleDetail, SampleFilter, SortKey } from '../../shared/contract/samples'
import type { Tag } from '../../shared/contract/tags'
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { decodeRowMajor, fromCoco } from '../../shared/domain/rle'
import { loadImage, useImage } from './app/useImage'
import { FilterBar } from './features/browser/FilterBar'
import { SampleGrid } from './features/browser/SampleGrid'
import { fmtIou, iouClass, SampleList } from './features/browser/SampleList'
import { useSampleList } from './features/browser/useSampleList'
import type { DiffCounts } from './features/canvas/maskRaster'
import {
  Legend,
  OVERLAY_COLORS,
  SampleCanvas,
  type CanvasHandle,
  type OverlaySettings,
} from './features/canvas/SampleCanvas'
import { KeyedLatestWins } from './features/edit/latestWins'
import { deleteBox, deletePoint, isSegmentable } from './features/edit/promptOps'
import { HelpOverlay } from './features/help/HelpOverlay'
import { matchShortcut, type Action } from './features/help/shortcuts'
import type { PromptRef } from './features/reasoning/answerSpans'
import { ReasoningView } from './features/reasoning/ReasoningView'
import { StatusBar } from './features/status/StatusBar'
import { NotesBox } from './features/tags/NotesBox'
import { TagBar } from './features/tags/TagBar'
import { AnalysisSlot, ReasonSlot } from './slots'
import { isTypingTarget } from './app/keyboard'
import { HistoryPanel } from './features/history/HistoryPanel'
import { useLiveSync } from './features/history/useLiveSync'

type Theme = 'dark' | 'light'

interface ProjectInfo {
  name: string
  dir: string
  runs: RunSummary[]
}

/** Prompts being segmented (or that failed) for one sample, before they become a stored edit. */
interface LiveState {
  key: string
  prompts: ObjectPrompt[] | null
  pending: boolean
  error: string | null
}
const IDLE: LiveState = { key: '', prompts: null, pending: false, error: null }

const OVERLAY_LABELS = {
  gt: 'GT (g)',
  pred: 'pred (p)',
  live: 'live (o)',
  compare: 'vs (x)',
  diff: 'diff (d)',
  contour: 'contour (c)',
}

const DEFAULT_OVERLAY: OverlaySettings = {
  gt: true,
  pred: true,
  live: true,
  compare: true,
  diff: false,
  contour: false,
  opacity: 0.5,
}

const decode = (m: { size: [number, number] | number[]; counts: string } | null | undefined) =>
  m ? decodeRowMajor(fromCoco(m)) : null

const SAMPLE_EDITS = new Set<Action>(['undo', 'redo', 'resetPrompts', 'deleteSelected', 'tag'])

const isTyping = (e: KeyboardEvent): boolean => isTypingTarget(e.target)

function loadPref<T>(key: string, fallback: T): T {
  try {
    const v = localStorage.getItem(`reseg.${key}`)
    return v == null ? fallback : (JSON.parse(v) as T)
  } catch {
    return fallback
  }
}
function savePref(key: string, v: unknown): void {
  try {
    localStorage.setItem(`reseg.${key}`, JSON.stringify(v))
  } catch {
    // Storage can be full or disabled; preferences are a convenience only.
  }
}

export function App({ api }: { api: ApiClient }) {
  const [info, setInfo] = useState<ProjectInfo | null>(null)
  const [fatal, setFatal] = useState<string | null>(null)
  const [tags, setTags] = useState<Tag[]>([])
  const [runId, setRunId] = useState<number | null>(null)
  const [compareRunId, setCompareRunId] = useState<number | null>(null)
  const [filter, setFilter] = useState<SampleFilter>({})
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'id', dir: 'asc' })
  const [index, setIndex] = useState(0)
  // Details by `${sampleId}:${runId}:${compareRunId}`: the current sample's, its prefetched neighbours',
  // and recently seen ones; edits and tags update the entry they belong to.
  const [details, setDetails] = useState<Map<string, SampleDetail>>(() => new Map())
  const [liveState, setLive] = useState<LiveState>(IDLE)
  // Saved settings from before a layer existed lack its key: the defaults fill it in.
  const [overlay, setOverlay] = useState<OverlaySettings>(() => ({
    ...DEFAULT_OVERLAY,
    ...loadPref<Partial<OverlaySettings>>('overlay', {}),
  }))
  const [theme, setTheme] = useState<Theme>(() => loadPref('theme', 'dark'))
  const [tab, setTab] = useState<'inspect' | 'analysis'>('inspect')
  const [layout, setLayout] = useState<'list' | 'grid'>('list')
  const [hover, setHover] = useState<PromptRef | null>(null)
  const [selection, setSelection] = useState<{ key: string; ref: PromptRef | null }>({ key: '', ref: null })
  const [help, setHelp] = useState(false)
  const [jobs, setJobs] = useState<Job[]>([])
  const [engine, setEngine] = useState<EngineStatusDto | null>(null)
  const [models, setModels] = useState<ModelInfoDto[]>([])
  const [engineError, setEngineError] = useState<string | null>(null)
  const [diffCounts, setDiffCounts] = useState<DiffCounts | null>(null)
  const [variantMsg, setVariantMsg] = useState<string | null>(null)
  const canvasRef = useRef<CanvasHandle>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const latest = useRef(new KeyedLatestWins())

  useEffect(() => {
    document.documentElement.dataset.theme = theme
    savePref('theme', theme)
  }, [theme])
  useEffect(() => savePref('overlay', overlay), [overlay])

  const refreshInfo = useCallback(async () => {
    const i = await api.getProjectInfo({})
    setInfo({ name: i.name, dir: i.dir, runs: i.runs })
    return i
  }, [api])

  useEffect(() => {
    api
      .getProjectInfo({})
      .then((i) => {
        setInfo({ name: i.name, dir: i.dir, runs: i.runs })
        const saved = loadPref<number | null>(`run.${i.dir}`, null)
        const first =
          i.runs.find((r) => r.id === saved) ?? i.runs.find((r) => r.kind !== 'variant') ?? i.runs[0]
        setRunId(first?.id ?? null)
      })
      .catch((e: Error) => setFatal(e.message))
    api.listTags({}).then(setTags, () => undefined)
    api.listJobs({}).then(setJobs, () => undefined)
    api.getEngineStatus({}).then(setEngine, () => setEngine(null))
    api.listModels({}).then(
      (m) => setModels(m.models),
      () => setModels([]),
    )
    return api.subscribe((ev) => {
      // A finished job (batch segmentation, precompute) may have loaded a model or changed its provider.
      // It may also have added a run (imports, batch segmentation): list the runs again.
      if (ev.type === 'job' && ev.job.status !== 'running') {
        api.getEngineStatus({}).then(setEngine, () => undefined)
        if (ev.job.status === 'done')
          api.getProjectInfo({}).then(
            (i) => setInfo({ name: i.name, dir: i.dir, runs: i.runs }),
            () => undefined,
          )
      }
      if (ev.type === 'job')
        setJobs((js) => {
          const rest = js.filter((j) => j.id !== ev.job.id)
          return [...rest, ev.job].slice(-20)
        })
    })
  }, [api])

  const query = useMemo(
    () => (info ? { runId, compareRunId, datasetId: null, filter, sort } : null),
    [info, runId, compareRunId, filter, sort],
  )
  const list = useSampleList(api, query)
  const total = list.total

  // Index → sample: the row at the (clamped) index once its page is loaded.
  const at = total == null || total === 0 ? 0 : Math.max(0, Math.min(index, total - 1))
  const row = total ? list.rowAt(at) : undefined
  const sampleId = row?.id ?? null
  useEffect(() => {
    if (total && !row) list.ensure(at, at)
  }, [list, total, row, at])

  // When the query changes, stay on the current sample if it is still in the list.
  const sampleIdRef = useRef<number | null>(null)
  useEffect(() => {
    if (sampleId != null) sampleIdRef.current = sampleId
  })
  const queryKey = JSON.stringify(query)
  useEffect(() => {
    const current = sampleIdRef.current
    if (!query || current == null) return
    let live = true
    api.locateSample({ ...query, sampleId: current }).then(
      (r) => live && setIndex(r.index ?? 0),
      () => live && setIndex(0),
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, queryKey])

  const detailKey = `${sampleId}:${runId}:${compareRunId}`
  const shown = sampleId == null ? null : (details.get(detailKey) ?? null)
  const live = liveState.key === detailKey ? liveState : IDLE
  const selectedRef = selection.key === detailKey ? selection.ref : null
  const setSelectedRef = useCallback(
    (ref: PromptRef | null) => setSelection({ key: detailKey, ref }),
    [detailKey],
  )

  const storeDetail = useCallback((key: string, d: SampleDetail) => {
    setDetails((m) => {
      const n = new Map(m)
      n.delete(key)
      n.set(key, d)
      while (n.size > 24) n.delete(n.keys().next().value as string)
      return n
    })
  }, [])
  const updateDetail = useCallback((key: string, f: (d: SampleDetail) => SampleDetail) => {
    setDetails((m) => {
      const d = m.get(key)
      if (!d) return m
      const n = new Map(m)
      n.set(key, f(d))
      return n
    })
  }, [])

  // Lab live sync: another person's write to this sample refetches it; other samples refetch when opened.
  const sync = useLiveSync(api, {
    runId,
    sampleId,
    refetchShown: async () => {
      if (sampleId == null) return
      const d = await api.getSampleDetail({ sampleId, runId, compareRunId }).catch(() => null)
      if (!d) return
      storeDetail(detailKey, d)
      list.patch(d.sample.id, (r) => ({ ...r, tagIds: d.tagIds, hasNote: d.note.trim() !== '' }))
    },
    otherSample: (sid) => {
      setDetails((m) => new Map([...m].filter(([k]) => !k.startsWith(`${sid}:`))))
      let loaded = false
      list.patch(sid, (r) => ((loaded = true), r))
      if (loaded)
        void api.getSampleDetail({ sampleId: sid, runId, compareRunId }).then(
          (d) => list.patch(sid, (r) => ({ ...r, tagIds: d.tagIds, hasNote: d.note.trim() !== '' })),
          () => undefined,
        )
    },
  })

  const hasDetail = details.has(detailKey)
  useEffect(() => {
    if (sampleId == null || hasDetail) return
    let live = true
    api.getSampleDetail({ sampleId, runId, compareRunId }).then(
      (d) => storeDetail(detailKey, d),
      (e: Error) => live && setFatal(e.message),
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, detailKey, hasDetail])

  // Neighbours in the list are fetched (detail and image) while the user looks at this sample, so j/k
  // switches without waiting for the backend.
  const shownId = shown?.sample.id
  useEffect(() => {
    if (shownId == null || total == null) return
    for (const i of [at + 1, at - 1, at + 2]) {
      if (i < 0 || i >= total) continue
      void list.fetchRow(i).then((r) => {
        if (!r) return
        const key = `${r.id}:${runId}:${compareRunId}`
        if (details.has(key)) return
        void api.getSampleDetail({ sampleId: r.id, runId, compareRunId }).then(
          (d) => {
            storeDetail(key, d)
            void loadImage(api.mediaUrl(d.sample.mediaHash)).catch(() => undefined)
          },
          () => undefined,
        )
      })
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, shownId, at, total, runId, compareRunId])

  const { image } = useImage(shown ? api.mediaUrl(shown.sample.mediaHash) : null)
  const gtMask = useMemo(() => decode(shown?.sample.gt), [shown?.sample.gt])
  const predMask = useMemo(() => decode(shown?.prediction?.mask), [shown?.prediction?.mask])
  const liveMask = useMemo(() => decode(shown?.currentEdit?.mask), [shown?.currentEdit?.mask])
  const compareMask = useMemo(() => decode(shown?.comparePrediction?.mask), [shown?.comparePrediction?.mask])
  const modelPrompts = shown?.prediction?.prompts ?? []
  const prompts = live.prompts ?? shown?.currentEdit?.prompts ?? modelPrompts

  const applyEdit = useCallback(
    (key: string, sid: number, edit: PromptEdit | null, canUndo: boolean, canRedo: boolean) => {
      updateDetail(key, (d) => ({ ...d, currentEdit: edit, canUndo, canRedo }))
      if (edit) list.patch(sid, (r) => ({ ...r, edited: true }))
    },
    [list, updateDetail],
  )

  const changePrompts = useCallback(
    async (next: ObjectPrompt[]) => {
      if (!shown || runId == null) return
      const key = detailKey
      setLive({ key, prompts: next, pending: true, error: null })
      if (!isSegmentable(next)) {
        latest.current.for(key).invalidate()
        setLive({ key, prompts: next, pending: false, error: 'Add a point or a box to segment.' })
        return
      }
      const sid = shown.sample.id
      try {
        const r = await latest.current
          .for(key)
          .run(() => api.segmentSample({ runId, sampleId: sid, prompts: next }))
        if (r.stale) return
        const v = r.value
        // The model reports the provider it actually ran on (known only once loaded).
        setEngine((e) => (e && e.modelId === v.model.id ? { ...e, provider: v.model.provider } : e))
        applyEdit(
          key,
          sid,
          {
            id: v.editId,
            prompts: next,
            model: v.model.label,
            mask: { size: [v.mask.size[0], v.mask.size[1]], counts: v.mask.counts },
            score: v.score,
            intersection: v.intersection,
            union: v.union,
            iou: v.iou,
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
          cur.key === key ? { key, prompts: next, pending: false, error: (e as Error).message } : cur,
        )
      }
    },
    [api, shown, runId, detailKey, applyEdit],
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

  const toggleTag = useCallback(
    async (tag: Tag) => {
      if (!shown || runId == null) return
      const key = detailKey
      const on = !shown.tagIds.includes(tag.id)
      const sid = shown.sample.id
      const r = await api.setSampleTag({ runId, sampleId: sid, tagId: tag.id, on })
      updateDetail(key, (d) => ({ ...d, tagIds: r.tagIds }))
      list.patch(sid, (row) => ({ ...row, tagIds: r.tagIds }))
    },
    [api, shown, runId, detailKey, list, updateDetail],
  )

  // The cached details keep the saved text too: coming back to the sample remounts the notes box with
  // the cached note, and a stale one would show the old text and be saved over the new one.
  const noteSaved = useCallback(
    (k: { runId: number; sampleId: number }, text: string) => {
      list.patch(k.sampleId, (r) => ({ ...r, hasNote: text.trim() !== '' }))
      setDetails((m) => {
        const n = new Map(m)
        for (const [key, d] of m)
          if (key.startsWith(`${k.sampleId}:${k.runId}:`)) n.set(key, { ...d, note: text })
        return n
      })
    },
    [list],
  )

  const go = useCallback(
    (i: number) => {
      if (total == null || total === 0) return
      setIndex(Math.max(0, Math.min(total - 1, i)))
    },
    [total],
  )

  const selectModel = useCallback(
    async (modelId: string) => {
      try {
        setEngine(await api.selectModel({ modelId }))
        setEngineError(null)
        // Providers are known once a model has loaded: list again so the picker shows the current ones.
        setModels((await api.listModels({})).models)
      } catch (e) {
        setEngineError((e as Error).message)
      }
    },
    [api],
  )

  // The path is read by the backend (the serve host's machine); progress and errors arrive as the job's events.
  const importRunFromPath = async () => {
    const file = window.prompt('Run file or folder to import (a path on the machine running the backend):')
    if (!file?.trim()) return
    const base =
      file
        .trim()
        .replace(/[\\/]+$/, '')
        .split(/[\\/]/)
        .pop() ?? 'run'
    const name = window.prompt('Name of the new run:', base.replace(/\.(jsonl|json)$/i, ''))
    if (!name?.trim()) return
    try {
      await api.importRun({ path: file.trim(), name: name.trim() })
    } catch (e) {
      setVariantMsg((e as Error).message)
    }
  }

  const saveVariant = async () => {
    if (runId == null) return
    try {
      const v = await api.saveRunVariant({ runId })
      setVariantMsg(`Saved run “${v.name}” (${v.edited} edited sample${v.edited === 1 ? '' : 's'})`)
      await refreshInfo()
    } catch (e) {
      setVariantMsg((e as Error).message)
    }
  }

  // Keyboard: one handler, driven by the shortcut table the help overlay shows.
  const keyNow = {
    go,
    index: at,
    moveEdit,
    toggleTag,
    tags,
    selectedRef,
    setSelectedRef,
    prompts,
    changePrompts,
    tab,
  }
  const keyState = useRef(keyNow)
  useEffect(() => {
    keyState.current = keyNow
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = keyState.current
      if (e.key === 'Escape') {
        setHelp(false)
        s.setSelectedRef(null)
        if (isTyping(e)) (e.target as HTMLElement).blur()
        return
      }
      if (isTyping(e)) return
      const m = matchShortcut(e)
      if (!m) return
      // The analysis tab hides the sample: a key there must not tag it or change its prompts unseen.
      if (s.tab !== 'inspect' && SAMPLE_EDITS.has(m.action)) return
      e.preventDefault()
      const flip = (k: keyof OverlaySettings) => setOverlay((o) => ({ ...o, [k]: !o[k] }))
      switch (m.action) {
        case 'next':
          return s.go(s.index + 1)
        case 'prev':
          return s.go(s.index - 1)
        case 'first':
          return s.go(0)
        case 'last':
          return s.go(Number.MAX_SAFE_INTEGER)
        case 'toggleGt':
          return flip('gt')
        case 'togglePred':
          return flip('pred')
        case 'toggleLive':
          return flip('live')
        case 'toggleCompare':
          return flip('compare')
        case 'toggleDiff':
          return flip('diff')
        case 'toggleContour':
          return flip('contour')
        case 'zoomIn':
          return canvasRef.current?.zoom(1.25)
        case 'zoomOut':
          return canvasRef.current?.zoom(0.8)
        case 'fit':
          return canvasRef.current?.fit()
        case 'undo':
          return void s.moveEdit('undo')
        case 'redo':
          return void s.moveEdit('redo')
        case 'resetPrompts':
          return void s.moveEdit('reset')
        case 'deleteSelected': {
          const r = s.selectedRef
          if (!r) return
          s.setSelectedRef(null)
          return void s.changePrompts(
            r.kind === 'point' ? deletePoint(s.prompts, r.obj, r.index) : deleteBox(s.prompts, r.obj),
          )
        }
        case 'tag': {
          const t = s.tags[m.tagIndex ?? 0]
          if (t) void s.toggleTag(t)
          return
        }
        case 'help':
          return setHelp((h) => !h)
        case 'focusSearch':
          return searchRef.current?.focus()
        case 'toggleTheme':
          return setTheme((t) => (t === 'dark' ? 'light' : 'dark'))
        case 'toggleGrid':
          return setLayout((l) => (l === 'list' ? 'grid' : 'list'))
        case 'escape':
          return
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  if (fatal && !info) return <div className="fatal">Could not open the project: {fatal}</div>
  if (!info) return <div className="loading-screen">Opening project…</div>

  const run = info.runs.find((r) => r.id === runId) ?? null
  const compareRun = info.runs.find((r) => r.id === compareRunId) ?? null
  const pred = shown?.prediction ?? null
  const edit = shown?.currentEdit ?? null

  return (
    <div className="app" data-theme={theme} data-testid="app" data-sample-id={shown?.sample.id ?? ''}>
      <header className="topbar">
        <div className="brand">ReSeg Inspector</div>
        <nav className="tabs">
          <button className={tab === 'inspect' ? 'on' : ''} onClick={() => setTab('inspect')}>
            Inspect
          </button>
          <button
            className={tab === 'analysis' ? 'on' : ''}
            onClick={() => setTab('analysis')}
            data-testid="tab-analysis"
          >
            Analysis
          </button>
        </nav>
        <FilterBar
          runs={info.runs}
          runId={runId}
          compareRunId={compareRunId}
          onRun={(id) => {
            setRunId(id)
            if (id === compareRunId) setCompareRunId(null)
            savePref(`run.${info.dir}`, id)
          }}
          onCompareRun={setCompareRunId}
          filter={filter}
          onFilter={setFilter}
          tags={tags}
          searchRef={searchRef}
        />
        <div className="top-actions">
          <button
            className="link"
            title="Import a run file or folder (JSONL, Seg-Zero / VisionReasoner outputs)"
            onClick={() => void importRunFromPath()}
            data-testid="import-run"
          >
            Import run…
          </button>
          <button
            className="icon"
            title="List / grid (v)"
            aria-label="List / grid"
            onClick={() => setLayout((l) => (l === 'list' ? 'grid' : 'list'))}
          >
            {layout === 'list' ? '▦' : '☰'}
          </button>
          <button
            className="icon"
            title="Theme (t)"
            aria-label="Theme"
            onClick={() => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <button
            className="icon"
            title="Shortcuts (?)"
            aria-label="Keyboard shortcuts"
            onClick={() => setHelp(true)}
            data-testid="help-button"
          >
            ?
          </button>
        </div>
      </header>

      {tab === 'analysis' ? (
        <main className="analysis-main">
          {runId != null ? (
            <AnalysisSlot
              api={api}
              runId={runId}
              compareRunId={compareRunId}
              onSelectSamples={(ids) => {
                setFilter({ sampleIds: ids })
                setTab('inspect')
              }}
            />
          ) : (
            <div className="muted">Select a run.</div>
          )}
        </main>
      ) : (
        <main className={`inspect-main ${layout}`}>
          <section className="left">
            {layout === 'list' ? (
              <SampleList
                list={list}
                selected={at}
                onSelect={go}
                sort={sort}
                onSort={(key) =>
                  setSort((s) => ({
                    key,
                    dir: s.key === key ? (s.dir === 'asc' ? 'desc' : 'asc') : 'asc',
                  }))
                }
                tags={tags}
                compare={compareRunId != null}
              />
            ) : (
              <SampleGrid api={api} list={list} runId={runId} selected={at} onSelect={go} />
            )}
            {list.error && <div className="error">{list.error}</div>}
          </section>

          <section className="center">
            <div className="sample-head">
              {shown ? (
                <>
                  <div className="query" data-testid="query" title={shown.sample.query}>
                    {shown.sample.query}
                  </div>
                  <div className="meta">
                    <span>
                      #{shown.sample.id} · {shown.sample.imageId}/{shown.sample.annId} · {shown.sample.width}×
                      {shown.sample.height}
                    </span>
                    <span className={`metric ${iouClass(pred?.iou ?? null)}`} data-testid="pred-iou">
                      IoU {pred ? fmtIou(pred.iou) : '—'}
                    </span>
                    {shown.comparePrediction && (
                      <span className="metric muted" title={compareRun?.name} data-testid="compare-iou">
                        <span className="swatch" style={{ background: OVERLAY_COLORS.compare }} />
                        vs {compareRun?.name ?? ''} {fmtIou(shown.comparePrediction.iou)}
                      </span>
                    )}
                    {pred?.bboxIou != null && (
                      <span className="metric muted">box IoU {fmtIou(pred.bboxIou)}</span>
                    )}
                  </div>
                </>
              ) : (
                <div className="query muted">
                  {total === 0 ? 'No sample matches the filter.' : 'Loading…'}
                </div>
              )}
            </div>
            <div className="canvas-area">
              <Legend
                overlay={overlay}
                counts={diffCounts}
                compareRun={compareMask ? (compareRun?.name ?? null) : null}
              />
              {shown && (
                <SampleCanvas
                  sampleId={shown.sample.id}
                  image={image}
                  width={shown.sample.width}
                  height={shown.sample.height}
                  gt={gtMask}
                  pred={predMask}
                  live={liveMask}
                  compare={compareRunId != null ? compareMask : null}
                  overlay={overlay}
                  prompts={prompts}
                  editable={runId != null}
                  highlight={hover}
                  selected={selectedRef}
                  onHover={setHover}
                  onSelect={setSelectedRef}
                  onPromptsChange={(p) => void changePrompts(p)}
                  onDiffCounts={setDiffCounts}
                  handle={canvasRef}
                />
              )}
            </div>
            <div className="overlay-bar">
              {(['gt', 'pred', 'live', 'compare', 'diff', 'contour'] as const).map((k) => (
                <label key={k} className="toggle" data-testid={`toggle-${k}`}>
                  <input
                    type="checkbox"
                    checked={overlay[k]}
                    onChange={() => setOverlay((o) => ({ ...o, [k]: !o[k] }))}
                  />
                  {OVERLAY_LABELS[k]}
                </label>
              ))}
              <label className="toggle">
                opacity
                <input
                  type="range"
                  min={0.1}
                  max={1}
                  step={0.05}
                  value={overlay.opacity}
                  onChange={(e) => setOverlay((o) => ({ ...o, opacity: Number(e.target.value) }))}
                />
              </label>
              <button className="link" onClick={() => canvasRef.current?.fit()}>
                fit (f)
              </button>
            </div>
          </section>

          <aside className="right">
            <section className="panel edit-panel">
              <h3>Prompts</h3>
              <div className="live-line">
                <span className="swatch" style={{ background: OVERLAY_COLORS.live }} />
                <span>
                  live IoU{' '}
                  <b data-testid="live-iou" className={iouClass(edit?.iou ?? null)}>
                    {edit ? fmtIou(edit.iou) : '—'}
                  </b>
                </span>
                {live.pending && <span className="spinner" data-testid="segmenting" title="segmenting…" />}
                {edit?.model && <span className="muted">{edit.model}</span>}
              </div>
              {live.error && (
                <div className="error" data-testid="edit-error">
                  {live.error}
                </div>
              )}
              <div className="buttons">
                <button
                  disabled={!shown?.canUndo}
                  onClick={() => void moveEdit('undo')}
                  data-testid="undo"
                  title="Ctrl/Cmd+Z"
                >
                  Undo
                </button>
                <button
                  disabled={!shown?.canRedo}
                  onClick={() => void moveEdit('redo')}
                  data-testid="redo"
                  title="Shift+Ctrl/Cmd+Z"
                >
                  Redo
                </button>
                <button disabled={!edit} onClick={() => void moveEdit('reset')} title="r" data-testid="reset">
                  Model prompts
                </button>
                <button
                  onClick={() => void saveVariant()}
                  disabled={runId == null}
                  title="Copy the run with your edits as a new run"
                >
                  Save as run variant
                </button>
              </div>
              {variantMsg && <div className="muted small">{variantMsg}</div>}
              <p className="hint">
                Click: + point · Shift-click: − point · B-drag: new box · Alt-click / Del: delete
              </p>
            </section>
            <section className="panel">
              <h3>Failure tags</h3>
              <TagBar
                tags={tags}
                active={shown?.tagIds ?? []}
                disabled={!shown || runId == null}
                onToggle={(t) => void toggleTag(t)}
                onSaveTag={async (t) => {
                  await api.saveTag(t)
                  setTags(await api.listTags({}))
                }}
                onDeleteTag={async (id) => {
                  await api.deleteTag({ id })
                  setTags(await api.listTags({}))
                }}
              />
              {shown && runId != null && (
                <NotesBox
                  key={`${runId}:${shown.sample.id}:${sync.rev}`}
                  api={api}
                  runId={runId}
                  sampleId={shown.sample.id}
                  initial={shown.note}
                  onSaved={noteSaved}
                />
              )}
              {shown && runId != null && (
                <HistoryPanel
                  api={api}
                  runId={runId}
                  sampleId={shown.sample.id}
                  rev={`${sync.rev}:${shown.note}`}
                  notice={sync.lastRemote}
                />
              )}
            </section>
            <section className="panel grow">
              <h3>Model output</h3>
              <ReasoningView prediction={pred} highlight={hover} onHover={setHover} />
            </section>
            {shown && runId != null && (
              <section className="panel">
                <ReasonSlot
                  api={api}
                  runId={runId}
                  sampleId={shown.sample.id}
                  onPromptsChanged={(p) => void changePrompts(p)}
                />
              </section>
            )}
          </aside>
        </main>
      )}

      <StatusBar
        project={info.name}
        run={run ? `${run.name}${run.model ? ` (${run.model})` : ''}` : null}
        position={shown ? at : null}
        total={total}
        engine={engine}
        models={models}
        onSelectModel={(id) => void selectModel(id)}
        engineError={engineError}
        jobs={jobs}
        host={api.hostName}
        queryMs={list.lastQueryMs}
      />
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  )
}
