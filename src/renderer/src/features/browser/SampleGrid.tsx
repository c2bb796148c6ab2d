/**
 * The thumbnail grid: rows of fixed-size cells, virtualized like the list; thumbnails for the visible
 * cells are requested in one batch and remembered per (run, sample) for the session.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { fmtIou, iouClass } from './SampleList'
import type { SampleList } from './useSampleList'

const CELL = 150
/** Per `${runId}:${sampleId}`: the thumbnail's media hash and whether it shows a prompt edit (badge). */
const thumbCache = new Map<string, { hash: string; edited: boolean }>()

interface Props {
  api: ApiClient
  list: SampleList
  runId: number | null
  selected: number
  onSelect(index: number): void
}

export function SampleGrid({ api, list, runId, selected, onSelect }: Props) {
  const parentRef = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(300)
  const [, setThumbVersion] = useState(0)
  useEffect(() => {
    const el = parentRef.current
    if (!el) return
    const ro = new ResizeObserver(() => setWidth(el.clientWidth))
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  const cols = Math.max(1, Math.floor(width / CELL))
  const total = list.total ?? 0
  const rows = Math.ceil(total / cols)
  const virt = useVirtualizer({
    count: rows,
    getScrollElement: () => parentRef.current,
    estimateSize: () => CELL,
    overscan: 2,
  })
  const items = virt.getVirtualItems()
  const first = (items[0]?.index ?? 0) * cols
  const last = ((items[items.length - 1]?.index ?? 0) + 1) * cols - 1
  useEffect(() => list.ensure(first, last), [list, first, last, list.version])

  useEffect(() => {
    if (selected >= 0) virt.scrollToIndex(Math.floor(selected / cols), { align: 'auto' })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, cols])

  // Ask for the thumbnails of the visible cells that are not cached yet.
  useEffect(() => {
    const want: number[] = []
    for (let i = first; i <= Math.min(last, total - 1); i++) {
      const r = list.rowAt(i)
      if (r && !thumbCache.has(`${runId}:${r.id}`)) want.push(r.id)
    }
    if (want.length === 0) return
    let live = true
    api.getThumbnails({ runId, sampleIds: want.slice(0, 200) }).then(
      (res) => {
        for (const t of res.items)
          thumbCache.set(`${runId}:${t.sampleId}`, { hash: t.hash, edited: t.edited })
        if (live) setThumbVersion((v) => v + 1)
      },
      () => undefined,
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, runId, first, last, total, list.version])

  return (
    <div ref={parentRef} className="sample-grid" data-testid="sample-grid">
      <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
        {items.map((it) => (
          <div
            key={it.key}
            className="grid-row"
            style={{ transform: `translateY(${it.start}px)`, height: CELL }}
          >
            {Array.from({ length: cols }, (_, c) => {
              const i = it.index * cols + c
              if (i >= total) return null
              const r = list.rowAt(i)
              const thumb = r ? thumbCache.get(`${runId}:${r.id}`) : undefined
              return (
                <button
                  key={c}
                  className={`grid-cell${i === selected ? ' selected' : ''}`}
                  style={{ width: CELL - 6, height: CELL - 6 }}
                  onClick={() => onSelect(i)}
                  title={r?.query}
                  data-testid="grid-cell"
                  data-sample-id={r?.id}
                >
                  {thumb ? (
                    <img src={api.mediaUrl(thumb.hash)} alt="" draggable={false} />
                  ) : (
                    <span className="thumb-placeholder" />
                  )}
                  {thumb?.edited && (
                    <span
                      className="grid-badge"
                      title="shows the latest prompt edit"
                      data-testid="edited-badge"
                    >
                      edited
                    </span>
                  )}
                  {r && (
                    <span className={`grid-iou ${r.notSegmented ? 'not-segmented' : iouClass(r.iou)}`}>
                      {r.missing ? 'missing' : r.notSegmented ? 'n/s' : fmtIou(r.iou)}
                    </span>
                  )}
                </button>
              )
            })}
          </div>
        ))}
      </div>
    </div>
  )
}
