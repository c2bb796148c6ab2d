/**
 * Live sync for a served project: other people's writes arrive as `changed` events; the sample on screen
 * is fetched again (and its list row patched) at once; another sample's loaded list row is fetched again and
 * its cached details dropped, so it opens fresh. Our own writes are already applied locally and are skipped.
 */
import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'

export interface LiveSyncTarget {
  runId: number | null
  sampleId: number | null
  /** Fetches the shown sample again and stores the result. */
  refetchShown(): Promise<void>
  /** Another sample of this run changed: forget its cached details, refresh its list row if loaded. */
  otherSample(sampleId: number): void
}

export function useLiveSync(
  api: ApiClient,
  target: LiveSyncTarget,
): { me: string | null; rev: number; lastRemote: string | null } {
  const [me, setMe] = useState<string | null>(null)
  // Bumped when someone else changed the shown sample: keys views that must start again from the server.
  const [rev, setRev] = useState(0)
  const [lastRemote, setLastRemote] = useState<string | null>(null)
  const ref = useRef(target)
  useEffect(() => {
    ref.current = target
  })
  useEffect(() => {
    let live = true
    api.whoAmI({}).then(
      (w) => live && setMe(w.user),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [api])
  useEffect(() => {
    if (me == null) return
    return api.subscribe((ev) => {
      if (ev.type !== 'changed') return
      const t = ref.current
      // Being overwritten is the news worth keeping: the plain "who did what" must not replace it.
      const overwroteMe = ev.overwrote?.user === me
      const notice = overwroteMe
        ? `${ev.user} replaced your note (your text is in the history)`
        : `${ev.user}: ${ev.method}`
      if (overwroteMe) setLastRemote(notice)
      if (ev.user === me) return
      if (ev.runId != null && ev.runId !== t.runId) return
      if (ev.sampleId != null && ev.sampleId === t.sampleId) {
        // The bump comes after the fresh detail is stored, so views keyed by it start from the new data.
        void t.refetchShown().then(() => {
          setRev((r) => r + 1)
          setLastRemote(notice)
        })
      } else if (ev.sampleId != null) t.otherSample(ev.sampleId)
    })
  }, [api, me])
  return { me, rev, lastRemote }
}
