/**
 * What a panel mounted in the inspector needs to know without props threaded through App: the API, the
 * selected run(s), the current sample and its detail, and a way to have the sample's detail fetched again
 * (after it changed behind the inspector's back). Feature panels read it with `useInspector()`.
 */
import { createContext, useContext } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { SampleDetail } from '../../../../shared/contract/samples'

export interface InspectorContextValue {
  api: ApiClient
  runId: number | null
  compareRunId: number | null
  /** The sample shown, once its detail has loaded. */
  detail: SampleDetail | null
  /** Drops the cached details of a sample so that the inspector fetches them again. */
  reloadSample(sampleId: number): void
  /** Narrows the sample list to these samples and shows the inspector. */
  selectSamples(sampleIds: number[]): void
}

export const InspectorContext = createContext<InspectorContextValue | null>(null)

export function useInspector(): InspectorContextValue {
  const v = useContext(InspectorContext)
  if (!v) throw new Error('useInspector() is used outside the inspector')
  return v
}
