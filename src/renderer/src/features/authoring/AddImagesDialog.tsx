/**
 * "Add images": pick files (or drop them), choose the dataset (an existing one or a new one, and its
 * split), write one or more queries per image, and add them as samples with an empty GT — the target is
 * then drawn with the GT tools ("no target" samples simply stay empty). Problems are shown inline beside
 * the file or query they concern; nothing is sent while one remains. Images go one request each, so a
 * large batch never hits the host's request size limit.
 */
import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { DatasetInfo } from '../../../../shared/contract/datasets'
import { fileProblem, looksLikeSentence, queryProblems, type DraftQuery } from './authoringPlan'
import { authoringPort } from './authoringPort'

interface DraftImage {
  key: number
  file: File
  url: string
  problem: string | null
  queries: DraftQuery[]
  /** The sentence flag was set by hand: typing no longer re-guesses it. */
  pinned: boolean[]
  error: string | null
  done: boolean
}

export interface AddedSamples {
  datasetId: number
  sampleIds: number[]
}

let nextKey = 1

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

export function AddImagesDialog({
  api,
  onClose,
  onAdded,
}: {
  api: ApiClient
  onClose(): void
  onAdded(r: AddedSamples): void
}) {
  const [datasets, setDatasets] = useState<DatasetInfo[]>([])
  const [target, setTarget] = useState<'existing' | 'new'>('existing')
  const [datasetId, setDatasetId] = useState<number | null>(null)
  const [newName, setNewName] = useState('')
  const [split, setSplit] = useState('val')
  const [images, setImages] = useState<DraftImage[]>([])
  const [busy, setBusy] = useState(false)
  const [formError, setFormError] = useState<string | null>(null)
  const [dragOver, setDragOver] = useState(false)
  const [partial, setPartial] = useState<AddedSamples | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    api.listDatasets({}).then(
      (d) => {
        setDatasets(d)
        setDatasetId((cur) => cur ?? d[0]?.id ?? null)
        if (d.length === 0) setTarget('new')
      },
      (e: Error) => setFormError(e.message),
    )
  }, [api])
  // Object URLs of the previews are released with the dialog.
  const urls = useRef<string[]>([])
  useEffect(() => () => urls.current.forEach((u) => URL.revokeObjectURL(u)), [])

  const addFiles = (files: FileList | File[]) => {
    const added = Array.from(files).map((file): DraftImage => {
      const url = URL.createObjectURL(file)
      urls.current.push(url)
      return {
        key: nextKey++,
        file,
        url,
        problem: fileProblem(file),
        queries: [{ text: '', isSentence: false }],
        pinned: [false],
        error: null,
        done: false,
      }
    })
    setImages((cur) => [...cur, ...added])
  }

  const update = (key: number, f: (d: DraftImage) => DraftImage) =>
    setImages((cur) => cur.map((d) => (d.key === key ? f(d) : d)))

  const pending = images.filter((d) => !d.done && !d.problem)
  const nQueries = pending.reduce((n, d) => n + d.queries.length, 0)

  const submit = async () => {
    setFormError(null)
    if (target === 'existing' && datasetId == null) return setFormError('Choose a dataset.')
    if (target === 'new' && newName.trim() === '') return setFormError('Name the new dataset.')
    if (target === 'new' && split.trim() === '')
      return setFormError('Name the split (for example val or test).')
    if (pending.length === 0) return setFormError('Add at least one image.')
    if (pending.some((d) => queryProblems(d.queries).size > 0))
      return setFormError('Some queries are empty (marked below).')
    setBusy(true)
    const port = authoringPort(api)
    const dataset =
      target === 'existing' ? (datasets.find((x) => x.id === datasetId)?.name ?? '') : newName.trim()
    let dsId: number | null = null
    const sampleIds: number[] = []
    let failed = false
    for (const d of pending) {
      try {
        const img = await port.addImage({
          name: d.file.name,
          dataBase64: await toBase64(d.file),
          dataset,
          split: target === 'new' ? split.trim() : null,
        })
        dsId = img.datasetId
        for (const q of d.queries) {
          const s = await port.addQuery({
            datasetId: img.datasetId,
            imageId: img.imageId,
            query: q.text.trim(),
            isSentence: q.isSentence,
          })
          sampleIds.push(s.sampleId)
        }
        update(d.key, (x) => ({ ...x, done: true, error: null }))
      } catch (e) {
        failed = true
        update(d.key, (x) => ({ ...x, error: (e as Error).message }))
      }
    }
    setBusy(false)
    if (dsId == null || sampleIds.length === 0) return
    // With a failed image the dialog stays open on its error; the samples already added are one click away.
    if (failed) setPartial({ datasetId: dsId, sampleIds })
    else onAdded({ datasetId: dsId, sampleIds })
  }

  const problems = (d: DraftImage) => queryProblems(d.queries)

  return (
    <div className="overlay" role="dialog" aria-label="Add images" data-testid="add-images">
      <div className="authoring">
        <h2>Add images</h2>
        <div className="authoring-dataset">
          <label>
            <input
              type="radio"
              name="ds"
              checked={target === 'existing'}
              disabled={datasets.length === 0}
              onChange={() => setTarget('existing')}
            />
            existing dataset
          </label>
          <select
            value={datasetId ?? ''}
            disabled={target !== 'existing'}
            onChange={(e) => setDatasetId(Number(e.target.value))}
            data-testid="author-dataset"
          >
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.split ? ` (${d.split})` : ''}
              </option>
            ))}
          </select>
          <label>
            <input type="radio" name="ds" checked={target === 'new'} onChange={() => setTarget('new')} />
            new dataset
          </label>
          <input
            type="text"
            placeholder="name"
            value={newName}
            disabled={target !== 'new'}
            onChange={(e) => setNewName(e.target.value)}
            data-testid="author-new-dataset"
          />
          <label>
            split
            <input
              type="text"
              value={target === 'new' ? split : (datasets.find((x) => x.id === datasetId)?.split ?? '')}
              disabled={target !== 'new'}
              onChange={(e) => setSplit(e.target.value)}
              className="short"
              data-testid="author-split"
            />
          </label>
        </div>
        <div
          className={`dropzone${dragOver ? ' over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault()
            setDragOver(true)
          }}
          onDragLeave={() => setDragOver(false)}
          onDrop={(e) => {
            e.preventDefault()
            setDragOver(false)
            addFiles(e.dataTransfer.files)
          }}
          data-testid="author-dropzone"
        >
          Drop images here or{' '}
          <button className="link" onClick={() => fileInput.current?.click()}>
            choose files…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept="image/*"
            multiple
            hidden
            onChange={(e) => {
              if (e.target.files) addFiles(e.target.files)
              e.target.value = ''
            }}
            data-testid="author-files"
          />
        </div>
        <ul className="authoring-images">
          {images.map((d) => (
            <li key={d.key} data-testid="author-image" className={d.done ? 'done' : ''}>
              {!d.problem && <img src={d.url} alt="" />}
              <div className="authoring-body">
                <div className="authoring-name">
                  {d.file.name}
                  {d.done && <span className="muted"> — added</span>}
                  <button
                    className="icon"
                    aria-label="Remove image"
                    onClick={() => setImages((cur) => cur.filter((x) => x.key !== d.key))}
                  >
                    ×
                  </button>
                </div>
                {(d.problem ?? d.error) && (
                  <div className="error" data-testid="author-image-error">
                    {d.problem ?? d.error}
                  </div>
                )}
                {!d.problem &&
                  !d.done &&
                  d.queries.map((q, i) => (
                    <div key={i} className="authoring-query">
                      <input
                        type="text"
                        placeholder="query: a phrase or a sentence"
                        value={q.text}
                        onChange={(e) => {
                          const text = e.target.value
                          update(d.key, (x) => ({
                            ...x,
                            queries: x.queries.map((y, j) =>
                              j === i
                                ? { text, isSentence: x.pinned[i] ? y.isSentence : looksLikeSentence(text) }
                                : y,
                            ),
                          }))
                        }}
                        data-testid="author-query"
                      />
                      <label className="toggle" title="ReasonSeg's is_sentence">
                        <input
                          type="checkbox"
                          checked={q.isSentence}
                          onChange={() =>
                            update(d.key, (x) => ({
                              ...x,
                              queries: x.queries.map((y, j) =>
                                j === i ? { ...y, isSentence: !y.isSentence } : y,
                              ),
                              pinned: x.pinned.map((p, j) => (j === i ? true : p)),
                            }))
                          }
                          data-testid="author-sentence"
                        />
                        sentence
                      </label>
                      {d.queries.length > 1 && (
                        <button
                          className="icon"
                          aria-label="Remove query"
                          onClick={() =>
                            update(d.key, (x) => ({
                              ...x,
                              queries: x.queries.filter((_, j) => j !== i),
                              pinned: x.pinned.filter((_, j) => j !== i),
                            }))
                          }
                        >
                          ×
                        </button>
                      )}
                      {formError && problems(d).get(i) && (
                        <div className="error" data-testid="author-query-error">
                          {problems(d).get(i)}
                        </div>
                      )}
                    </div>
                  ))}
                {!d.problem && !d.done && (
                  <button
                    className="link"
                    onClick={() =>
                      update(d.key, (x) => ({
                        ...x,
                        queries: [...x.queries, { text: '', isSentence: false }],
                        pinned: [...x.pinned, false],
                      }))
                    }
                    data-testid="author-add-query"
                  >
                    + another query
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
        {formError && (
          <div className="error" data-testid="author-error">
            {formError}
          </div>
        )}
        <div className="buttons">
          <button onClick={onClose}>Close</button>
          {partial && (
            <button onClick={() => onAdded(partial)} data-testid="author-open-added">
              Open the {partial.sampleIds.length} added sample{partial.sampleIds.length === 1 ? '' : 's'}
            </button>
          )}
          <button disabled={busy || nQueries === 0} onClick={() => void submit()} data-testid="author-submit">
            {busy ? 'Adding…' : `Add ${nQueries} sample${nQueries === 1 ? '' : 's'}`}
          </button>
        </div>
        <p className="hint">
          Each query becomes a sample with an empty ground truth; draw its target in GT edit mode (e). A
          sample left empty is a “no target” sample.
        </p>
      </div>
    </div>
  )
}
