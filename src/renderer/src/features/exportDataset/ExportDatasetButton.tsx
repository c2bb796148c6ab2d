/** "Export dataset…" in the top bar: a small form that starts the exportDataset job. */
import { useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { FORMAT_LABELS, type ExportFormat, type GtVersion } from './exportForm'
import { useExportDataset } from './useExportDataset'
import './exportDataset.css'
import { CheckField, SelectField, TextField } from '../../app/formFields'

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
          <SelectField
            label="Dataset"
            value={form.dataset}
            options={datasets.map((d) => [d, d] as const)}
            onChange={(dataset) => update({ dataset })}
          />
          <SelectField
            label="Format"
            value={form.format}
            options={Object.entries(FORMAT_LABELS) as [ExportFormat, string][]}
            onChange={(format) => update({ format })}
          />
          <SelectField<GtVersion>
            label="Ground truth"
            value={form.gt}
            options={[
              ['original', 'original (as imported)'],
              ['corrected', 'corrected'],
            ]}
            onChange={(gt) => update({ gt })}
          />
          <CheckField
            label="leave out flagged samples"
            checked={form.excludeFlagged}
            onChange={(excludeFlagged) => update({ excludeFlagged })}
          />
          <TextField
            label="Output folder"
            value={form.out}
            placeholder="/path/to/export"
            onChange={(out) => update({ out })}
            testId="export-dataset-out"
          />
          <CheckField
            label="replace a non-empty folder"
            checked={form.force}
            onChange={(force) => update({ force })}
          />
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
