/**
 * The browser's source picker: one folder of the backend's machine at a time, confined (by the backend) to
 * the import root. A file is picked by clicking it; a folder (a dataset layout, an evaluation folder) with
 * "Use this folder".
 */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { MethodOutput } from '../../../../shared/contract/index'

type Listing = MethodOutput<'browseFolder'>

const HINT_LABEL: Record<string, string> = {
  'hf-parquet': 'parquet',
  lisa: 'LISA',
  folder: 'queries.jsonl',
  'run-jsonl': 'run JSONL',
  'run-eval': 'eval output',
  json: 'JSON',
  image: 'image',
}

function size(bytes: number | null): string {
  if (bytes == null) return ''
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`
}

export function FolderBrowser(props: { api: ApiClient; selected: string; onPick(path: string): void }) {
  const { api, selected, onPick } = props
  const [at, setAt] = useState<string | undefined>(undefined)
  const [listing, setListing] = useState<Listing | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    api.browseFolder(at === undefined ? {} : { path: at }).then(
      (l) => {
        if (!live) return
        setListing(l)
        setError(null)
      },
      (e: Error) => live && setError(e.message),
    )
    return () => {
      live = false
    }
  }, [api, at])

  return (
    <div className="folder-browser" data-testid="folder-browser">
      <div className="folder-head">
        <button
          type="button"
          className="link"
          disabled={!listing?.parent}
          onClick={() => listing?.parent && setAt(listing.parent)}
          data-testid="folder-up"
          title="Up one folder"
        >
          ↑ up
        </button>
        <code className="folder-path" data-testid="folder-path">
          {listing?.path ?? '…'}
        </code>
        <button
          type="button"
          className="link"
          disabled={!listing}
          onClick={() => listing && onPick(listing.path)}
          data-testid="folder-use"
        >
          Use this folder
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      <ul className="folder-entries">
        {listing?.entries.map((e) => (
          <li key={e.name} className={e.path === selected ? 'selected' : undefined}>
            <button
              type="button"
              className="folder-entry"
              data-testid="folder-entry"
              data-name={e.name}
              onClick={() => (e.kind === 'dir' ? setAt(e.path) : onPick(e.path))}
              onDoubleClick={() => e.kind === 'dir' && onPick(e.path)}
              title={e.kind === 'dir' ? 'Open (double-click: use this folder)' : 'Use this file'}
            >
              <EntryIcon dir={e.kind === 'dir'} />
              <span className="name">{e.name}</span>
              {e.hint && <span className="hint">{HINT_LABEL[e.hint] ?? e.hint}</span>}
              <span className="size">{size(e.size)}</span>
            </button>
          </li>
        ))}
        {listing && listing.entries.length === 0 && <li className="muted">(empty folder)</li>}
        {listing?.truncated && <li className="muted">… more entries than shown</li>}
      </ul>
    </div>
  )
}

/** Drawn, not an emoji: a machine without an emoji font (headless Chromium, many Linux desktops) shows boxes. */
function EntryIcon({ dir }: { dir: boolean }) {
  return (
    <svg className="folder-icon" viewBox="0 0 14 12" aria-hidden="true">
      {dir ? (
        <path d="M1 2.5h4l1.5 1.5H13v7H1z" fill="currentColor" opacity="0.7" />
      ) : (
        <path d="M3 0.5h5.5L11 3v8.5H3z" fill="none" stroke="currentColor" strokeWidth="1" />
      )}
    </svg>
  )
}
