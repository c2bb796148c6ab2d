/**
 * The open project: its name, folder and runs, the selected run and comparison run (the run is remembered
 * per project folder), and a fatal error when the project cannot be opened. Runs are listed again when a
 * job finishes, since imports and batch segmentation add runs.
 */
import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { MethodOutput } from '../../../../shared/contract/index'
import type { RunSummary } from '../../../../shared/contract/project'
import { loadPref, savePref } from '../../app/prefs'

export interface ProjectInfo {
  name: string
  dir: string
  runs: RunSummary[]
  datasets: MethodOutput<'getProjectInfo'>['datasets']
}

export interface ProjectState {
  info: ProjectInfo | null
  fatal: string | null
  runId: number | null
  compareRunId: number | null
  run: RunSummary | null
  compareRun: RunSummary | null
  /** The dataset listed while no run is selected (null: the first one). */
  datasetId: number | null
  /** Selects a run (and drops it as the comparison run if it was that). */
  selectRun(id: number | null): void
  /** Lists a dataset's samples without a run (authored samples, say). */
  selectDataset(id: number): void
  setCompareRunId(id: number | null): void
  refreshInfo(): Promise<void>
}

const toInfo = (i: MethodOutput<'getProjectInfo'>): ProjectInfo => ({
  name: i.name,
  dir: i.dir,
  runs: i.runs,
  datasets: i.datasets,
})

export function useProject(api: ApiClient): ProjectState {
  const [info, setInfo] = useState<ProjectInfo | null>(null)
  const [fatal, setFatal] = useState<string | null>(null)
  const [runId, setRunId] = useState<number | null>(null)
  const [compareRunId, setCompareRunId] = useState<number | null>(null)
  const [datasetId, setDatasetId] = useState<number | null>(null)

  const refreshInfo = useCallback(async () => {
    setInfo(toInfo(await api.getProjectInfo({})))
  }, [api])

  useEffect(() => {
    api
      .getProjectInfo({})
      .then((i) => {
        setInfo(toInfo(i))
        const saved = loadPref<number | null>(`run.${i.dir}`, null)
        const first =
          i.runs.find((r) => r.id === saved) ?? i.runs.find((r) => r.kind !== 'variant') ?? i.runs[0]
        setRunId(first?.id ?? null)
      })
      .catch((e: Error) => setFatal(e.message))
    return api.subscribe((ev) => {
      // A finished job may have added a run (imports, batch segmentation): list the runs again.
      if (ev.type === 'job' && ev.job.status === 'done') refreshInfo().catch(() => undefined)
    })
  }, [api, refreshInfo])

  const dir = info?.dir
  const selectRun = useCallback(
    (id: number | null) => {
      setRunId(id)
      setCompareRunId((c) => (c === id ? null : c))
      if (dir != null) savePref(`run.${dir}`, id)
    },
    [dir],
  )

  const selectDataset = useCallback((id: number) => {
    setRunId(null)
    setCompareRunId(null)
    setDatasetId(id)
  }, [])

  return {
    info,
    fatal,
    runId,
    compareRunId,
    run: info?.runs.find((r) => r.id === runId) ?? null,
    compareRun: info?.runs.find((r) => r.id === compareRunId) ?? null,
    datasetId,
    selectRun,
    selectDataset,
    setCompareRunId,
    refreshInfo,
  }
}
