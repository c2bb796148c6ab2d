/** Who did what to the shown sample, newest first, and the earlier texts of its note. */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { HistoryEntry, NoteVersion } from '../../../../shared/contract/lab'
import './history.css'

export function HistoryPanel({
  api,
  runId,
  sampleId,
  rev,
  notice,
}: {
  api: ApiClient
  runId: number
  sampleId: number
  /** Changes when the sample changed elsewhere: the history is fetched again. */
  rev: string
  notice: string | null
}) {
  const [open, setOpen] = useState(false)
  const [data, setData] = useState<{ entries: HistoryEntry[]; noteVersions: NoteVersion[] } | null>(null)
  useEffect(() => {
    if (!open) return
    let live = true
    api.getSampleHistory({ runId, sampleId, limit: 50 }).then(
      (d) => live && setData(d),
      () => live && setData(null),
    )
    return () => {
      live = false
    }
  }, [api, runId, sampleId, rev, open])
  const last = data?.entries[0]
  return (
    <details className="history" data-testid="history" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary title={last ? `last change: ${last.user}, ${last.method}, ${last.at}` : 'history'}>
        History{notice && <span className="history-notice"> · {notice}</span>}
      </summary>
      {data && data.entries.length === 0 && <div className="muted small">No changes recorded.</div>}
      <ol className="history-list">
        {data?.entries.map((e) => (
          <li key={e.id} title={e.summary}>
            <b>{e.user}</b> {e.method} <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
          </li>
        ))}
      </ol>
      {data && data.noteVersions.length > 0 && (
        <>
          <h4>Earlier notes</h4>
          <ol className="history-list">
            {data.noteVersions.map((v, i) => (
              <li key={i}>
                <pre>{v.text}</pre>
                <span className="muted small">
                  by {v.author ?? 'unknown'}, replaced by {v.replacedBy} at{' '}
                  {new Date(v.replacedAt).toLocaleString()}
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </details>
  )
}
