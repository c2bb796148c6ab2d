/** The bottom bar: project, run, position in the filter, model + execution provider, background jobs. */
import type { Job } from '../../../../shared/contract/events'

interface Props {
  project: string
  run: string | null
  position: number | null
  total: number | null
  model: string | null
  provider: string | null
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
      <span title="segmentation model and execution provider">
        {p.model ? `${p.model}${p.provider ? ` · ${p.provider}` : ''}` : 'no engine'}
      </span>
      <span className="muted">{p.host}</span>
    </footer>
  )
}
