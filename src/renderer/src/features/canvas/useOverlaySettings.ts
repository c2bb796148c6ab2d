/** Which mask layers the canvas draws and how opaque, remembered between launches. */
import { useCallback, useEffect, useState } from 'react'
import { loadPref, savePref } from '../../app/prefs'
import type { OverlaySettings } from './SampleCanvas'

export type OverlayLayer = Exclude<keyof OverlaySettings, 'opacity'>

export const DEFAULT_OVERLAY: OverlaySettings = {
  gt: true,
  pred: true,
  live: true,
  compare: true,
  diff: false,
  contour: false,
  opacity: 0.5,
}

export interface OverlayState {
  overlay: OverlaySettings
  flip(layer: OverlayLayer): void
  setOpacity(opacity: number): void
}

export function useOverlaySettings(): OverlayState {
  // Saved settings from before a layer existed lack its key: the defaults fill it in.
  const [overlay, setOverlay] = useState<OverlaySettings>(() => ({
    ...DEFAULT_OVERLAY,
    ...loadPref<Partial<OverlaySettings>>('overlay', {}),
  }))
  useEffect(() => savePref('overlay', overlay), [overlay])
  const flip = useCallback((k: OverlayLayer) => setOverlay((o) => ({ ...o, [k]: !o[k] })), [])
  const setOpacity = useCallback((opacity: number) => setOverlay((o) => ({ ...o, opacity })), [])
  return { overlay, flip, setOpacity }
}
