/**
 * The import form's state: kind, source path, format, name and options; a preview that follows them (the
 * latest request wins); and the import job, followed through its events until it is done or has failed.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { MethodOutput } from '../../../../shared/contract/index'
import type { Job } from '../../../../shared/contract/events'

export type ImportKind = 'dataset' | 'run'
export type Preview = MethodOutput<'previewImport'>

export const DATASET_FORMATS = ['auto', 'hf-parquet', 'lisa', 'coco', 'folder'] as const
export const RUN_FORMATS = ['auto', 'jsonl', 'segzero', 'visionreasoner'] as const

export interface ImportForm {
  kind: ImportKind
  path: string
  format: string
  /** The user's name; empty means the preview's suggestion. */
  name: string
  split: string
  /** Run: the dataset the records belong to ('' = let the importer choose). */
  dataset: string
  model: string
  skipBad: boolean
  replace: boolean
}

const EMPTY: Omit<ImportForm, 'kind'> = {
  path: '',
  format: 'auto',
  name: '',
  split: '',
  dataset: '',
  model: '',
  skipBad: false,
  replace: false,
}

export interface ImportState {
  form: ImportForm
  update(patch: Partial<ImportForm>): void
  preview: Preview | null
  previewing: boolean
  /** The name the import will use (typed, else suggested). */
  effectiveName: string
  job: Job | null
  /** Why the import could not start (or why its job failed). */
  error: string | null
  busy: boolean
  start(): Promise<void>
}

const PREVIEW_DELAY_MS = 250

export function useImport(
  api: ApiClient,
  initialKind: ImportKind,
  onDone: (kind: ImportKind, id: number) => void,
): ImportState {
  const [form, setForm] = useState<ImportForm>({ kind: initialKind, ...EMPTY })
  // The latest preview answer with the inputs it was for: a stale one is not shown.
  const [answer, setAnswer] = useState<{ key: string; preview: Preview | null } | null>(null)
  const [job, setJob] = useState<Job | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const update = useCallback((patch: Partial<ImportForm>) => {
    setForm((f) => {
      // Another kind means other formats and options: start that form afresh, keeping the path.
      if (patch.kind && patch.kind !== f.kind) return { ...EMPTY, path: f.path, ...patch, kind: patch.kind }
      return { ...f, ...patch }
    })
    setError(null)
  }, [])

  // Preview whenever what it depends on changes (after a pause in typing).
  const { kind, path, format, split, dataset } = form
  const key = JSON.stringify([kind, path.trim(), format, split, dataset])
  useEffect(() => {
    if (!path.trim()) return
    let live = true
    const timer = setTimeout(() => {
      const input =
        kind === 'dataset'
          ? {
              kind,
              path: path.trim(),
              format: format as (typeof DATASET_FORMATS)[number],
              ...(split ? { split } : {}),
            }
          : {
              kind,
              path: path.trim(),
              format: format as (typeof RUN_FORMATS)[number],
              ...(dataset ? { dataset } : {}),
            }
      api.previewImport(input).then(
        (p) => live && setAnswer({ key, preview: p }),
        (e: Error) => {
          if (!live) return
          setAnswer({ key, preview: null })
          setError(e.message)
        },
      )
    }, PREVIEW_DELAY_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [api, key, kind, path, format, split, dataset])
  const preview = path.trim() && answer?.key === key ? answer.preview : null
  const previewing = !!path.trim() && answer?.key !== key

  // Job events may arrive before importX() answers with the job id: keep the latest state of every job.
  const jobs = useRef(new Map<string, Job>())
  const jobId = useRef<string | null>(null)
  const finish = useRef<(j: Job) => void>(() => undefined)
  useEffect(
    () =>
      api.subscribe((e) => {
        if (e.type !== 'job') return
        jobs.current.set(e.job.id, e.job)
        if (e.job.id === jobId.current) finish.current(e.job)
      }),
    [api],
  )

  const effectiveName = form.name.trim() || preview?.suggestedName || ''

  const start = useCallback(async () => {
    const name = effectiveName
    if (!form.path.trim()) return setError('Choose a file or folder first.')
    if (!name) return setError('The new ' + form.kind + ' needs a name.')
    setBusy(true)
    setError(null)
    setJob(null)
    jobId.current = null
    finish.current = (j) => {
      setJob(j)
      if (j.status === 'running') return
      setBusy(false)
      if (j.status !== 'done') {
        setError(j.message ?? `import ${j.status}`)
        return
      }
      // Switch to what was imported: look it up by the name it was given.
      api.getProjectInfo({}).then(
        (info) => {
          const found =
            form.kind === 'run'
              ? info.runs.find((r) => r.name === name)
              : info.datasets.find((d) => d.name === name)
          if (found) onDone(form.kind, found.id)
        },
        (e: Error) => setError(e.message),
      )
    }
    try {
      const started =
        form.kind === 'dataset'
          ? await api.importDataset({
              source: form.path.trim(),
              format: form.format as (typeof DATASET_FORMATS)[number],
              name,
              ...(form.split ? { split: form.split } : {}),
            })
          : await api.importRun({
              path: form.path.trim(),
              name,
              format: form.format as (typeof RUN_FORMATS)[number],
              ...(form.dataset ? { dataset: form.dataset } : {}),
              ...(form.model.trim() ? { model: form.model.trim() } : {}),
              skipBad: form.skipBad,
              replace: form.replace,
            })
      jobId.current = started.jobId
      const seen = jobs.current.get(started.jobId)
      if (seen) finish.current(seen)
    } catch (e) {
      setBusy(false)
      setError((e as Error).message)
    }
  }, [api, form, effectiveName, onDone])

  return { form, update, preview, previewing, effectiveName, job, error, busy, start }
}
