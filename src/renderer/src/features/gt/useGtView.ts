/**
 * Which ground truth the inspector shows and scores against: the imported `original` (the default, so
 * numbers stay comparable with papers) or the `corrected` one. For `corrected`, the sample's corrected GT
 * is fetched (again on `reload()`, after each GT edit) and the prediction's IoU against it is computed with the shared
 * metrics code (ignore pixels excluded, Seg-Zero convention as the sample header uses).
 */
import { useEffect, useMemo, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { GroundTruthDto, GtWhich } from '../../../../shared/contract/gt'
import type { SampleDetail } from '../../../../shared/contract/samples'
import { maskCounts, sampleIou } from '../../../../shared/domain/metrics'
import { fromCoco } from '../../../../shared/domain/rle'
import { loadPref, savePref } from '../../app/prefs'

export interface GtView {
  which: GtWhich
  setWhich(w: GtWhich): void
  /** The corrected GT of the shown sample, while `which` is corrected and it has loaded. */
  corrected: GroundTruthDto | null
  /** IoU of the run's prediction against the corrected GT (null without one of them). */
  correctedIou: number | null
  /** Fetches the corrected GT again (after a GT edit). */
  reload(): void
}

export function useGtView(api: ApiClient, shown: SampleDetail | null): GtView {
  const [which, setWhichState] = useState<GtWhich>(() => loadPref<GtWhich>('gtView', 'original'))
  const [version, setVersion] = useState(0)
  const [doc, setDoc] = useState<GroundTruthDto | null>(null)
  const sid = shown?.sample.id ?? null

  useEffect(() => {
    if (which !== 'corrected' || sid == null) return
    let live = true
    api.getGroundTruth({ sampleId: sid, which: 'corrected' }).then(
      (g) => live && setDoc(g),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [api, which, sid, version])

  // After an edit the previous corrected GT of the same sample stays shown until the new one arrives.
  const corrected = which === 'corrected' && doc?.sampleId === sid ? doc : null
  const predMask = shown?.prediction?.mask ?? null
  const correctedIou = useMemo(() => {
    if (!corrected) return null
    const gt = fromCoco(corrected.union)
    const c = maskCounts(
      predMask ? fromCoco(predMask) : null,
      gt,
      corrected.ignore ? fromCoco(corrected.ignore) : null,
    )
    return sampleIou(c.intersection, c.union)
  }, [corrected, predMask])

  return {
    which,
    setWhich: (w) => {
      setWhichState(w)
      savePref('gtView', w)
    },
    corrected,
    correctedIou,
    reload: () => setVersion((v) => v + 1),
  }
}
