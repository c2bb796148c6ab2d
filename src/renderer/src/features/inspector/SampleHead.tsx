/** The line above the canvas: the query, the sample's ids and size, and the IoUs of the run(s). */
import type { ReactNode } from 'react'
import type { SampleDetail } from '../../../../shared/contract/samples'
import { fmtIou, iouClass } from '../browser/SampleList'
import { OVERLAY_COLORS } from '../canvas/SampleCanvas'
import { LoadError } from '../loadError/LoadError'
import type { RetryableLoad } from '../loadError/useRetryableLoad'

export function SampleHead({
  shown,
  total,
  compareRunName,
  load,
  children,
}: {
  shown: SampleDetail | null
  total: number | null
  compareRunName: string | null
  /** The current sample's load, when it failed: the error and a retry button. */
  load?: RetryableLoad
  /** Extra items at the end of the metrics line (the GT switch). */
  children?: ReactNode
}) {
  if (!shown)
    return (
      <div className="sample-head">
        {load?.error ? (
          <LoadError what="this sample" message={load.error} onRetry={load.retry} />
        ) : (
          <div className="query muted">{total === 0 ? 'No sample matches the filter.' : 'Loading…'}</div>
        )}
      </div>
    )
  const pred = shown.prediction
  // Prompts but no mask: the run is not segmented yet, so its stored IoU (0) is no score.
  const notSegmented = pred != null && pred.mask == null && (pred.prompts?.length ?? 0) > 0
  return (
    <div className="sample-head">
      <div className="query" data-testid="query" title={shown.sample.query}>
        {shown.sample.query}
      </div>
      <div className="meta">
        <span>
          #{shown.sample.id} · {shown.sample.imageId}/{shown.sample.annId} · {shown.sample.width}×
          {shown.sample.height}
        </span>
        {notSegmented ? (
          <span className="metric muted" data-testid="pred-iou">
            not segmented
          </span>
        ) : (
          <span className={`metric ${iouClass(pred?.iou ?? null)}`} data-testid="pred-iou">
            IoU {pred ? fmtIou(pred.iou) : '—'}
          </span>
        )}
        {shown.comparePrediction && (
          <span className="metric muted" title={compareRunName ?? undefined} data-testid="compare-iou">
            <span className="swatch" style={{ background: OVERLAY_COLORS.compare }} />
            vs {compareRunName ?? ''} {fmtIou(shown.comparePrediction.iou)}
          </span>
        )}
        {pred?.bboxIou != null && <span className="metric muted">box IoU {fmtIou(pred.bboxIou)}</span>}
        {children}
      </div>
    </div>
  )
}
