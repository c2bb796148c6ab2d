/**
 * Loads something the view waits for (the current sample's detail) and remembers a failure, so the view shows
 * the error and a retry button instead of "Loading…" forever. A failure belongs to the key it was for: moving
 * to another sample starts clean, and a late failure of a request the user has left is dropped.
 */
import { useCallback, useEffect, useState } from 'react'

export interface RetryableLoad {
  /** The failure message for the current key, or null while loading / when loaded. */
  error: string | null
  retry(): void
}

export function useRetryableLoad(key: string, needed: boolean, load: () => Promise<void>): RetryableLoad {
  const [failure, setFailure] = useState<{ key: string; message: string } | null>(null)
  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    if (!needed) return
    let live = true
    load().catch((e: unknown) => {
      if (live) setFailure({ key, message: e instanceof Error ? e.message : String(e) })
    })
    return () => {
      live = false
    }
    // `load` is a fresh closure each render; the key and the attempt say when to load again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, needed, attempt])
  const retry = useCallback(() => {
    setFailure(null)
    setAttempt((a) => a + 1)
  }, [])
  return { error: failure?.key === key ? failure.message : null, retry }
}
