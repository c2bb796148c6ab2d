/**
 * "Segment this run": a run whose predictions hold prompts but no masks is segmented in place as a
 * background job (progress in the status bar). The hook follows that job through the job events and,
 * when it ends, lets the app refresh what showed "not segmented". It also warms the shown sample's image
 * embedding on every sample switch, so the first prompt edit costs only the decoder.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { Job } from '../../../../shared/contract/events'
import type { RunSummary } from '../../../../shared/contract/project'
import { useSettled } from '../../app/useSettled'

export interface SegmentRunState {
  /** Samples of the selected run still not segmented (0: nothing to offer). */
  pending: number
  /** The job segmenting the selected run, while it runs. */
  jobId: string | null
  error: string | null
  start(): void
  cancel(): void
}

export function useSegmentRun(
  api: ApiClient,
  run: RunSummary | null,
  onFinished: () => void,
): SegmentRunState {
  const runId = run?.id ?? null
  const [job, setJob] = useState<{ runId: number; id: string } | null>(null)
  // Kept with its run, so another run's failure is not shown.
  const [failure, setFailure] = useState<{ runId: number; message: string } | null>(null)
  // The latest callback, read when the job ends (the one of the click would see a stale shown sample).
  const finished = useRef(onFinished)
  useEffect(() => {
    finished.current = onFinished
  })

  // Any end (done, failed, cancelled) refreshes: a cancelled in-place job has saved its finished samples.
  useEffect(() => {
    if (job == null) return
    let live = true
    const ended = (j: Job) => {
      if (!live || j.id !== job.id || j.status === 'running') return
      live = false
      setJob(null)
      if (j.status === 'failed') setFailure({ runId: job.runId, message: j.message ?? 'segmentation failed' })
      finished.current()
    }
    const off = api.subscribe((ev) => ev.type === 'job' && ended(ev.job))
    // A short job may have ended before its id came back: its end event is then already gone.
    api.listJobs({}).then(
      (js) => js.forEach(ended),
      () => undefined,
    )
    return () => {
      live = false
      off()
    }
  }, [api, job])

  const start = useCallback(() => {
    if (runId == null) return
    setFailure(null)
    api.segmentRun({ runId }).then(
      (r) => setJob({ runId, id: r.jobId }),
      (e: Error) => setFailure({ runId, message: e.message }),
    )
  }, [api, runId])

  const cancel = useCallback(() => {
    if (job != null)
      api
        .cancelJob({ jobId: job.id })
        .catch((e: Error) => setFailure({ runId: job.runId, message: e.message }))
  }, [api, job])

  return {
    pending: run?.notSegmented ?? 0,
    jobId: job && job.runId === runId ? job.id : null,
    error: failure && failure.runId === runId ? failure.message : null,
    start,
    cancel,
  }
}

/**
 * Fire-and-forget embedding warm-up of the shown sample. A superseded one fails 'cancelled' (normal), and
 * any other failure is only a missed warm-up: the prompt edit that needs the embedding reports its own error.
 * (The transports keep only an error's message, not its code, so all are dropped alike.) Only a sample the
 * user stays on is warmed: one passed over while `j` is held would start an encode nobody waits for.
 */
export function usePrepareSample(api: ApiClient, runId: number | null, sampleId: number | null): void {
  const settled = useSettled(sampleId)
  useEffect(() => {
    if (runId == null || settled == null) return
    api.prepareSample({ runId, sampleId: settled }).catch(() => undefined)
  }, [api, runId, settled])
}
