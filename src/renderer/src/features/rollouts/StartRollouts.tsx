/**
 * Starts a rollout run from the current run's samples as a background job (progress and cancel in the status
 * bar): saved endpoints form the pool; K, temperature, reward, prediction pick and output name as in
 * `reseg rollouts`.
 */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { REWARD_KINDS, type RewardKind } from '../../../../shared/domain/rewards/score'

export function StartRollouts(props: { api: ApiClient; runId: number; runName: string }) {
  const { api } = props
  const [endpoints, setEndpoints] = useState<string[] | null>(null)
  const [chosen, setChosen] = useState<string[]>([])
  const [k, setK] = useState(8)
  const [temperature, setTemperature] = useState(1)
  const [reward, setReward] = useState<RewardKind>('visionreasoner')
  const [pick, setPick] = useState<'first' | 'best-reward' | 'greedy'>('first')
  const [outRun, setOutRun] = useState(`${props.runName}-rollouts`)
  const [msg, setMsg] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    api
      .listEndpoints({})
      .then((list) => live && setEndpoints(list.map((e) => e.name)))
      .catch(() => live && setEndpoints([]))
    return () => {
      live = false
    }
  }, [api])
  if (endpoints === null) return null
  const start = async () => {
    setMsg(null)
    try {
      const { jobId } = await api.startRollouts({
        fromRunId: props.runId,
        endpoints: chosen,
        k,
        temperature,
        reward,
        pick,
        outRun,
      })
      setMsg(`started (job ${jobId.slice(0, 8)}); progress in the status bar`)
    } catch (e) {
      setMsg(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <details className="rollout-start" data-testid="rollout-start">
      <summary>GRPO rollouts of this run's samples…</summary>
      {endpoints.length === 0 ? (
        <p className="muted">No saved endpoint: add one with the reasoning panel or `reseg endpoints add`.</p>
      ) : (
        <div className="rollout-form">
          <fieldset>
            <legend>endpoints (a pool)</legend>
            {endpoints.map((n) => (
              <label key={n}>
                <input
                  type="checkbox"
                  checked={chosen.includes(n)}
                  onChange={(e) =>
                    setChosen((c) => (e.target.checked ? [...c, n] : c.filter((x) => x !== n)))
                  }
                />{' '}
                {n}
              </label>
            ))}
          </fieldset>
          <label>
            K{' '}
            <input type="number" min={1} max={64} value={k} onChange={(e) => setK(Number(e.target.value))} />
          </label>
          <label>
            temperature{' '}
            <input
              type="number"
              min={0}
              max={2}
              step={0.1}
              value={temperature}
              onChange={(e) => setTemperature(Number(e.target.value))}
            />
          </label>
          <label>
            reward{' '}
            <select value={reward} onChange={(e) => setReward(e.target.value as RewardKind)}>
              {REWARD_KINDS.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            prediction{' '}
            <select value={pick} onChange={(e) => setPick(e.target.value as typeof pick)}>
              <option value="first">first rollout</option>
              <option value="best-reward">best reward</option>
              <option value="greedy">greedy answer</option>
            </select>
          </label>
          <label>
            output run <input value={outRun} onChange={(e) => setOutRun(e.target.value)} />
          </label>
          <button type="button" disabled={chosen.length === 0 || !outRun.trim()} onClick={() => void start()}>
            Start
          </button>
          {msg && <div className="muted">{msg}</div>}
        </div>
      )}
    </details>
  )
}
