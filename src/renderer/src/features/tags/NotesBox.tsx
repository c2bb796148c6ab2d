/**
 * The note on the current sample. Saves itself: after a pause in typing, on blur, when the sample
 * changes (the box is keyed by sample, so leaving it unmounts and flushes) and when the page is hidden
 * or unloaded — there is no save button and nothing to lose.
 */
import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { DebouncedSaver } from './debounce'

interface Key {
  runId: number
  sampleId: number
}

type SaveState = 'saved' | 'dirty' | 'saving' | 'error'

export function NotesBox({
  api,
  runId,
  sampleId,
  initial,
  onSaved,
}: {
  api: ApiClient
  runId: number
  sampleId: number
  initial: string
  onSaved(key: Key, text: string): void
}) {
  const [text, setText] = useState(initial)
  const [state, setState] = useState<SaveState>('saved')
  const saver = useRef<DebouncedSaver<Key> | null>(null)
  // The version this box started from (lab server): a save based on an older one tells whom it overwrote.
  const basedOn = useRef<string | null | undefined>(undefined)
  const onSavedRef = useRef(onSaved)
  useEffect(() => {
    onSavedRef.current = onSaved
  })

  useEffect(() => {
    const s = new DebouncedSaver<Key>(
      async (k, v) => {
        setState('saving')
        try {
          const r = await api.saveNote({
            runId: k.runId,
            sampleId: k.sampleId,
            text: v,
            basedOn: basedOn.current,
          })
          basedOn.current = r.updatedAt
          onSavedRef.current(k, v)
          setState('saved')
        } catch {
          setState('error')
        }
      },
      600,
      (k) => `${k.runId}:${k.sampleId}`,
    )
    s.markSaved({ runId, sampleId }, initial)
    basedOn.current = undefined
    api.getNote({ runId, sampleId }).then(
      (n) => basedOn.current === undefined && (basedOn.current = n.updatedAt),
      () => undefined,
    )
    saver.current = s
    const flush = () => void s.flush()
    const onVis = () => document.visibilityState === 'hidden' && flush()
    window.addEventListener('pagehide', flush)
    window.addEventListener('beforeunload', flush)
    document.addEventListener('visibilitychange', onVis)
    return () => {
      window.removeEventListener('pagehide', flush)
      window.removeEventListener('beforeunload', flush)
      document.removeEventListener('visibilitychange', onVis)
      // Leaving the sample saves what was typed on it.
      flush()
    }
  }, [api, runId, sampleId, initial])

  return (
    <div className="notes">
      <textarea
        value={text}
        placeholder="Notes on this sample (saved automatically)"
        data-testid="notes"
        onChange={(e) => {
          setText(e.target.value)
          setState('dirty')
          saver.current?.push({ runId, sampleId }, e.target.value)
        }}
        onBlur={() => void saver.current?.flush()}
      />
      <span className={`save-state ${state}`} data-testid="note-state">
        {state === 'saved'
          ? 'saved'
          : state === 'saving'
            ? 'saving…'
            : state === 'dirty'
              ? 'editing'
              : 'not saved!'}
      </span>
    </div>
  )
}
