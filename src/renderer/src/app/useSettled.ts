/**
 * A value that follows another once it has stopped changing for a moment. While `j` is held the shown
 * sample changes every few frames; panels a glance does not need (the re-ask panel, the rollout strip,
 * the encoder warm-up) follow the settled sample instead, so the samples passed over cost no requests
 * that would compete with drawing the next one.
 */
import { useEffect, useState } from 'react'

/** How long the shown sample must stay put before the secondary panels load it. */
export const SETTLE_MS = 120

export function useSettled<T>(value: T, ms: number = SETTLE_MS): T {
  // The first value is settled at once: opening a sample is not delayed, only passing over one.
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    if (Object.is(settled, value)) return
    const t = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(t)
  }, [value, ms, settled])
  return settled
}
