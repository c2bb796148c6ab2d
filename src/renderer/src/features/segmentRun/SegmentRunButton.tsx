/** The top-bar action for a run not segmented yet: one click starts the job; Cancel stops it. */
import type { SegmentRunState } from './useSegmentRun'

export function SegmentRunButton({ state }: { state: SegmentRunState }) {
  const { pending, jobId, error } = state
  if (pending === 0 && jobId == null && !error) return null
  return (
    <span className="segment-run">
      {jobId != null ? (
        <>
          <span className="muted">Segmenting…</span>
          <button className="link" onClick={state.cancel} data-testid="segment-run-cancel">
            Cancel
          </button>
        </>
      ) : (
        pending > 0 && (
          <button
            className="link"
            title={`${pending} samples hold prompts but no masks: segment them with the selected model`}
            onClick={state.start}
            data-testid="segment-run-button"
          >
            Segment this run ({pending})
          </button>
        )
      )}
      {error && (
        <span className="error" data-testid="segment-run-error">
          {error}
        </span>
      )}
    </span>
  )
}
