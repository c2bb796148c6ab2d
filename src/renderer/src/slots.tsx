/**
 * Places for the analysis view and the reasoning (re-ask) panel, which live in their own feature folders.
 * They are picked up with import.meta.glob so the inspector builds and runs before either folder exists.
 */
import type { ComponentType } from 'react'
import type { ApiClient } from '../../shared/contract/client'
import type { GtWhich } from '../../shared/contract/gt'
import type { ObjectPrompt } from '../../shared/domain/prompts'

export interface AnalysisViewProps {
  api: ApiClient
  runId: number
  compareRunId: number | null
  onSelectSamples(sampleIds: number[]): void
  gt?: GtWhich
}

export interface ReasonPanelProps {
  api: ApiClient
  runId: number
  sampleId: number
  onPromptsChanged?(prompts: ObjectPrompt[]): void
}

const modules = import.meta.glob<Record<string, unknown>>(
  [
    './features/analysis/index.ts',
    './features/analysis/index.tsx',
    './features/reason/index.ts',
    './features/reason/index.tsx',
  ],
  { eager: true },
)

function pick<P>(prefix: string, name: string): ComponentType<P> | null {
  for (const [path, mod] of Object.entries(modules)) {
    if (path.startsWith(prefix) && typeof mod[name] === 'function') return mod[name] as ComponentType<P>
  }
  return null
}

const Analysis = pick<AnalysisViewProps>('./features/analysis/', 'AnalysisView')
const Reason = pick<ReasonPanelProps>('./features/reason/', 'ReasonPanel')

export function AnalysisSlot(props: AnalysisViewProps) {
  return Analysis ? (
    <Analysis {...props} />
  ) : (
    <div className="muted pad">The analysis view is not part of this build.</div>
  )
}

export function ReasonSlot(props: ReasonPanelProps) {
  return Reason ? <Reason {...props} /> : null
}
