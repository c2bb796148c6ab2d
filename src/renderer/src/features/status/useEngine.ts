/** The segmentation engine's status, the models to pick from, and background jobs, kept live from events. */
import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { Job } from '../../../../shared/contract/events'
import type { EngineStatusDto, ModelInfoDto } from '../../../../shared/contract/segment'

export interface EngineState {
  engine: EngineStatusDto | null
  models: ModelInfoDto[]
  engineError: string | null
  jobs: Job[]
  selectModel(modelId: string): Promise<void>
  /** A segmentation answered: the model reports the provider it actually ran on (known only once loaded). */
  noteProvider(modelId: string, provider: EngineStatusDto['provider']): void
}

export function useEngine(api: ApiClient): EngineState {
  const [engine, setEngine] = useState<EngineStatusDto | null>(null)
  const [models, setModels] = useState<ModelInfoDto[]>([])
  const [engineError, setEngineError] = useState<string | null>(null)
  const [jobs, setJobs] = useState<Job[]>([])

  useEffect(() => {
    api.listJobs({}).then(setJobs, () => undefined)
    api.getEngineStatus({}).then(setEngine, () => setEngine(null))
    api.listModels({}).then(
      (m) => setModels(m.models),
      () => setModels([]),
    )
    return api.subscribe((ev) => {
      if (ev.type !== 'job') return
      // A finished job (batch segmentation, precompute) may have loaded a model or changed its provider.
      if (ev.job.status !== 'running') api.getEngineStatus({}).then(setEngine, () => undefined)
      setJobs((js) => [...js.filter((j) => j.id !== ev.job.id), ev.job].slice(-20))
    })
  }, [api])

  const selectModel = useCallback(
    async (modelId: string) => {
      try {
        setEngine(await api.selectModel({ modelId }))
        setEngineError(null)
        // Providers are known once a model has loaded: list again so the picker shows the current ones.
        setModels((await api.listModels({})).models)
      } catch (e) {
        setEngineError((e as Error).message)
      }
    },
    [api],
  )

  const noteProvider = useCallback(
    (modelId: string, provider: EngineStatusDto['provider']) =>
      setEngine((e) => (e && e.modelId === modelId ? { ...e, provider } : e)),
    [],
  )

  return { engine, models, engineError, jobs, selectModel, noteProvider }
}
