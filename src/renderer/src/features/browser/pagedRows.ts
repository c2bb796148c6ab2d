/**
 * The client's window onto the server-side sample order: fixed-size pages fetched on demand as rows
 * scroll into view, kept in a bounded cache. Pure bookkeeping (no React, no fetching).
 */
import type { SampleRow } from '../../../../shared/contract/samples'

export const PAGE_SIZE = 200
const MAX_PAGES = 64

export class PagedRows {
  private pages = new Map<number, SampleRow[]>()
  private requested = new Set<number>()

  constructor(readonly total: number) {}

  get(index: number): SampleRow | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** Pages covering [start, end] that are neither loaded nor already requested; marks them requested. */
  claimMissing(start: number, end: number): number[] {
    const out: number[] = []
    if (this.total === 0) return out
    const first = Math.max(0, Math.floor(start / PAGE_SIZE))
    const last = Math.min(
      Math.floor((this.total - 1) / PAGE_SIZE),
      Math.floor(Math.max(start, end) / PAGE_SIZE),
    )
    for (let p = first; p <= last; p++) {
      if (this.pages.has(p) || this.requested.has(p)) continue
      this.requested.add(p)
      out.push(p)
    }
    return out
  }

  setPage(page: number, rows: SampleRow[]): void {
    this.requested.delete(page)
    this.pages.delete(page)
    this.pages.set(page, rows)
    while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value as number)
  }

  failPage(page: number): void {
    this.requested.delete(page)
  }

  /** Whether the row of sample `id` is loaded. */
  has(id: number): boolean {
    for (const rows of this.pages.values()) if (rows.some((r) => r.id === id)) return true
    return false
  }

  /** Updates a loaded row in place (after tagging, noting or editing it). */
  patch(id: number, f: (row: SampleRow) => SampleRow): boolean {
    for (const rows of this.pages.values()) {
      const i = rows.findIndex((r) => r.id === id)
      if (i >= 0) {
        rows[i] = f(rows[i])
        return true
      }
    }
    return false
  }
}
