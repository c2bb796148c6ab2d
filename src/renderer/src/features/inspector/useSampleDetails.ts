/**
 * Sample details by `${sampleId}:${runId}:${compareRunId}`: the current sample's, its prefetched neighbours'
 * and recently seen ones (at most 24). Edits, tags and notes update the entry they belong to, so coming back
 * to a sample shows what was saved.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { SampleDetail } from '../../../../shared/contract/samples'
import { loadImage } from '../../app/useImage'
import { OVERLAY_COLORS } from '../canvas/SampleCanvas'
import { hexToRgb } from '../canvas/maskRaster'
import { warmOverlays } from '../canvas/overlayCache'
import type { SampleNavigation } from '../browser/useSampleNavigation'
import { useRetryableLoad, type RetryableLoad } from '../loadError/useRetryableLoad'

export interface SampleDetails {
  /** Key of the current sample's detail (also for one not loaded yet). */
  detailKey: string
  shown: SampleDetail | null
  /** Changes a cached detail (nothing when it is not cached). */
  updateDetail(key: string, f: (d: SampleDetail) => SampleDetail): void
  /** Changes every cached detail of a sample whose key starts with `prefix`. */
  updateMatching(prefix: string, f: (d: SampleDetail) => SampleDetail): void
  /** Drops every cached detail of a sample, so it is fetched again when shown. */
  invalidateSample(sampleId: number): void
  /** Drops every cached detail except those of sample `keep` (a whole run changed, e.g. it was segmented). */
  invalidateOthers(keep: number | null): void
  /**
   * Fetches the cached details of a sample again and swaps them in when they arrive (the sample stays on
   * screen meanwhile); resolves with the first one, if any was cached.
   */
  refreshSample(sampleId: number): Promise<SampleDetail | null>
  /** The current sample's load: its failure (shown with a retry button instead of "Loading…" forever). */
  load: RetryableLoad
}

const CACHE = 24

export const detailKeyOf = (sampleId: number | null, runId: number | null, compareRunId: number | null) =>
  `${sampleId}:${runId}:${compareRunId}`

export function useSampleDetails(
  api: ApiClient,
  nav: SampleNavigation,
  scope: { runId: number | null; compareRunId: number | null },
): SampleDetails {
  const { runId, compareRunId } = scope
  const { sampleId, list, at, total } = nav
  const [details, setDetails] = useState<Map<string, SampleDetail>>(() => new Map())
  const detailKey = detailKeyOf(sampleId, runId, compareRunId)
  const shown = sampleId == null ? null : (details.get(detailKey) ?? null)

  const storeDetail = useCallback((key: string, d: SampleDetail) => {
    setDetails((m) => {
      const n = new Map(m)
      n.delete(key)
      n.set(key, d)
      while (n.size > CACHE) n.delete(n.keys().next().value as string)
      return n
    })
  }, [])
  const updateDetail = useCallback((key: string, f: (d: SampleDetail) => SampleDetail) => {
    setDetails((m) => {
      const d = m.get(key)
      if (!d) return m
      const n = new Map(m)
      n.set(key, f(d))
      return n
    })
  }, [])
  const updateMatching = useCallback((prefix: string, f: (d: SampleDetail) => SampleDetail) => {
    setDetails((m) => {
      const n = new Map(m)
      for (const [key, d] of m) if (key.startsWith(prefix)) n.set(key, f(d))
      return n
    })
  }, [])
  const invalidateSample = useCallback((sid: number) => {
    setDetails((m) => {
      const n = new Map(m)
      for (const key of m.keys()) if (key.startsWith(`${sid}:`)) n.delete(key)
      return n
    })
  }, [])

  const invalidateOthers = useCallback((keep: number | null) => {
    setDetails((m) => {
      const n = new Map(m)
      for (const key of m.keys()) if (!key.startsWith(`${keep}:`)) n.delete(key)
      return n
    })
  }, [])

  const detailsRef = useRef(details)
  useEffect(() => {
    detailsRef.current = details
  })
  const refreshSample = useCallback(
    async (sid: number) => {
      const keys = [...detailsRef.current.keys()].filter((k) => k.startsWith(`${sid}:`))
      const fresh = await Promise.all(
        keys.map(async (key) => {
          const [, run, compare] = key.split(':')
          const num = (v: string) => (v === 'null' ? null : Number(v))
          const d = await api.getSampleDetail({ sampleId: sid, runId: num(run), compareRunId: num(compare) })
          updateDetail(key, () => d)
          return d
        }),
      )
      return fresh[0] ?? null
    },
    [api, updateDetail],
  )

  const hasDetail = details.has(detailKey)
  const load = useRetryableLoad(detailKey, sampleId != null && !hasDetail, () =>
    api.getSampleDetail({ sampleId: sampleId!, runId, compareRunId }).then((d) => storeDetail(detailKey, d)),
  )

  // Neighbours in the list are fetched (detail and decoded image, masks decoded and rasterised when the
  // browser is idle) while the user looks at this sample, so j/k switches without waiting for the
  // backend or the decoders.
  const shownId = shown?.sample.id
  useEffect(() => {
    if (shownId == null || total == null) return
    for (const i of [at + 1, at - 1, at + 2]) {
      if (i < 0 || i >= total) continue
      void list.fetchRow(i).then((r) => {
        if (!r) return
        const key = detailKeyOf(r.id, runId, compareRunId)
        if (details.has(key)) return
        void api.getSampleDetail({ sampleId: r.id, runId, compareRunId }).then(
          (d) => {
            storeDetail(key, d)
            void loadImage(api.mediaUrl(d.sample.mediaHash)).catch(() => undefined)
            warmOverlays([
              { mask: d.sample.gt, color: hexToRgb(OVERLAY_COLORS.gt) },
              { mask: d.currentEdit?.mask, color: hexToRgb(OVERLAY_COLORS.live) },
              { mask: d.prediction?.mask, color: hexToRgb(OVERLAY_COLORS.pred) },
              { mask: d.comparePrediction?.mask, color: hexToRgb(OVERLAY_COLORS.compare) },
            ])
          },
          () => undefined,
        )
      })
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, shownId, at, total, runId, compareRunId])

  return {
    detailKey,
    shown,
    updateDetail,
    updateMatching,
    invalidateSample,
    invalidateOthers,
    refreshSample,
    load,
  }
}
