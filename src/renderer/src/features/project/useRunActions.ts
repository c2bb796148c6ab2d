/**
 * Run-level actions: import a run from a path the backend reads, and save the current run with the user's
 * prompt edits as a new run variant. Their outcome is one message line (progress of an import arrives as
 * its job's events in the status bar).
 */
import { useCallback, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'

export interface RunActions {
  message: string | null
  importRunFromPath(): Promise<void>
  saveVariant(): Promise<void>
}

export function useRunActions(
  api: ApiClient,
  scope: { runId: number | null; refreshInfo(): Promise<void> },
): RunActions {
  const { runId, refreshInfo } = scope
  const [message, setMessage] = useState<string | null>(null)

  // The path is read by the backend (the serve host's machine); progress and errors arrive as the job's events.
  const importRunFromPath = useCallback(async () => {
    const file = window.prompt('Run file or folder to import (a path on the machine running the backend):')
    if (!file?.trim()) return
    const base =
      file
        .trim()
        .replace(/[\\/]+$/, '')
        .split(/[\\/]/)
        .pop() ?? 'run'
    const name = window.prompt('Name of the new run:', base.replace(/\.(jsonl|json)$/i, ''))
    if (!name?.trim()) return
    try {
      await api.importRun({ path: file.trim(), name: name.trim() })
    } catch (e) {
      setMessage((e as Error).message)
    }
  }, [api])

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

  return { message, importRunFromPath, saveVariant }
}
