/** State of the export dialog: the project's datasets, the form, and the outcome of starting the job. */
import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { exportRequest, initialForm, type ExportForm } from './exportForm'

export function useExportDataset(api: ApiClient, open: boolean) {
  const [datasets, setDatasets] = useState<string[]>([])
  const [form, setForm] = useState<ExportForm>(() => initialForm([]))
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!open) return
    let live = true
    api.listDatasets({}).then(
      (list) => {
        if (!live) return
        const names = list.map((d) => d.name)
        setDatasets(names)
        setForm((f) => (f.dataset && names.includes(f.dataset) ? f : { ...f, dataset: names[0] ?? '' }))
      },
      (e: Error) => live && setMessage({ kind: 'error', text: e.message }),
    )
    return () => {
      live = false
    }
  }, [api, open])

  const update = useCallback((patch: Partial<ExportForm>) => setForm((f) => ({ ...f, ...patch })), [])

  const start = useCallback(async () => {
    const req = exportRequest(form)
    if (!req.ok) {
      setMessage({ kind: 'error', text: req.error })
      return
    }
    setBusy(true)
    try {
      await api.exportDataset(req.input)
      setMessage({
        kind: 'info',
        text: `Export started: progress in the status bar; ${req.input.out} appears when done.`,
      })
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message })
    } finally {
      setBusy(false)
    }
  }, [api, form])

  return { datasets, form, update, start, message, busy }
}
