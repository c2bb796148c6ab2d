/**
 * The sample list as React state: total count for the current query, rows fetched page by page as they
 * are needed, and a version number that bumps when pages arrive. A new query starts a new generation, so
 * pages of an older query that arrive late are dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { SampleQuery, SampleRow } from '../../../../shared/contract/samples'
import { PAGE_SIZE, PagedRows } from './pagedRows'

export interface SampleList {
  total: number | null
  version: number
  rowAt(index: number): SampleRow | undefined
  ensure(start: number, end: number): void
  /** Resolves the row at an index, fetching its page if needed. */
  fetchRow(index: number): Promise<SampleRow | undefined>
  /** Whether the row of sample `id` is loaded (a patch would reach it). */
  has(id: number): boolean
  patch(id: number, f: (r: SampleRow) => SampleRow): void
  /** Fetches the same query again (its rows changed on the backend, e.g. a run was segmented). */
  reload(): void
  error: string | null
  /** Milliseconds the last query took to return its first page (for the status bar / benchmark). */
  lastQueryMs: number | null
  /** The query (as JSON) whose rows are shown; lags the requested one until its first page arrives. */
  readyKey: string | null
}

export interface ListAnchor {
  /** The sample to keep in view when the query changes (null: none yet). */
  current(): number | null
  /** Its index in the new list (null when the new filter excludes it), in the same render as the list. */
  located(index: number | null): void
}

export function useSampleList(api: ApiClient, query: SampleQuery | null, anchor?: ListAnchor): SampleList {
  const [state, setState] = useState<{
    total: number | null
    version: number
    error: string | null
    ms: number | null
    key: string | null
  }>({ total: null, version: 0, error: null, ms: null, key: null })
  const rows = useRef<PagedRows>(new PagedRows(0))
  const gen = useRef(0)
  const queryRef = useRef(query)
  const waiters = useRef(new Map<number, (() => void)[]>())
  const [reloads, setReloads] = useState(0)
  const anchorRef = useRef(anchor)
  anchorRef.current = anchor

  const loadPage = useCallback(
    async (page: number, g: number) => {
      const q = queryRef.current
      if (!q) return
      try {
        const r = await api.listSamples({ ...q, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        if (g !== gen.current) return
        rows.current.setPage(page, r.rows)
        setState((s) => ({ ...s, version: s.version + 1 }))
        for (const w of waiters.current.get(page) ?? []) w()
        waiters.current.delete(page)
      } catch (err) {
        if (g !== gen.current) return
        rows.current.failPage(page)
        setState((s) => ({ ...s, error: (err as Error).message }))
      }
    },
    [api],
  )

  const key = JSON.stringify(query)
  useEffect(() => {
    queryRef.current = query
    const g = ++gen.current
    waiters.current.clear()
    if (!query) return
    const t0 = performance.now()
    // The first page is the one holding the current sample, with its index: one round trip, and the
    // list, the index and the sample change together (no flash of another sample at the old index).
    const around = anchorRef.current?.current() ?? null
    api
      .listSamples({ ...query, offset: 0, limit: PAGE_SIZE, ...(around != null ? { around } : {}) })
      .then((r) => {
        if (g !== gen.current) return
        const pr = new PagedRows(r.total)
        pr.setPage(r.offset / PAGE_SIZE, r.rows)
        rows.current = pr
        if (around != null) anchorRef.current?.located(r.index ?? null)
        setState((s) => ({
          total: r.total,
          version: s.version + 1,
          error: null,
          ms: performance.now() - t0,
          key,
        }))
      })
      .catch((err: Error) => {
        if (g === gen.current) setState((s) => ({ ...s, error: err.message }))
      })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, reloads])

  const ensure = useCallback(
    (start: number, end: number) => {
      for (const p of rows.current.claimMissing(start, end)) void loadPage(p, gen.current)
    },
    [loadPage],
  )

  const fetchRow = useCallback(
    (index: number): Promise<SampleRow | undefined> => {
      const have = rows.current.get(index)
      if (have || index < 0 || index >= rows.current.total) return Promise.resolve(have)
      const page = Math.floor(index / PAGE_SIZE)
      return new Promise((resolve) => {
        const list = waiters.current.get(page) ?? []
        list.push(() => resolve(rows.current.get(index)))
        waiters.current.set(page, list)
        ensure(index, index)
      })
    },
    [ensure],
  )

  return {
    total: state.total,
    version: state.version,
    rowAt: (i) => rows.current.get(i),
    ensure,
    fetchRow,
    has: (id) => rows.current.has(id),
    patch: (id, f) => {
      if (rows.current.patch(id, f)) setState((s) => ({ ...s, version: s.version + 1 }))
    },
    reload: () => setReloads((n) => n + 1),
    error: state.error,
    lastQueryMs: state.ms,
    readyKey: state.key,
  }
}
