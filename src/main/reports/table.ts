/**
 * CSV and JSON exports: one row (object) per sample with every stored field, streamed page by page.
 * CSV follows RFC 4180 (quoted when needed, CRLF line ends); list and object fields are JSON text in
 * their cell (tags are ';'-joined), so a spreadsheet opens it and a script can still parse everything.
 */
import type { GtOptions } from '../metrics/runMetrics'
import type { Db } from '../store/project'
import { countExportRows, exportColumns, exportRows, type ExportRow } from './rows'
import type { Sink } from './sink'

export interface TableExportOptions {
  runId: number
  compareRunId?: number | null
  /** GT version and flag exclusion (default: original, every sample). */
  gt?: GtOptions
  /** Only these samples (sample id → `authored` cell), with an `authored` column; absent: every sample. */
  authored?: ReadonlyMap<number, string>
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export function csvCell(v: unknown): string {
  if (v == null) return ''
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function cellValue(row: ExportRow, col: keyof ExportRow): unknown {
  const v = row[col]
  if (col === 'tags') return (v as string[]).join(';')
  return v
}

export async function writeCsv(db: Db, sink: Sink, opts: TableExportOptions): Promise<number> {
  const cols = exportColumns(opts.compareRunId != null, opts.authored != null)
  const total = countExportRows(db, opts.runId, opts.gt, opts.authored)
  await sink.write(`${cols.join(',')}\r\n`)
  let done = 0
  for (const page of exportRows(db, opts.runId, opts.compareRunId, 500, opts.gt, opts.authored)) {
    if (opts.signal?.aborted) throw new Error('export cancelled')
    await sink.write(page.map((r) => `${cols.map((c) => csvCell(cellValue(r, c))).join(',')}\r\n`).join(''))
    done += page.length
    opts.onProgress?.(done, total)
  }
  return done
}

/** `{"run", "compare", "samples": [...]}`, one sample object per line inside the array. */
export async function writeJson(
  db: Db,
  sink: Sink,
  opts: TableExportOptions & { header: Record<string, unknown> },
): Promise<number> {
  const cols = exportColumns(opts.compareRunId != null, opts.authored != null)
  const total = countExportRows(db, opts.runId, opts.gt, opts.authored)
  const head = JSON.stringify(opts.header)
  await sink.write(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"samples":[\n`)
  let done = 0
  for (const page of exportRows(db, opts.runId, opts.compareRunId, 500, opts.gt, opts.authored)) {
    if (opts.signal?.aborted) throw new Error('export cancelled')
    const text = page
      .map(
        (r, i) =>
          `${done + i > 0 ? ',\n' : ''}${JSON.stringify(Object.fromEntries(cols.map((c) => [c, r[c] ?? null])))}`,
      )
      .join('')
    await sink.write(text)
    done += page.length
    opts.onProgress?.(done, total)
  }
  await sink.write('\n]}\n')
  return done
}
