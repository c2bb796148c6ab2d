/** The export dialog's form and its translation into an `exportDataset` request (pure, unit-tested). */
import type { MethodInput } from '../../../../shared/contract'

export type ExportFormat = MethodInput<'exportDataset'>['format']
export type GtVersion = NonNullable<MethodInput<'exportDataset'>['gt']>

export interface ExportForm {
  dataset: string
  format: ExportFormat
  gt: GtVersion
  excludeFlagged: boolean
  out: string
  force: boolean
}

export const FORMAT_LABELS: Record<ExportFormat, string> = {
  'hf-parquet': 'ReasonSeg parquet (Hugging Face)',
  lisa: 'LISA json polygons',
  coco: 'COCO instances (RLE)',
}

export function initialForm(datasets: string[]): ExportForm {
  return {
    dataset: datasets[0] ?? '',
    format: 'hf-parquet',
    gt: 'original',
    excludeFlagged: false,
    out: '',
    force: false,
  }
}

/** The request to send, or why the form cannot be sent yet. */
export function exportRequest(
  form: ExportForm,
): { ok: true; input: MethodInput<'exportDataset'> } | { ok: false; error: string } {
  if (!form.dataset) return { ok: false, error: 'Choose a dataset.' }
  const out = form.out.trim()
  if (!out)
    return { ok: false, error: 'Enter the output folder (a path on the machine running the backend).' }
  return {
    ok: true,
    input: {
      dataset: form.dataset,
      format: form.format,
      gt: form.gt,
      excludeFlagged: form.excludeFlagged,
      out,
      force: form.force,
    },
  }
}
