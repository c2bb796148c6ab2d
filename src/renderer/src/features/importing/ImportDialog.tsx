/**
 * "Import dataset…" / "Import run…": pick a source (the desktop's native dialog, or the folder browser and
 * a drop zone in a browser), check the format, name and options against a preview of the first rows and
 * the problems the importer finds, then import as a job; the app switches to the result when it is done.
 */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { DropZone } from './DropZone'
import { FolderBrowser } from './FolderBrowser'
import { DATASET_FORMATS, RUN_FORMATS, useImport, type ImportKind, type Preview } from './useImport'
import './importing.css'
import { CheckField, SelectField, TextField } from '../../app/formFields'

const FORMAT_LABELS: Record<string, string> = {
  auto: 'auto-detect',
  'hf-parquet': 'ReasonSeg parquet (Hugging Face)',
  lisa: 'LISA (image + json pairs)',
  coco: 'COCO instances JSON',
  folder: 'folder with queries.jsonl',
  jsonl: 'JSONL (masks / prompts per line)',
  segzero: 'Seg-Zero outputs',
  visionreasoner: 'VisionReasoner outputs',
}

const FILTERS: Record<ImportKind, { name: string; extensions: string[] }[]> = {
  dataset: [{ name: 'Parquet or COCO JSON', extensions: ['parquet', 'json'] }],
  run: [{ name: 'Run files', extensions: ['jsonl', 'json'] }],
}

export function ImportDialog(props: {
  api: ApiClient
  kind: ImportKind
  datasets: string[]
  onClose(): void
  onImported(kind: ImportKind, id: number): void
}) {
  const { api } = props
  const s = useImport(api, props.kind, props.onImported)
  const { form, update, preview } = s
  const [native, setNative] = useState<boolean | null>(null)

  useEffect(() => {
    api.getImportSources({}).then(
      (src) => setNative(src.nativeDialog),
      () => setNative(false),
    )
  }, [api])

  const pick = async (kind: 'file' | 'folder') => {
    const r = await api.pickPath({ kind, filters: kind === 'file' ? FILTERS[form.kind] : [] })
    if (r.available && r.path) update({ path: r.path })
  }

  const formats = form.kind === 'dataset' ? DATASET_FORMATS : RUN_FORMATS
  return (
    <div
      className="overlay"
      role="dialog"
      aria-label="Import"
      data-testid="import-dialog"
      onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
    >
      <form
        className="import-dialog"
        onSubmit={(e) => {
          e.preventDefault()
          void s.start()
        }}
      >
        <header>
          <h2>Import</h2>
          {(['dataset', 'run'] as const).map((k) => (
            <label key={k} className="check">
              <input
                type="radio"
                name="import-kind"
                checked={form.kind === k}
                onChange={() => update({ kind: k })}
                data-testid={`import-kind-${k}`}
              />
              {k === 'dataset' ? 'dataset' : 'model run'}
            </label>
          ))}
          <button type="button" className="link close" onClick={props.onClose} aria-label="Close">
            ✕
          </button>
        </header>

        <section className="import-source">
          {native ? (
            <div className="row">
              <button type="button" onClick={() => void pick('file')} data-testid="import-pick-file">
                Choose file…
              </button>
              <button type="button" onClick={() => void pick('folder')} data-testid="import-pick-folder">
                Choose folder…
              </button>
            </div>
          ) : native === false ? (
            <FolderBrowser api={api} selected={form.path} onPick={(p) => update({ path: p })} />
          ) : null}
          {native != null &&
            (api.localPath ? (
              <DropZone localPath={api.localPath} onUploaded={(p) => update({ path: p })} />
            ) : api.upload ? (
              <DropZone upload={api.upload} onUploaded={(p) => update({ path: p })} />
            ) : null)}
          <TextField
            label="Path (on the machine running the backend)"
            value={form.path}
            onChange={(path) => update({ path })}
            placeholder={form.kind === 'dataset' ? '/data/ReasonSeg' : '/runs/segzero-val.jsonl'}
            testId="import-path"
          />
        </section>

        <section className="import-options">
          <SelectField
            label="Format"
            value={form.format}
            options={formats.map(
              (f) =>
                [f, f === 'auto' && preview ? `auto-detect (${preview.format})` : FORMAT_LABELS[f]] as const,
            )}
            onChange={(format) => update({ format })}
            testId="import-format"
          />
          <TextField
            label="Name"
            value={form.name}
            placeholder={preview?.suggestedName ?? ''}
            onChange={(name) => update({ name })}
            testId="import-name"
          />
          {form.kind === 'dataset' ? (
            <TextField
              label="Split"
              value={form.split}
              placeholder={preview?.kind === 'dataset' ? (preview.split ?? '') : 'test, val…'}
              onChange={(split) => update({ split })}
            />
          ) : (
            <>
              <SelectField
                label="Dataset"
                value={form.dataset}
                options={[
                  [
                    '',
                    preview?.kind === 'run' && preview.dataset ? `auto (${preview.dataset})` : 'auto',
                  ] as const,
                  ...props.datasets.map((d) => [d, d] as const),
                ]}
                onChange={(dataset) => update({ dataset })}
              />
              <TextField
                label="Model"
                value={form.model}
                placeholder="e.g. Seg-Zero-7B"
                onChange={(model) => update({ model })}
              />
              <CheckField
                label="skip bad lines"
                checked={form.skipBad}
                onChange={(skipBad) => update({ skipBad })}
              />
              <CheckField
                label="replace a run of that name"
                checked={form.replace}
                onChange={(replace) => update({ replace })}
              />
            </>
          )}
        </section>

        {s.previewing && <div className="muted">Reading the first rows…</div>}
        {preview && <PreviewTable preview={preview} />}

        {s.error && (
          <pre className="error import-error" data-testid="import-error">
            {s.error}
          </pre>
        )}
        <footer className="row">
          <button type="submit" disabled={s.busy || !form.path.trim()} data-testid="import-submit">
            Import {form.kind === 'dataset' ? 'dataset' : 'run'}
            {s.effectiveName ? ` “${s.effectiveName}”` : ''}
          </button>
          {s.job && (
            <span className="muted" data-testid="import-status">
              {s.job.status === 'running'
                ? `Importing… ${s.job.done}${s.job.total ? ` / ${s.job.total}` : ''}`
                : (s.job.message ?? s.job.status)}
            </span>
          )}
          {s.job?.status === 'running' && (
            <progress value={s.job.done} max={s.job.total ?? undefined} data-testid="import-progress" />
          )}
        </footer>
      </form>
    </div>
  )
}

