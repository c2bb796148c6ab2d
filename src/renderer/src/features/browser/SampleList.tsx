/**
 * The virtualized sample list: fixed-height rows, only the visible ones rendered, pages requested from
 * the backend as they scroll into view. Column headers sort; the selected row is kept in view.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef } from 'react'
import type { SortKey } from '../../../../shared/contract/samples'
import type { Tag } from '../../../../shared/contract/tags'
import type { SampleList as List } from './useSampleList'

export const ROW_HEIGHT = 30

interface Props {
  list: List
  selected: number
  onSelect(index: number): void
  sort: { key: SortKey; dir: 'asc' | 'desc' }
  onSort(key: SortKey): void
  tags: Tag[]
  compare: boolean
}

const COLUMNS: { key: SortKey; label: string; cls: string; title: string }[] = [
  { key: 'id', label: '#', cls: 'c-id', title: 'Sample id' },
  { key: 'query', label: 'Query', cls: 'c-query', title: 'Query text' },
  { key: 'iou', label: 'IoU', cls: 'c-num', title: 'IoU of the selected run' },
  { key: 'deltaIou', label: 'ΔIoU', cls: 'c-num', title: 'IoU minus the comparison run’s IoU' },
  { key: 'tags', label: 'Tags', cls: 'c-tags', title: 'Failure tags (sort by count)' },
]

export function fmtIou(v: number | null): string {
  return v == null ? '—' : v.toFixed(3)
}

export function SampleList({ list, selected, onSelect, sort, onSort, tags, compare }: Props) {
  const parentRef = useRef<HTMLDivElement>(null)
  const total = list.total ?? 0
  const virt = useVirtualizer({
    count: total,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  })
  const items = virt.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items[items.length - 1]?.index ?? 0
  useEffect(() => list.ensure(first, last), [list, first, last, list.version])

  useEffect(() => {
    if (selected < 0 || selected >= total) return
    // Rows have one fixed height, so whether the row is in view follows from the virtualizer's last known
    // offset and viewport: no layout read and no scroll when `j` moves within the visible rows.
    const top = selected * ROW_HEIGHT
    const offset = virt.scrollOffset ?? 0
    const height = virt.scrollRect?.height ?? 0
    if (height > 0 && top >= offset && top + ROW_HEIGHT <= offset + height) return
    virt.scrollToIndex(selected, { align: 'auto' })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, total])

  const tagById = new Map(tags.map((t) => [t.id, t]))
  const cols = COLUMNS.filter((c) => compare || c.key !== 'deltaIou')

  return (
    <div className="sample-list">
      <div className={`list-head${compare ? ' with-delta' : ''}`} role="row">
        {cols.map((c) => (
          <button
            key={c.key}
            className={`${c.cls}${sort.key === c.key ? ' sorted' : ''}`}
            title={`${c.title} — click to sort`}
            onClick={() => onSort(c.key)}
            data-testid={`sort-${c.key}`}
          >
            {c.label}
            {sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
          </button>
        ))}
      </div>
      <div
        ref={parentRef}
        className="list-body"
        data-testid="sample-list"
        data-total={total}
        data-query={list.readyKey ?? ''}
      >
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {items.map((it) => {
            const row = list.rowAt(it.index)
            return (
              <div
                key={it.key}
                className={`list-row${compare ? ' with-delta' : ''}${it.index === selected ? ' selected' : ''}`}
                style={{ transform: `translateY(${it.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(it.index)}
                data-testid="row"
                data-index={it.index}
                data-sample-id={row?.id}
              >
                {row ? (
                  <>
                    <span className="c-id">{row.id}</span>
                    <span className="c-query" title={row.query}>
                      {row.query}
                    </span>
                    <span className={`c-num iou ${iouClass(row.iou)}`}>
                      {row.missing ? (
                        <em className="flag">missing</em>
                      ) : row.parseError ? (
                        <em className="flag err">parse</em>
                      ) : row.notSegmented ? (
                        <em className="flag not-segmented" title="prompts but no mask yet: segment this run">
                          not segmented
                        </em>
                      ) : (
                        fmtIou(row.iou)
                      )}
                    </span>
                    {compare && (
                      <span
                        className={`c-num ${row.deltaIou == null ? '' : row.deltaIou >= 0 ? 'up' : 'down'}`}
                      >
                        {row.deltaIou == null
                          ? '—'
                          : `${row.deltaIou >= 0 ? '+' : ''}${row.deltaIou.toFixed(3)}`}
                      </span>
                    )}
                    <span className="c-tags">
                      {row.tagIds.map((id) => (
                        <i
                          key={id}
                          className="tag-dot"
                          style={{ background: tagById.get(id)?.color }}
                          title={tagById.get(id)?.name}
                        />
                      ))}
                      {row.edited && (
                        <i className="mark" title="prompts edited">
                          ✎
                        </i>
                      )}
                      {row.hasNote && (
                        <i className="mark" title="has a note">
                          ¶
                        </i>
                      )}
                    </span>
                  </>
                ) : (
                  <span className="c-query loading">…</span>
                )}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

export function iouClass(v: number | null): string {
  if (v == null) return ''
  return v >= 0.75 ? 'good' : v >= 0.4 ? 'fair' : 'poor'
}
