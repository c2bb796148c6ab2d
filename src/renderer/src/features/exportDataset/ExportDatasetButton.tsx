/** "Export dataset…" in the top bar: a small form that starts the exportDataset job. */
import { useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { FORMAT_LABELS, type ExportFormat, type GtVersion } from './exportForm'
import { useExportDataset } from './useExportDataset'
import './exportDataset.css'

export function ExportDatasetButton({ api }: { api: ApiClient }) {
  const [open, setOpen] = useState(false)
  const { datasets, form, update, start, message, busy } = useExportDataset(api, open)
  return (
    <span className="export-dataset">
      <button
        className="link"
        title="Write a dataset as ReasonSeg parquet, LISA json or COCO"
        onClick={() => setOpen((o) => !o)}
        data-testid="export-dataset"
      >
        Export dataset…
      </button>
      {open && (
        <form
          className="export-dataset-form"
          data-testid="export-dataset-form"
          onSubmit={(e) => {
            e.preventDefault()
            void start()
          }}
        >
          <label>
            Dataset
            <select value={form.dataset} onChange={(e) => update({ dataset: e.target.value })}>
              {datasets.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <label>
            Format
            <select value={form.format} onChange={(e) => update({ format: e.target.value as ExportFormat })}>
              {Object.entries(FORMAT_LABELS).map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Ground truth
            <select value={form.gt} onChange={(e) => update({ gt: e.target.value as GtVersion })}>
              <option value="original">original (as imported)</option>
              <option value="corrected">corrected</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={form.excludeFlagged}
              onChange={(e) => update({ excludeFlagged: e.target.checked })}
            />
            leave out flagged samples
          </label>
          <label>
            Output folder
            <input
              type="text"
              value={form.out}
              placeholder="/path/to/export"
              onChange={(e) => update({ out: e.target.value })}
              data-testid="export-dataset-out"
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={form.force}
              onChange={(e) => update({ force: e.target.checked })}
            />
            replace a non-empty folder
          </label>
          <div className="row">
            <button type="submit" disabled={busy}>
              Export
            </button>
            <button type="button" className="link" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
          {message && <div className={message.kind === 'error' ? 'error' : 'muted'}>{message.text}</div>}
        </form>
      )}
    </span>
  )
}
