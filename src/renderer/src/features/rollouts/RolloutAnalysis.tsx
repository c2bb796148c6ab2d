/**
 * The rollout part of the analysis view: the same section the HTML report carries (built by the backend from
 * escaped data and src/shared/charts), shown only for runs with rollouts. Clicking a sample row or a scatter
 * point opens that sample in the inspector. A run without rollouts offers to start a rollout run instead.
 */
import { useEffect, useState, type MouseEvent } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { RolloutAnalysisDto } from '../../../../shared/contract/rollouts'
import { StartRollouts } from './StartRollouts'
import './rollouts.css'

export function RolloutAnalysis(props: {
  api: ApiClient
  runId: number
  /** The run's name (the default name of a rollout run started from it). */
  runName: string
  onSelectSamples(ids: number[]): void
}) {
  const [state, setState] = useState<{ runId: number; a: RolloutAnalysisDto | null } | null>(null)
  const { api, runId } = props
  useEffect(() => {
    let live = true
    // A run without rollouts answers not_found: the section then offers to start a rollout run from its
    // samples instead.
    api.analyzeRollouts({ runId }).then(
      (a) => live && setState({ runId, a }),
      () => live && setState({ runId, a: null }),
    )
    return () => {
      live = false
    }
  }, [api, runId])
  if (state?.runId !== runId) return null
  const a = state.a
  if (!a) return <StartRollouts api={api} runId={runId} runName={props.runName} />
  const click = (e: MouseEvent<HTMLDivElement>) => {
    const el = (e.target as Element).closest('[data-sample]')
    if (el) props.onSelectSamples([Number(el.getAttribute('data-sample'))])
  }
  return (
    <div
      className="rollout-analysis"
      data-testid="rollout-analysis"
      onClick={click}
      dangerouslySetInnerHTML={{ __html: a.html }}
    />
  )
}
