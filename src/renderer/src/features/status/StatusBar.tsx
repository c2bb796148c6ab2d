/** The bottom bar: project, run, position in the filter, model + execution provider, background jobs. */
import type { Job } from '../../../../shared/contract/events'
import type { EngineStatusDto, ModelInfoDto } from '../../../../shared/contract/segment'
import { engineText, pickerOptions } from './modelChoice'

interface Props {
  project: string
  run: string | null
  position: number | null
  total: number | null
  engine: EngineStatusDto | null
  /** Models to choose from (empty until listed); choosing one calls onSelectModel. */
  models: ModelInfoDto[]
  onSelectModel(modelId: string): void
  engineError: string | null
  jobs: Job[]
  host: string
  queryMs: number | null
}

export function StatusBar(p: Props) {
  const running = p.jobs.filter((j) => j.status === 'running')
  const last = p.jobs[p.jobs.length - 1]
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span title="project">▣ {p.project}</span>
      <span title="run">run: {p.run ?? '—'}</span>
      <span data-testid="position">
        {p.total == null ? '…' : p.position == null ? `– / ${p.total}` : `${p.position + 1} / ${p.total}`}
      </span>
      {p.queryMs != null && <span className="muted">list {Math.round(p.queryMs)} ms</span>}
      <span className="spacer" />
      {running.map((j) => (
        <span key={j.id} className="job" data-testid="job">
          {j.label} {j.total ? `${j.done}/${j.total}` : j.done}
          {j.total ? <progress max={j.total} value={j.done} /> : null}
        </span>
      ))}
      {running.length === 0 && last && last.status !== 'running' && (
        <span className={`job ${last.status}`}>
          {last.label}: {last.status}
          {last.message ? ` — ${last.message}` : ''}
        </span>
      )}
      <span title="segmentation model and execution provider" data-testid="engine-status">
        {engineText(p.engine)}
      </span>
      {p.models.length > 0 && (
        <select
          className="model-select"
          title="segmentation model for prompt edits"
          data-testid="model-select"
          value={p.engine?.modelId ?? ''}
          onChange={(e) => p.onSelectModel(e.target.value)}
        >
          {pickerOptions(p.models).map((o) => (
            <option key={o.id} value={o.id}>
              {o.text}
            </option>
          ))}
        </select>
      )}
      {p.engineError && (
        <span className="job failed" data-testid="engine-error">
          {p.engineError}
        </span>
      )}
      <span className="muted">{p.host}</span>
    </footer>
  )
}
