/** The top bar: tabs, the run / filter bar, and the app-wide actions (import, layout, theme, help). */
import type { ReactNode, RefObject } from 'react'
import type { SampleFilter } from '../../../shared/contract/samples'
import type { Tag } from '../../../shared/contract/tags'
import { FilterBar } from '../features/browser/FilterBar'
import type { ProjectState } from '../features/project/useProject'
import type { Theme } from './useTheme'

export type Tab = 'inspect' | 'analysis' | 'review'

interface Props {
  tab: Tab
  onTab(tab: Tab): void
  project: ProjectState & { info: NonNullable<ProjectState['info']> }
  filter: SampleFilter
  onFilter(f: SampleFilter): void
  tags: Tag[]
  searchRef: RefObject<HTMLInputElement | null>
  layout: 'list' | 'grid'
  onToggleLayout(): void
  theme: Theme
  onToggleTheme(): void
  onHelp(): void
  onImportRun(): void
  /** Feature actions shown before the layout / theme / help buttons. */
  children?: ReactNode
}

export function TopBar(p: Props) {
  return (
    <header className="topbar">
      <div className="brand">ReSeg Inspector</div>
      <nav className="tabs">
        <button className={p.tab === 'inspect' ? 'on' : ''} onClick={() => p.onTab('inspect')}>
          Inspect
        </button>
        <button
          className={p.tab === 'analysis' ? 'on' : ''}
          onClick={() => p.onTab('analysis')}
          data-testid="tab-analysis"
        >
          Analysis
        </button>
        <button
          className={p.tab === 'review' ? 'on' : ''}
          onClick={() => p.onTab('review')}
          data-testid="tab-review"
        >
          Review
        </button>
      </nav>
      <FilterBar
        runs={p.project.info.runs}
        runId={p.project.runId}
        compareRunId={p.project.compareRunId}
        onRun={p.project.selectRun}
        datasets={p.project.info.datasets}
        datasetId={p.project.datasetId}
        onDataset={p.project.selectDataset}
        onCompareRun={p.project.setCompareRunId}
        filter={p.filter}
        onFilter={p.onFilter}
        tags={p.tags}
        searchRef={p.searchRef}
      />
      <div className="top-actions">
        <button
          className="link"
          title="Import a run file or folder (JSONL, Seg-Zero / VisionReasoner outputs)"
          onClick={p.onImportRun}
          data-testid="import-run"
        >
          Import run…
        </button>
        {p.children}
        <button className="icon" title="List / grid (v)" aria-label="List / grid" onClick={p.onToggleLayout}>
          {p.layout === 'list' ? '▦' : '☰'}
        </button>
        <button className="icon" title="Theme (t)" aria-label="Theme" onClick={p.onToggleTheme}>
          {p.theme === 'dark' ? '☀' : '☾'}
        </button>
        <button
          className="icon"
          title="Shortcuts (?)"
          aria-label="Keyboard shortcuts"
          onClick={p.onHelp}
          data-testid="help-button"
        >
          ?
        </button>
      </div>
    </header>
  )
}
