/**
 * Review mode: walks the run's unconfirmed failures one at a time, showing the suggested failure tag, the
 * numbers that fired its rule, and the sample on the canvas with the GT pieces' boxes outlined next to the
 * run's own boxes. Enter accepts, 1–9 picks another tag, Backspace skips, u undoes.
 */
import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { isTypingTarget } from '../../app/keyboard'
import { useImage } from '../../app/useImage'
import { fmtIou } from '../browser/SampleList'
import { OVERLAY_COLORS, SampleCanvas, type OverlaySettings } from '../canvas/SampleCanvas'
import { DEFAULT_OVERLAY } from '../canvas/useOverlaySettings'
import { reviewKey } from './reviewKeys'
import { useReview, type ReviewCallbacks } from './useReview'
import './review.css'

/** The inspector's default layers (not the user's saved ones), a little more transparent. */
const OVERLAY: OverlaySettings = { ...DEFAULT_OVERLAY, opacity: 0.45 }

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3))

export function ReviewView({
  api,
  runId,
  onTagsChanged,
  onSampleTags,
}: {
  api: ApiClient
  runId: number
} & ReviewCallbacks) {
  const r = useReview(api, runId, { onTagsChanged, onSampleTags })
  const head = r.queue?.items[0] ?? null
  const shown = r.shown && head && r.shown.detail.sample.id === head.sampleId ? r.shown : null
  const detail = shown?.detail ?? null
  const { image } = useImage(detail ? api.mediaUrl(detail.sample.mediaHash) : null)
  const prompts = detail?.currentEdit?.prompts ?? detail?.prediction?.prompts ?? []
  const [showThresholds, setShowThresholds] = useState(false)

  const state = useRef(r)
  useEffect(() => {
    state.current = r
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return
      const cmd = reviewKey(e, state.current.tags)
      if (!cmd) return
      e.preventDefault()
      state.current.run(cmd)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const p = r.queue?.progress
  const reviewed = p ? p.confirmed + p.skipped : 0
  const tagKeys = r.tags.slice(0, 9)

  return (
    <div className="review" data-testid="review-view">
      <div className="review-head">
        {p ? (
          <div
            className="review-progress"
            data-testid="review-progress"
            data-confirmed={p.confirmed}
            data-failures={p.failures}
          >
            <progress max={p.failures || 1} value={p.confirmed} />
            <span>
              {p.confirmed} / {p.failures} failures confirmed · {p.skipped} skipped · {p.pending} to go
            </span>
          </div>
        ) : (
          <div className="muted">Computing suggestions…</div>
        )}
        <label>
          order{' '}
          <select value={r.order} onChange={(e) => r.setOrder(e.target.value as 'worst' | 'tag')}>
            <option value="worst">worst IoU first</option>
            <option value="tag">grouped by proposed tag</option>
          </select>
        </label>
        <button
          className="link"
          onClick={() => setShowThresholds((s) => !s)}
          data-testid="review-thresholds-toggle"
        >
          thresholds
        </button>
        {r.last && <span className="muted small">{r.last}</span>}
      </div>
      {showThresholds && r.thresholds && (
        <ThresholdsEditor
          thresholds={r.thresholds.thresholds}
          defaults={r.thresholds.defaults}
          overrides={r.thresholds.overrides}
          rulesVersion={r.thresholds.rulesVersion}
          onChange={r.setOverrides}
        />
      )}
      {r.error && (
        <div className="error" data-testid="review-error">
          {r.error}
        </div>
      )}
      {r.queue && !head && (
        <div className="review-done" data-testid="review-done">
          Every failure of this run is reviewed ({reviewed} of {p?.failures ?? 0}). Press u to undo the last
          review.
        </div>
      )}
      {head && (
        <div className="review-body">
          <div className="review-canvas">
            <div className="legend">
              <span className="legend-item">
                <i style={{ background: OVERLAY_COLORS.gt }} />
                GT
              </span>
              <span className="legend-item">
                <i style={{ background: OVERLAY_COLORS.pred }} />
                prediction{detail?.currentEdit ? ' (your edit)' : ''}
              </span>
              <span className="legend-item">
                <i style={{ background: OVERLAY_COLORS.compare }} />
                GT box
              </span>
              <span className="legend-item muted">run's box: drawn as its prompt</span>
            </div>
            {shown && detail && (
              <SampleCanvas
                sampleId={detail.sample.id}
                image={image}
                width={detail.sample.width}
                height={detail.sample.height}
                gt={shown.gt}
                pred={shown.pred}
                live={null}
                compare={shown.boxes}
                overlay={OVERLAY}
                prompts={prompts}
                editable={false}
                highlight={null}
                selected={null}
                onHover={() => undefined}
                onSelect={() => undefined}
                onPromptsChange={() => undefined}
              />
            )}
          </div>
          <aside className="review-side" data-testid="review-item" data-sample-id={head.sampleId}>
            <div className="query">{head.query}</div>
            <div className="muted small">
              #{head.sampleId} · {head.imageId} · IoU {fmtIou(head.iou)}
              {head.review?.state === 'skipped' ? ' · skipped before' : ''}
            </div>
            <h3>Suggested</h3>
            <div className="review-proposal" data-testid="review-proposal" data-tag={head.tag ?? ''}>
              {head.tag ? (
                <>
                  <b>{head.tag}</b> <span className="muted">confidence {head.confidence?.toFixed(2)}</span>
                </>
              ) : (
                <span className="muted">no rule fired — pick a tag</span>
              )}
            </div>
            {head.evidence && (
              <table className="review-evidence" data-testid="review-evidence">
                <tbody>
                  {Object.entries(head.evidence).map(([k, v]) => (
                    <tr key={k}>
                      <td>{k}</td>
                      <td>{fmt(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {head.alternatives.length > 0 && (
              <div className="muted small">
                also fired: {head.alternatives.map((a) => `${a.tag} (${a.confidence.toFixed(2)})`).join(', ')}
              </div>
            )}
            <h3>Keys</h3>
            <ul className="review-keys">
              <li>
                <kbd>Enter</kbd> accept{head.tag ? ` “${head.tag}”` : ''}
              </li>
              {tagKeys.map((t, i) => (
                <li key={t.id}>
                  <kbd>{i + 1}</kbd> <i className="swatch" style={{ background: t.color }} /> {t.name}
                </li>
              ))}
              <li>
                <kbd>Backspace</kbd> skip · <kbd>u</kbd> undo
              </li>
            </ul>
          </aside>
        </div>
      )}
    </div>
  )
}

/** The rules' thresholds for this project: an edited value becomes a project override (blue). */
function ThresholdsEditor(props: {
  thresholds: Record<string, number>
  defaults: Record<string, number>
  overrides: Record<string, number>
  rulesVersion: number
  onChange(overrides: Record<string, number>): void
}) {
  const commit = (k: string, raw: string) => {
    const v = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(v) || v === props.thresholds[k]) return
    const next = { ...props.overrides, [k]: v }
    if (v === props.defaults[k]) delete next[k]
    props.onChange(next)
  }
  return (
    <div className="review-thresholds" data-testid="review-thresholds">
      <span>rules v{props.rulesVersion}:</span>
      {Object.entries(props.thresholds).map(([k, v]) => (
        <label
          key={`${k}:${v}`}
          className={k in props.overrides ? 'overridden' : ''}
          title={`default ${props.defaults[k]}`}
        >
          {k}{' '}
          <input
            type="number"
            step={0.05}
            defaultValue={v}
            data-threshold={k}
            onBlur={(e) => commit(k, e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit(k, e.currentTarget.value)
            }}
          />
        </label>
      ))}
      {Object.keys(props.overrides).length > 0 && (
        <button className="link" onClick={() => props.onChange({})}>
          reset to defaults
        </button>
      )}
    </div>
  )
}
