/**
 * The analysis view's section on suggested failure tags, the same numbers as the report's: failures
 * confirmed per tag, the share still unreviewed, the agreement matrix proposed × confirmed, and the
 * thresholds. Clicking a proposed tag filters the browser to its failures.
 */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { ReviewSummaryDto } from '../../../../shared/contract/suggest'

const pct = (v: number) => `${(v * 100).toFixed(1)}%`
const NONE = '(none)'

export function ReviewSummaryPanel({
  api,
  runId,
  onSelectSamples,
}: {
  api: ApiClient
  runId: number
  onSelectSamples(sampleIds: number[]): void
}) {
  const [summary, setSummary] = useState<{ runId: number; s: ReviewSummaryDto } | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    // Opening the run's analysis brings its proposals up to date, as the review mode does.
    api
      .openTagProposals({ runId })
      .then(() => api.getReviewSummary({ runId }))
      .then(
        (s) => live && setSummary({ runId, s }),
        (e: Error) => live && setError(e.message),
      )
    return () => {
      live = false
    }
  }, [api, runId])

  const s = summary?.runId === runId ? summary.s : null
  const select = async (tag: string) => {
    const rows = await api.listTagProposals({ runId, tag: tag === NONE ? '' : tag })
    onSelectSamples(rows.map((r) => r.sampleId))
  }

  return (
    <section data-testid="suggest-summary">
      <h3>Suggested failure tags</h3>
      {error && <div className="error">{error}</div>}
      {!s ? (
        !error && <div className="muted">Computing…</div>
      ) : (
        <>
          <p className="muted" data-testid="suggest-counts">
            {s.failures} failures: {s.confirmed} confirmed, {s.skipped} skipped,{' '}
            <b>
              {s.unreviewed} unreviewed ({pct(s.unreviewedShare)})
            </b>
            {s.agreement != null && ` · ${pct(s.agreement)} of confirmed samples kept the proposed tag`}
          </p>
          <div className="analysis-cards">
            <table>
              <thead>
                <tr>
                  <th>proposed</th>
                  <th className="num">failures</th>
                </tr>
              </thead>
              <tbody>
                {s.proposed.map((r) => (
                  <tr key={r.tag} className="clickable" onClick={() => void select(r.tag)}>
                    <td>{r.tag}</td>
                    <td className="num">{r.n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <thead>
                <tr>
                  <th>confirmed</th>
                  <th className="num">samples</th>
                </tr>
              </thead>
              <tbody>
                {s.byConfirmedTag.map((r) => (
                  <tr key={r.tag}>
                    <td>{r.tag}</td>
                    <td className="num">{r.n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {s.matrix.confirmed.length > 0 && (
              <table data-testid="suggest-matrix">
                <thead>
                  <tr>
                    <th>proposed ↓ confirmed →</th>
                    {s.matrix.confirmed.map((c) => (
                      <th key={c} className="num">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {s.matrix.proposed.map((p, i) => (
                    <tr key={p}>
                      <th>{p}</th>
                      {s.matrix.counts[i].map((n, j) => (
                        <td
                          key={j}
                          className="num"
                          style={p === s.matrix.confirmed[j] ? { fontWeight: 700 } : {}}
                        >
                          {n}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <p className="muted small" data-testid="suggest-thresholds">
            rules v{s.rulesVersion} ·{' '}
            {Object.entries(s.thresholds)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')}
          </p>
        </>
      )}
    </section>
  )
}
