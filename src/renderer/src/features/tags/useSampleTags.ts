/** Tag toggles and saved notes of the current sample, written into the cached details and the list rows. */
import { useCallback, useRef } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { Tag } from '../../../../shared/contract/tags'
import type { SampleList } from '../browser/useSampleList'
import type { SampleDetails } from '../inspector/useSampleDetails'
import { KeyedLatestWins } from '../edit/latestWins'
import { withTag } from './tagState'

export interface SampleTags {
  toggleTag(tag: Tag): Promise<void>
  noteSaved(k: { runId: number; sampleId: number }, text: string): void
}

export function useSampleTags(
  api: ApiClient,
  scope: { runId: number | null; details: SampleDetails; list: SampleList },
): SampleTags {
  const { runId, details, list } = scope
  const { shown, detailKey, updateDetail, updateMatching } = details

  // A click shows the new state at once, so a second click before the reply asks for the opposite; the
  // server sets an explicit state and stale replies are dropped.
  const tagRequests = useRef(new KeyedLatestWins())
  const toggleTag = useCallback(
    async (tag: Tag) => {
      if (!shown || runId == null) return
      const key = detailKey
      const before = shown.tagIds
      const on = !before.includes(tag.id)
      const sid = shown.sample.id
      updateDetail(key, (d) => ({ ...d, tagIds: withTag(before, tag.id, on) }))
      const r = await tagRequests.current
        .for(key)
        .run(() => api.setSampleTag({ runId, sampleId: sid, tagId: tag.id, on }))
        .catch((e: unknown) => {
          updateDetail(key, (d) => ({ ...d, tagIds: before }))
          throw e
        })
      if (r.stale) return
      updateDetail(key, (d) => ({ ...d, tagIds: r.value.tagIds }))
      list.patch(sid, (row) => ({ ...row, tagIds: r.value.tagIds }))
    },
    [api, shown, runId, detailKey, list, updateDetail],
  )

  // The cached details keep the saved text too: coming back to the sample remounts the notes box with
  // the cached note, and a stale one would show the old text and be saved over the new one.
  const noteSaved = useCallback(
    (k: { runId: number; sampleId: number }, text: string) => {
      list.patch(k.sampleId, (r) => ({ ...r, hasNote: text.trim() !== '' }))
      updateMatching(`${k.sampleId}:${k.runId}:`, (d) => ({ ...d, note: text }))
    },
    [list, updateMatching],
  )

  return { toggleTag, noteSaved }
}