function PreviewTable({ preview }: { preview: Preview }) {
  const total = preview.total != null ? ` of ${preview.total}` : ''
  return (
    <section className="import-preview" data-testid="import-preview">
      <div className="muted">
        {preview.format} · {preview.rows.length} row{preview.rows.length === 1 ? '' : 's'} shown{total}
        {preview.kind === 'run' && preview.dataset ? ` · matched to dataset ${preview.dataset}` : ''}
      </div>
      {preview.rows.length > 0 && (
        <table>
          {preview.kind === 'dataset' ? (
            <>
              <thead>
                <tr>
                  <th>image id</th>
                  <th>ann id</th>
                  <th>query</th>
                  <th>size</th>
                  <th>mask area</th>
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r) => (
                  <tr key={r.where} data-testid="import-preview-row">
                    <td>{r.imageId}</td>
                    <td>{r.annId}</td>
                    <td className="text">{r.query}</td>
                    <td>
                      {r.width}×{r.height}
                    </td>
                    <td>{r.maskArea}</td>
                  </tr>
                ))}
              </tbody>
            </>
          ) : (
            <>
              <thead>
                <tr>
                  <th>line</th>
                  <th>image id</th>
                  <th>ann id</th>
                  <th>answer</th>
                  <th>objects</th>
                  <th>mask</th>
                  <th>IoU</th>
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r) => (
                  <tr key={`${r.file}:${r.line}`} data-testid="import-preview-row">
                    <td>{r.line}</td>
                    <td>{r.imageId}</td>
                    <td>{r.annId}</td>
                    <td className="text">{r.answer ?? '—'}</td>
                    <td>{r.objects ?? '—'}</td>
                    <td>{r.hasMask ? 'yes' : 'no'}</td>
                    <td>{r.iou.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </>
          )}
        </table>
      )}
      {preview.problemCount > 0 && (
        <div className="import-problems" data-testid="import-problems">
          <strong>
            {preview.problemCount} problem{preview.problemCount === 1 ? '' : 's'}
          </strong>
          <ul>
            {preview.problems.map((p, i) => (
              <li key={i} data-testid="import-problem">
                {p.file && <code>{p.file}</code>}
                {p.row != null && (
                  <span className="where">
                    {' '}
                    {p.file?.endsWith('.parquet') ? 'row' : 'line'} {p.row}
                  </span>
                )}
                {p.file || p.row != null ? ': ' : ''}
                {p.message}
              </li>
            ))}
          </ul>
          {preview.problemCount > preview.problems.length && (
            <div className="muted">… and {preview.problemCount - preview.problems.length} more</div>
          )}
        </div>
      )}
    </section>
  )
}
