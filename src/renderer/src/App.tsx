/**
 * The inspector's wiring and layout: sample list (or grid) on the left, the canvas in the middle, feature
 * panels on the right, status bar below. State lives in the features' hooks; this file only connects them.
 *
 * Mount points for feature panels (one line each, from the feature's own folder):
 * - TOP-BAR ACTIONS: children of <TopBar>.
 * - LEFT COLUMN: after the sample list in <section className="left">.
 * - UNDER THE CANVAS: after <OverlayBar> in <section className="center">.
 * - RIGHT PANELS: inside <aside className="right">, one <section className="panel"> per feature.
 * - KEYS: an entry in `keys` below (actions come from features/help/shortcuts.ts).
 * Panels read the run, the sample and the API from `useInspector()` (features/inspector/InspectorContext).
 */
import { useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../shared/contract/client'
import type { SampleDetail, SampleRow } from '../../shared/contract/samples'
import { decodeMask } from './features/canvas/overlayCache'
import { TopBar, type Tab } from './app/TopBar'
import { useImage } from './app/useImage'
import { useShortcuts, type ShortcutHandlers } from './app/useShortcuts'
import { useTheme } from './app/useTheme'
import { SampleGrid } from './features/browser/SampleGrid'
import { SampleList } from './features/browser/SampleList'
import { useSampleNavigation } from './features/browser/useSampleNavigation'
import type { DiffCounts } from './features/canvas/maskRaster'
import { OverlayBar } from './features/canvas/OverlayBar'
import { Legend, SampleCanvas, type CanvasHandle } from './features/canvas/SampleCanvas'
import { useOverlaySettings } from './features/canvas/useOverlaySettings'
import { PromptPanel } from './features/edit/PromptPanel'
import { usePromptEditing } from './features/edit/usePromptEditing'
import { GtBanner, GtPanel, GtSwitch, useGtCanvas, useGtEditing, useGtView } from './features/gt'
import { HelpOverlay } from './features/help/HelpOverlay'
import { AddImagesDialog, type AddedSamples } from './features/authoring'
import { SHORTCUTS, type Action } from './features/help/shortcuts'
import { InspectorContext, type InspectorContextValue } from './features/inspector/InspectorContext'
import { SampleHead } from './features/inspector/SampleHead'
import { useSampleDetails } from './features/inspector/useSampleDetails'
import { useProject } from './features/project/useProject'
import { useRunActions } from './features/project/useRunActions'
import { ReasoningView } from './features/reasoning/ReasoningView'
import { StatusBar } from './features/status/StatusBar'
import { useEngine } from './features/status/useEngine'
import { NotesBox } from './features/tags/NotesBox'
import { TagBar } from './features/tags/TagBar'
import { useSampleTags } from './features/tags/useSampleTags'
import { useTags } from './features/tags/useTags'
import { AnalysisSlot, ReasonSlot } from './slots'
import { ExportDatasetButton } from './features/exportDataset/ExportDatasetButton'
import { CrashCheck } from './features/maintenance/CrashCheck'
import { ReviewView } from './features/review/ReviewView'
import { RolloutAnalysis, RolloutStrip, useRolloutView } from './features/rollouts'
import { HistoryPanel } from './features/history/HistoryPanel'
import { useLiveSync } from './features/history/useLiveSync'
import { SegmentRunButton, usePrepareSample, useSegmentRun } from './features/segmentRun'
import { OBJECT_ACTIONS, objectShortcuts } from './features/objects/objectKeys'
import { ObjectListPanel } from './features/objects/ObjectListPanel'
import { useObjectList } from './features/objects/useObjectList'
import { ImportDialog, type ImportKind } from './features/importing'

/** Keys that change the sample: ignored while the analysis tab hides it. */
const SAMPLE_EDITS = new Set<Action>([
  'undo',
  'redo',
  'resetPrompts',
  'deleteSelected',
  'tag',
  ...OBJECT_ACTIONS,
])
/** Keys the inspector gives up while the review queue (which routes its own keys) is shown. */
const REVIEW_MUTED = SHORTCUTS.map((s) => s.action).filter((a) => a !== 'help' && a !== 'escape')

export function App({ api }: { api: ApiClient }) {
  const project = useProject(api)
  const { runId, compareRunId } = project
  const engine = useEngine(api)
  const { tags, saveTag, deleteTag, setTags } = useTags(api)
  const overlay = useOverlaySettings()
  const { theme, toggleTheme } = useTheme()
  const [tab, setTab] = useState<Tab>('inspect')
  const [layout, setLayout] = useState<'list' | 'grid'>('list')
  const toggleLayout = () => setLayout((l) => (l === 'list' ? 'grid' : 'list'))
  const [help, setHelp] = useState(false)
  const [authoring, setAuthoring] = useState(false)
  const [importing, setImporting] = useState<ImportKind | null>(null)
  const [diffCounts, setDiffCounts] = useState<DiffCounts | null>(null)
  const canvasRef = useRef<CanvasHandle>(null)
  const searchRef = useRef<HTMLInputElement>(null)

  const nav = useSampleNavigation(api, {
    ready: project.info != null,
    runId,
    compareRunId,
    datasetId: project.datasetId,
  })
  const details = useSampleDetails(api, nav, { runId, compareRunId })
  const { shown } = details
  const editing = usePromptEditing(api, { runId, details, list: nav.list, engine })
  const objects = useObjectList(editing, {
    detailKey: details.detailKey,
    prediction: shown?.prediction ?? null,
  })
  const sampleTags = useSampleTags(api, { runId, details, list: nav.list })
  const runActions = useRunActions(api, { runId, refreshInfo: project.refreshInfo })
  const gtView = useGtView(api, shown)
  // Segmenting a "not segmented" run changes its rows, counts and the shown sample's prediction.
  const segmentRun = useSegmentRun(api, project.run, () => {
    void project.refreshInfo().catch(() => undefined)
    nav.list.reload()
    details.invalidateOthers(nav.sampleId)
    if (nav.sampleId != null) void details.refreshSample(nav.sampleId).catch(() => undefined)
  })
  usePrepareSample(api, runId, nav.sampleId)
  const gtSample = useMemo(
    () => (shown ? { id: shown.sample.id, width: shown.sample.width, height: shown.sample.height } : null),
    [shown],
  )
  // After a GT edit: the corrected view reloads, and so does the sample (an authored sample's drawn GT is
  // its original, so its GT and area in the list change too).
  const gtChanged = (sid: number) => {
    gtView.reload()
    void details.refreshSample(sid).then(
      (d) => d && nav.list.patch(sid, (r) => ({ ...r, gtArea: d.sample.gtArea })),
      () => undefined,
    )
  }
  const gtEdit = useGtEditing(api, gtSample, { onChanged: gtChanged })
  const gtCanvas = useGtCanvas(gtEdit, overlay.overlay)

  // Lab live sync: another person's write to this sample refetches it; other samples refetch when opened.
  // A refetched detail carries the list row's tags and note flag.
  const rowOf = (d: SampleDetail) => (r: SampleRow) => ({
    ...r,
    tagIds: d.tagIds,
    hasNote: d.note.trim() !== '',
  })
  const sync = useLiveSync(api, {
    runId,
    sampleId: nav.sampleId,
    refetchShown: async () => {
      const sid = nav.sampleId
      if (sid == null) return
      const key = details.detailKey
      const d = await api.getSampleDetail({ sampleId: sid, runId, compareRunId }).catch(() => null)
      if (!d) return
      details.updateDetail(key, () => d)
      nav.list.patch(sid, rowOf(d))
      gtView.reload()
    },
    otherSample: (sid) => {
      details.invalidateSample(sid)
      if (nav.list.has(sid))
        void api.getSampleDetail({ sampleId: sid, runId, compareRunId }).then(
          (d) => nav.list.patch(sid, rowOf(d)),
          () => undefined,
        )
    },
  })

  // GRPO rollouts: a clicked rollout replaces the prediction and prompts on the canvas.
  const rollout = useRolloutView(api, runId, shown?.sample.id ?? null, tab === 'inspect' && !gtEdit.active)
  const { image } = useImage(shown ? api.mediaUrl(shown.sample.mediaHash) : null)
  const gtShown = gtView.corrected?.union ?? shown?.sample.gt
  const gtMask = useMemo(() => decodeMask(gtShown), [gtShown])
  const predMask = useMemo(() => decodeMask(shown?.prediction?.mask), [shown?.prediction?.mask])
  const liveMask = useMemo(() => decodeMask(shown?.currentEdit?.mask), [shown?.currentEdit?.mask])
  const compareMask = useMemo(
    () => decodeMask(shown?.comparePrediction?.mask),
    [shown?.comparePrediction?.mask],
  )

  const selectSamples = (ids: number[]) => {
    nav.setFilter({ sampleIds: ids })
    setTab('inspect')
  }
  // New samples are listed by themselves (with their dataset when no selected run covers it), in GT mode,
  // ready for their targets to be drawn.
  const samplesAdded = (r: AddedSamples) => {
    setAuthoring(false)
    void project.refreshInfo()
    if (project.run?.datasetId !== r.datasetId) project.selectDataset(r.datasetId)
    selectSamples(r.sampleIds)
    gtEdit.setActive(true)
  }
  const inspector: InspectorContextValue = {
    api,
    runId,
    compareRunId,
    detail: shown,
    reloadSample: details.invalidateSample,
    selectSamples,
  }

  // Keyboard: one handler per action of the shortcut table (features/help/shortcuts.ts).
  const inspecting = tab === 'inspect'
  // Ground-truth edit mode takes the canvas, undo / redo and its own keys while it is on.
  const gtMode = gtEdit.active && inspecting && shown != null
  const keys: ShortcutHandlers = {
    next: () => nav.go(nav.at + 1),
    prev: () => nav.go(nav.at - 1),
    first: () => nav.go(0),
    last: () => nav.go(Number.MAX_SAFE_INTEGER),
    toggleGt: () => overlay.flip('gt'),
    togglePred: () => overlay.flip('pred'),
    toggleLive: () => overlay.flip('live'),
    toggleCompare: () => overlay.flip('compare'),
    toggleDiff: () => overlay.flip('diff'),
    toggleContour: () => overlay.flip('contour'),
    zoomIn: () => canvasRef.current?.zoom(1.25),
    zoomOut: () => canvasRef.current?.zoom(0.8),
    fit: () => canvasRef.current?.fit(),
    undo: () => (gtMode ? gtEdit.undo() : void editing.moveEdit('undo')),
    redo: () => (gtMode ? gtEdit.redo() : void editing.moveEdit('redo')),
    resetPrompts: () => (gtMode ? false : void editing.moveEdit('reset')),
    deleteSelected: () => {
      // The selected point or box, else (object list) the chosen object.
      if (!gtMode) return editing.selectedRef ? editing.deleteSelected() : objects.removeActive()
      if (gtEdit.polygon.length === 0) return false
      gtEdit.setPolygon(gtEdit.polygon.slice(0, -1))
    },
    gtMode: () => (inspecting && shown ? gtEdit.setActive(!gtEdit.active) : false),
    radiusDown: () => (gtMode ? gtEdit.stepRadius(-1) : false),
    radiusUp: () => (gtMode ? gtEdit.stepRadius(1) : false),
    confirm: () => (gtMode && gtEdit.confirm() ? undefined : false),
    tag: ({ tagIndex }) => {
      const t = tags[tagIndex ?? 0]
      if (t) void sampleTags.toggleTag(t)
    },
    help: () => setHelp((h) => !h),
    focusSearch: () => searchRef.current?.focus(),
    toggleTheme,
    toggleGrid: toggleLayout,
    ...objectShortcuts(objects, { enabled: !gtMode, canAdd: runId != null }),
    escape: () => {
      if (gtMode && gtEdit.cancel()) return
      setHelp(false)
      editing.setSelectedRef(null)
    },
  }
  // The analysis tab hides the sample: a key there must not tag it or change its prompts unseen.
  if (!inspecting) for (const a of SAMPLE_EDITS) keys[a] = () => false
  // Review mode routes its own keys (Enter, 1–9, Backspace, u).
  if (tab === 'review') for (const a of REVIEW_MUTED) keys[a] = () => false
  useShortcuts(keys)

  const { info } = project
  if (project.fatal && !info) return <div className="fatal">Could not open the project: {project.fatal}</div>
  if (!info) return <div className="loading-screen">Opening project…</div>

  const { run, compareRun } = project
  const pred = shown?.prediction ?? null

  return (
    <InspectorContext.Provider value={inspector}>
      <div className="app" data-theme={theme} data-testid="app" data-sample-id={shown?.sample.id ?? ''}>
        <CrashCheck api={api} />
        <TopBar
          tab={tab}
          onTab={setTab}
          project={{ ...project, info }}
          filter={nav.filter}
          onFilter={nav.setFilter}
          tags={tags}
          searchRef={searchRef}
          layout={layout}
          onToggleLayout={toggleLayout}
          theme={theme}
          onToggleTheme={toggleTheme}
          onHelp={() => setHelp(true)}
          onImportRun={() => setImporting('run')}
        >
          <button
            className="link"
            title="Add images and write queries: new samples to draw the GT of"
            onClick={() => setAuthoring(true)}
            data-testid="add-images-button"
          >
            Add images…
          </button>
          <button className="link" onClick={() => setImporting('dataset')} data-testid="import-dataset">
            Import dataset…
          </button>
          <ExportDatasetButton api={api} />
          <SegmentRunButton state={segmentRun} />
          {/* mount point: top-bar actions */}
        </TopBar>

        {tab === 'review' ? (
          <main className="analysis-main">
            {runId != null ? (
              <ReviewView
                key={runId}
                api={api}
                runId={runId}
                onTagsChanged={setTags}
                onSampleTags={(sid, tagIds) => {
                  nav.list.patch(sid, (r) => ({ ...r, tagIds }))
                  details.invalidateSample(sid) // cached details hold the old tags: fetch again when shown
                }}
              />
            ) : (
              <div className="muted">Select a run.</div>
            )}
          </main>
        ) : tab === 'analysis' ? (
          <main className="analysis-main">
            <div className="analysis-gt-bar">
              <GtSwitch view={gtView} hasPrediction={false} />
            </div>
            {runId != null ? (
              <AnalysisSlot
                api={api}
                runId={runId}
                compareRunId={compareRunId}
                onSelectSamples={selectSamples}
                gt={gtView.which}
              />
            ) : (
              <div className="muted">Select a run.</div>
            )}
            {runId != null && (
              <RolloutAnalysis
                api={api}
                runId={runId}
                runName={run?.name ?? `run-${runId}`}
                onSelectSamples={selectSamples}
              />
            )}
          </main>
        ) : (
          <main className={`inspect-main ${layout}`}>
            <section className="left">
              {layout === 'list' ? (
                <SampleList
                  list={nav.list}
                  selected={nav.at}
                  onSelect={nav.go}
                  sort={nav.sort}
                  onSort={nav.sortBy}
                  tags={tags}
                  compare={compareRunId != null}
                />
              ) : (
                <SampleGrid api={api} list={nav.list} runId={runId} selected={nav.at} onSelect={nav.go} />
              )}
              {nav.list.error && <div className="error">{nav.list.error}</div>}
              {/* mount point: left column */}
            </section>

            <section className="center">
              <SampleHead
                shown={shown}
                total={nav.total}
                compareRunName={compareRun?.name ?? null}
                load={details.load}
              >
                <GtSwitch view={gtView} hasPrediction={pred != null} />
              </SampleHead>
              <div className={`canvas-area${gtMode ? ' gt-editing' : ''}`}>
                {gtMode && <GtBanner gt={gtEdit} />}
                <Legend
                  overlay={overlay.overlay}
                  counts={diffCounts}
                  compareRun={compareMask ? (compareRun?.name ?? null) : null}
                />
                {shown && (
                  <SampleCanvas
                    sampleId={shown.sample.id}
                    image={image}
                    width={shown.sample.width}
                    height={shown.sample.height}
                    gt={gtMode ? null : gtMask}
                    pred={rollout.shown && !gtMode ? rollout.mask : predMask}
                    live={liveMask}
                    compare={compareRunId != null ? compareMask : null}
                    overlay={overlay.overlay}
                    onDiffCounts={setDiffCounts}
                    handle={canvasRef}
                    {...(gtMode
                      ? {
                          prompts: gtEdit.tool === 'segment' ? gtEdit.segmentPrompts : [],
                          editable: gtEdit.tool === 'segment',
                          highlight: null,
                          selected: null,
                          onHover: () => undefined,
                          onSelect: () => undefined,
                          onPromptsChange: gtEdit.setSegmentPrompts,
                          tool: gtCanvas.tool,
                          toolLayer: gtCanvas.layer,
                        }
                      : {
                          prompts: rollout.prompts ?? objects.canvasPrompts,
                          editable: runId != null && !rollout.shown,
                          highlight: editing.hover,
                          selected: editing.selectedRef,
                          onHover: editing.setHover,
                          onSelect: editing.setSelectedRef,
                          onPromptsChange: objects.onCanvasChange,
                          objects: rollout.shown ? undefined : objects,
                        })}
                  />
                )}
              </div>
              <OverlayBar state={overlay} onFit={() => canvasRef.current?.fit()} />
              {/* mount point: under the canvas */}
            </section>

            <aside className="right">
              {gtMode ? (
                <GtPanel gt={gtEdit} tags={tags} />
              ) : (
                shown && (
                  <button
                    className="gt-toggle"
                    onClick={() => gtEdit.setActive(true)}
                    title="Correct this sample's ground truth (e)"
                    data-testid="gt-edit-button"
                  >
                    Edit ground truth (e)
                  </button>
                )
              )}
              <PromptPanel
                editing={editing}
                canUndo={shown?.canUndo ?? false}
                canRedo={shown?.canRedo ?? false}
                runSelected={runId != null}
                onSaveVariant={() => void runActions.saveVariant()}
                message={runActions.message}
                modelLabel={(id) => engine.models.find((m) => m.id === id)?.label ?? id}
              />
              {shown && !gtMode && (
                <ObjectListPanel
                  objects={objects}
                  editing={editing}
                  editable={runId != null && !rollout.shown}
                />
              )}
              <section className="panel">
                <h3>Failure tags</h3>
                <TagBar
                  tags={tags}
                  active={shown?.tagIds ?? []}
                  disabled={!shown || runId == null}
                  onToggle={(t) => void sampleTags.toggleTag(t)}
                  onSaveTag={saveTag}
                  onDeleteTag={deleteTag}
                />
                {shown && runId != null && (
                  <NotesBox
                    key={`${runId}:${shown.sample.id}:${sync.rev}`}
                    api={api}
                    runId={runId}
                    sampleId={shown.sample.id}
                    initial={shown.note}
                    onSaved={sampleTags.noteSaved}
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
              {rollout.group && (
                <section className="panel">
                  <RolloutStrip
                    api={api}
                    runId={runId}
                    view={rollout}
                    image={image}
                    onFilter={(ids) => nav.setFilter(ids ? { sampleIds: ids } : {})}
                  />
                </section>
              )}
              <section className="panel grow">
                <h3>Model output</h3>
                <ReasoningView
                  prediction={pred}
                  highlight={objects.reasoningHighlight}
                  onHover={objects.onReasoningHover}
                  highlightObject={objects.highlightObject}
                />
              </section>
              {shown && runId != null && (
                <section className="panel">
                  <ReasonSlot
                    api={api}
                    runId={runId}
                    sampleId={shown.sample.id}
                    onPromptsChanged={(p) => void editing.changePrompts(p)}
                  />
                </section>
              )}
              {/* mount point: right panels */}
            </aside>
          </main>
        )}

        <StatusBar
          project={info.name}
          run={run ? `${run.name}${run.model ? ` (${run.model})` : ''}` : null}
          position={shown ? nav.at : null}
          total={nav.total}
          engine={engine.engine}
          models={engine.models}
          onSelectModel={(id) => void engine.selectModel(id)}
          engineError={engine.engineError}
          jobs={engine.jobs}
          host={api.hostName}
          queryMs={nav.list.lastQueryMs}
        />
        {help && <HelpOverlay onClose={() => setHelp(false)} />}
        {importing && (
          <ImportDialog
            api={api}
            kind={importing}
            datasets={info.datasets.map((d) => d.name)}
            onClose={() => setImporting(null)}
            onImported={(kind, id) => {
              setImporting(null)
              void project
                .refreshInfo()
                .then(() => (kind === 'run' ? project.selectRun(id) : project.selectDataset(id)))
            }}
          />
        )}
        {authoring && (
          <AddImagesDialog api={api} onClose={() => setAuthoring(false)} onAdded={samplesAdded} />
        )}
      </div>
    </InspectorContext.Provider>
  )
}
