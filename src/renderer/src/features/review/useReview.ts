/**
 * State of the review mode: the run's queue of unconfirmed failures (from the backend, which remembers
 * every review, so the queue resumes where the user left off), the shown item's sample detail, and the
 * actions. An action moves on at once (the next item is already in the local queue, its detail and image
 * prefetched) and the backend's answer then replaces the queue; actions are sent in order, one at a time.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { SampleDetail } from '../../../../shared/contract/samples'
import type { ReviewQueueDto, SuggestThresholdsDto } from '../../../../shared/contract/suggest'
import type { Tag } from '../../../../shared/contract/tags'
import { loadImage } from '../../app/useImage'
import { decodeMask } from '../canvas/overlayCache'
import { gtBoxOutlines } from './evidenceLayer'

export type ReviewOrder = 'worst' | 'tag'

/** A queued sample ready to draw: its detail and its masks decoded when it arrived, not when shown. */
export interface PreparedSample {
  detail: SampleDetail
  gt: Uint8Array
  /** The mask the rules read: the current prompt edit's, else the run's. */
  pred: Uint8Array | null
  /** Outlines of the GT pieces' boxes (the canvas's comparison layer). */
  boxes: Uint8Array
}

function prepare(d: SampleDetail): PreparedSample {
  const mask = d.currentEdit?.mask ?? d.prediction?.mask ?? null
  return {
    detail: d,
    gt: decodeMask(d.sample.gt),
    pred: decodeMask(mask),
    boxes: gtBoxOutlines(d.sample.gt),
  }
}

export type ReviewCommand =
  { kind: 'accept' } | { kind: 'pick'; tagId: number } | { kind: 'skip' } | { kind: 'undo' }

const LIMIT = 20

export interface ReviewState {
  queue: ReviewQueueDto | null
  order: ReviewOrder
  setOrder(o: ReviewOrder): void
  tags: Tag[]
  thresholds: SuggestThresholdsDto | null
  shown: PreparedSample | null
  error: string | null
  /** The last action, for the status line ("accepted 'wrong object' on #12"). */
  last: string | null
  run(cmd: ReviewCommand): void
  /** Replaces the project's threshold overrides ({} = defaults); the proposals and the queue follow. */
  setOverrides(overrides: Record<string, number>): void
}

/** The local queue right after an action, before the backend answers. */
export function optimistic(q: ReviewQueueDto, cmd: ReviewCommand): ReviewQueueDto {
  const [head, ...rest] = q.items
  if (!head || cmd.kind === 'undo') return q
  const wasSkipped = head.review?.state === 'skipped'
  const p = { ...q.progress }
  if (cmd.kind === 'skip') {
    if (!wasSkipped) p.skipped++
    p.pending = p.failures - p.confirmed - p.skipped
    const skipped = {
      ...head,
      review: {
        state: 'skipped' as const,
        tagId: null,
        tagName: null,
        proposedTag: head.tag,
        reviewedBy: null,
        reviewedAt: new Date().toISOString(),
      },
    }
    return { progress: p, items: [...rest, skipped] }
  }
  p.confirmed++
  if (wasSkipped) p.skipped--
  p.pending = p.failures - p.confirmed - p.skipped
  return { progress: p, items: rest }
}

export interface ReviewCallbacks {
  /** The taxonomy changed (accepting a proposed tag it lacked adds it). */
  onTagsChanged?(tags: Tag[]): void
  /** A review changed a sample's tags (tag ids after it), for the inspector's cached copy. */
  onSampleTags?(sampleId: number, tagIds: number[]): void
}

