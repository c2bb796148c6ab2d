/**
 * Run-level actions: save the current run with the user's prompt edits as a new run variant; the outcome
 * is one message line. (Importing a run is the import form's job: features/importing.)
 */
import { useCallback, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'

export interface RunActions {
  message: string | null
  saveVariant(): Promise<void>
}

export function useRunActions(
  api: ApiClient,
  scope: { runId: number | null; refreshInfo(): Promise<void> },
): RunActions {
  const { runId, refreshInfo } = scope
  const [message, setMessage] = useState<string | null>(null)

  const saveVariant = useCallback(async () => {
    if (runId == null) return
    try {
      const v = await api.saveRunVariant({ runId })
      setMessage(`Saved run “${v.name}” (${v.edited} edited sample${v.edited === 1 ? '' : 's'})`)
      await refreshInfo()
    } catch (e) {
      setMessage((e as Error).message)
    }
  }, [api, runId, refreshInfo])

  return { message, saveVariant }
}
