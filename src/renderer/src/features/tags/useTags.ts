/** The project's failure tags (listed once, and again after one is saved or deleted). */
import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { Tag } from '../../../../shared/contract/tags'

export interface TagsState {
  tags: Tag[]
  saveTag(tag: Parameters<ApiClient['saveTag']>[0]): Promise<void>
  deleteTag(id: number): Promise<void>
  /** Takes a taxonomy another feature already fetched (the review queue adds tags it accepts). */
  setTags(tags: Tag[]): void
}

export function useTags(api: ApiClient): TagsState {
  const [tags, setTags] = useState<Tag[]>([])
  useEffect(() => {
    api.listTags({}).then(setTags, () => undefined)
  }, [api])
  const saveTag = useCallback(
    async (t: Parameters<ApiClient['saveTag']>[0]) => {
      await api.saveTag(t)
      setTags(await api.listTags({}))
    },
    [api],
  )
  const deleteTag = useCallback(
    async (id: number) => {
      await api.deleteTag({ id })
      setTags(await api.listTags({}))
    },
    [api],
  )
  return { tags, saveTag, deleteTag, setTags }
}
