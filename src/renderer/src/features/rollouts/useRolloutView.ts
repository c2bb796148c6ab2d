/**
 * State of the rollout strip: the shown sample's rollout group in the current run (none for runs without
 * rollouts), which rollout is shown on the canvas, and its decoded mask and prompts. `[` / `]` step through the
 * rollouts, `\` goes back to the run's prediction.
 */
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { RolloutDto, RolloutGroupDto } from '../../../../shared/contract/rollouts'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'
import { isTypingTarget } from '../../app/keyboard'
import { useSettled } from '../../app/useSettled'
import { decodeMask } from '../canvas/overlayCache'

export interface RolloutView {
  group: RolloutGroupDto | null
  error: string | null
  /** Index into group.rollouts of the rollout shown on the canvas; null shows the run's prediction. */
  selected: number | null
  select(i: number | null): void
  shown: RolloutDto | null
  /** The shown rollout's mask and prompts for the canvas; null when no rollout is shown. */
  mask: Uint8Array | null
  prompts: ObjectPrompt[] | null
}

/** `keys`: whether [ ] \\ step through the rollouts now (off while another mode, e.g. GT editing, owns them). */
export function useRolloutView(
  api: ApiClient,
  runId: number | null,
  sampleId: number | null,
  keys = true,
): RolloutView {
  // State is keyed by (run, sample), so a new sample starts with no group and no selection without resetting.
  const key = runId == null || sampleId == null ? null : `${runId}:${sampleId}`
  const [loaded, setLoaded] = useState<{
    key: string
    group: RolloutGroupDto | null
    error: string | null
  } | null>(null)
  const [sel, setSel] = useState<{ key: string | null; idx: number | null }>({ key: null, idx: null })

  // Fetched once the sample has settled: most runs have no rollouts, and holding `j` should not ask for
  // every sample passed over.
  const settledKey = useSettled(key)
  useEffect(() => {
    if (runId == null || sampleId == null || key === null || settledKey !== key) return
    let live = true
    api
      .getRolloutGroup({ runId, sampleId })
      .then((g) => live && setLoaded({ key, group: g, error: null }))
      .catch(
        (e: unknown) =>
          live && setLoaded({ key, group: null, error: e instanceof Error ? e.message : String(e) }),
      )
    return () => {
      live = false
    }
  }, [api, runId, sampleId, key, settledKey])

  const group = loaded?.key === key ? loaded.group : null
  const error = loaded?.key === key ? loaded.error : null
  const selected = sel.key === key ? sel.idx : null
  const setSelected = useCallback(
    (f: number | null | ((s: number | null) => number | null)) =>
      setSel((prev) => {
        const cur = prev.key === key ? prev.idx : null
        return { key, idx: typeof f === 'function' ? f(cur) : f }
      }),
    [key],
  )

  const n = group?.rollouts.length ?? 0
  useEffect(() => {
    if (n === 0 || !keys) return
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target) || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === ']') setSelected((s) => (s === null ? 0 : Math.min(n - 1, s + 1)))
      else if (e.key === '[') setSelected((s) => (s === null ? n - 1 : Math.max(0, s - 1)))
      else if (e.key === '\\') setSelected(null)
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [n, keys, setSelected])

  const shown = group && selected !== null ? (group.rollouts[selected] ?? null) : null
  const mask = useMemo(() => decodeMask(shown?.mask), [shown])
  return { group, error, selected, select: setSelected, shown, mask, prompts: shown ? shown.objects : null }
}
