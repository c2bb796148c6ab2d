/**
 * Background jobs (imports, embedding precompute, batch segmentation, batch re-asking): each runs with an
 * AbortSignal and reports progress as `job` events, so the UI status bar and `cancelJob` work the same for all.
 */
import crypto from 'node:crypto'
import type { ApiEvent, Job } from '../../shared/contract/events'

export interface JobControl {
  signal: AbortSignal
  progress(done: number, total?: number | null, message?: string | null): void
}

export class JobRunner {
  private readonly jobs = new Map<string, { job: Job; abort: AbortController; lastEmit: number }>()

  constructor(private readonly emit: (e: ApiEvent) => void) {}

  /** Starts `work` and returns its job id at once; the result is only observable through events. */
  start(label: string, work: (ctl: JobControl) => Promise<string | void>): string {
    const id = crypto.randomUUID()
    const abort = new AbortController()
    const entry = {
      job: { id, label, status: 'running', done: 0, total: null, message: null } as Job,
      abort,
      lastEmit: 0,
    }
    this.jobs.set(id, entry)
    this.publish(entry, true)
    const ctl: JobControl = {
      signal: abort.signal,
      progress: (done, total, message) => {
        entry.job = {
          ...entry.job,
          done,
          total: total ?? entry.job.total,
          message: message ?? entry.job.message,
        }
        this.publish(entry, false)
      },
    }
    work(ctl).then(
      (message) => this.finish(entry, abort.signal.aborted ? 'cancelled' : 'done', message ?? null),
      (err: unknown) =>
        this.finish(
          entry,
          abort.signal.aborted ? 'cancelled' : 'failed',
          err instanceof Error ? err.message : String(err),
        ),
    )
    return id
  }

  list(): Job[] {
    return [...this.jobs.values()].map((e) => e.job)
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id)
    if (!entry || entry.job.status !== 'running') return false
    entry.abort.abort()
    return true
  }

  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id)
  }

  private finish(
    entry: { job: Job; abort: AbortController; lastEmit: number },
    status: Job['status'],
    message: string | null,
  ) {
    entry.job = { ...entry.job, status, message }
    this.publish(entry, true)
  }

  /** Progress events are throttled to ~10/s so a fast loop cannot flood the transport. */
  private publish(entry: { job: Job; lastEmit: number }, force: boolean) {
    const now = Date.now()
    if (!force && now - entry.lastEmit < 100) return
    entry.lastEmit = now
    this.emit({ type: 'job', job: entry.job })
  }
}
