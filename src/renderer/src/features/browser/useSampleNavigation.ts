/**
 * Where the user is in the sample list: the filter and sort that define the list, the index in it and the
 * sample at that index. When the query changes, the current sample stays selected if it is still listed.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { SampleFilter, SampleQuery, SortKey } from '../../../../shared/contract/samples'
import { useSampleList, type SampleList } from './useSampleList'

export interface Sort {
  key: SortKey
  dir: 'asc' | 'desc'
}

export interface SampleNavigation {
  list: SampleList
  total: number | null
  filter: SampleFilter
  setFilter(f: SampleFilter): void
  sort: Sort
  /** Sorts by a column; the same column again flips the direction. */
  sortBy(key: SortKey): void
  /** The (clamped) index of the current sample in the list. */
  at: number
  sampleId: number | null
  go(index: number): void
}

export function useSampleNavigation(
  api: ApiClient,
  scope: { ready: boolean; runId: number | null; compareRunId: number | null; datasetId: number | null },
): SampleNavigation {
  const [filter, setFilter] = useState<SampleFilter>({})
  const [sort, setSort] = useState<Sort>({ key: 'id', dir: 'asc' })
  const [index, setIndex] = useState(0)
  const { ready, runId, compareRunId } = scope
  // A dataset is listed by itself only while no run is selected (a run implies its dataset).
  const datasetId = runId == null ? scope.datasetId : null

  const query = useMemo<SampleQuery | null>(
    () => (ready ? { runId, compareRunId, datasetId, filter, sort } : null),
    [ready, runId, compareRunId, datasetId, filter, sort],
  )
  // When the query changes, stay on the current sample if it is still in the list (the list's first
  // request asks for the page around it and its index); else go to the top.
  const sampleIdRef = useRef<number | null>(null)
  const anchor = useMemo(
    () => ({ current: () => sampleIdRef.current, located: (i: number | null) => setIndex(i ?? 0) }),
    [],
  )
  const list = useSampleList(api, query, anchor)
  const total = list.total

  // Index → sample: the row at the (clamped) index once its page is loaded.
  const at = total == null || total === 0 ? 0 : Math.max(0, Math.min(index, total - 1))
  const row = total ? list.rowAt(at) : undefined
  const sampleId = row?.id ?? null
  useEffect(() => {
    if (total && !row) list.ensure(at, at)
  }, [list, total, row, at])

  useEffect(() => {
    if (sampleId != null) sampleIdRef.current = sampleId
  })

  const go = useCallback(
    (i: number) => {
      if (total == null || total === 0) return
      setIndex(Math.max(0, Math.min(total - 1, i)))
    },
    [total],
  )
  const sortBy = useCallback(
    (key: SortKey) =>
      setSort((s) => ({ key, dir: s.key === key ? (s.dir === 'asc' ? 'desc' : 'asc') : 'asc' })),
    [],
  )

  return { list, total, filter, setFilter, sort, sortBy, at, sampleId, go }
}