export function useReview(api: ApiClient, runId: number, callbacks: ReviewCallbacks = {}): ReviewState {
  const { onTagsChanged, onSampleTags } = callbacks
  const [queue, setQueue] = useState<ReviewQueueDto | null>(null)
  const [order, setOrder] = useState<ReviewOrder>('worst')
  const [tags, setTags] = useState<Tag[]>([])
  const [thresholds, setThresholds] = useState<SuggestThresholdsDto | null>(null)
  const [details, setDetails] = useState<Map<number, PreparedSample>>(() => new Map())
  const [error, setError] = useState<string | null>(null)
  const [last, setLast] = useState<string | null>(null)
  const [reloads, setReloads] = useState(0)
  const chain = useRef<Promise<unknown>>(Promise.resolve())
  const seq = useRef(0)
  const queueRef = useRef<ReviewQueueDto | null>(null)
  useEffect(() => {
    queueRef.current = queue
  })

  // Opening the run brings its proposals up to date (only changed evidence is recomputed), then the queue.
  // The view is keyed by run, so another run starts from a fresh state.
  useEffect(() => {
    let live = true
    const s = ++seq.current
    void (async () => {
      try {
        await api.openTagProposals({ runId })
        const [q, t, th] = await Promise.all([
          api.getReviewQueue({ runId, order, limit: LIMIT }),
          api.listTags({}),
          api.getSuggestThresholds({}),
        ])
        if (!live || s !== seq.current) return
        setQueue(q)
        setTags(t)
        setThresholds(th)
      } catch (e) {
        if (live) setError((e as Error).message)
      }
    })()
    return () => {
      live = false
    }
  }, [api, runId, order, reloads])

  // The shown item and the next few: details and images fetched ahead.
  const ids = (queue?.items ?? []).slice(0, 4).map((i) => i.sampleId)
  const idsKey = ids.join(',')
  useEffect(() => {
    for (const id of ids) {
      if (details.has(id)) continue
      void api.getSampleDetail({ sampleId: id, runId, compareRunId: null }).then(
        (d) => {
          const ready = prepare(d)
          setDetails((m) => {
            const n = new Map(m)
            n.set(id, ready)
            while (n.size > 40) n.delete(n.keys().next().value as number)
            return n
          })
          void loadImage(api.mediaUrl(d.sample.mediaHash)).catch(() => undefined)
        },
        (e: Error) => setError(e.message),
      )
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, runId, idsKey])

  const run = useCallback(
    (cmd: ReviewCommand) => {
      const q = queueRef.current
      const head = q?.items[0]
      if (!q || (!head && cmd.kind !== 'undo')) return
      if (cmd.kind === 'accept' && !head?.tag) {
        setError('No rule fired for this sample: pick a tag with 1–9, or skip it with Backspace.')
        return
      }
      setError(null)
      const next = optimistic(q, cmd)
      setQueue(next)
      queueRef.current = next
      const s = ++seq.current
      const tagName = (id: number) => tags.find((t) => t.id === id)?.name ?? `tag ${id}`
      chain.current = chain.current
        .catch(() => undefined)
        .then(async () => {
          let result: ReviewQueueDto
          if (cmd.kind === 'undo') {
            const u = await api.undoTagReview({ runId, order, limit: LIMIT })
            result = u.queue
            if (u.sampleId != null) onSampleTags?.(u.sampleId, u.tagIds)
            setLast(u.sampleId == null ? 'nothing to undo' : `undid the review of #${u.sampleId}`)
          } else {
            const sampleId = (head as { sampleId: number }).sampleId
            const { tagIds, ...queueAfter } = await api.reviewTagProposal({
              runId,
              order,
              limit: LIMIT,
              sampleId,
              action: cmd.kind,
              tagId: cmd.kind === 'pick' ? cmd.tagId : undefined,
            })
            result = queueAfter
            onSampleTags?.(sampleId, tagIds)
            setLast(
              cmd.kind === 'skip'
                ? `skipped #${sampleId}`
                : `confirmed '${cmd.kind === 'pick' ? tagName(cmd.tagId) : (head?.tag ?? '')}' on #${sampleId}`,
            )
            // Accepting may have added a proposed tag the taxonomy lacked.
            if (cmd.kind === 'accept' && head?.tag && !tags.some((t) => t.name === head.tag)) {
              const t = await api.listTags({})
              setTags(t)
              onTagsChanged?.(t)
            }
          }
          // Only the answer to the newest action replaces the queue; older ones are already overtaken.
          if (s === seq.current) {
            setQueue(result)
            queueRef.current = result
          }
        })
        .catch((e: Error) => {
          setError(e.message)
          void api.getReviewQueue({ runId, order, limit: LIMIT }).then((r) => {
            setQueue(r)
            queueRef.current = r
          })
        })
    },
    [api, runId, order, tags, onTagsChanged, onSampleTags],
  )

  const setOverrides = useCallback(
    (overrides: Record<string, number>) => {
      api.setSuggestThresholds({ overrides }).then(
        (t) => {
          setThresholds(t)
          setReloads((n) => n + 1)
        },
        (e: Error) => setError(e.message),
      )
    },
    [api],
  )

  const head = queue?.items[0]
  return {
    queue,
    order,
    setOrder,
    tags,
    thresholds,
    shown: head ? (details.get(head.sampleId) ?? null) : null,
    error,
    last,
    run,
    setOverrides,
  }
}
