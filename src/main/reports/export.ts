/**
 * `exportReport`: the one entry point the CLI and the API share for every report format. HTML, CSV and
 * JSON stream to a temporary file renamed into place; PDF prints the HTML through Chromium; COCO delegates
 * to the data area's `exportCoco`.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_BOOTSTRAP } from '../../shared/domain/bootstrap'
import { requireRun } from '../analysis/results'
import { ORIGINAL_GT, runMetrics, type GtOptions } from '../metrics/runMetrics'
import { produceFileAtomic } from '../files/atomicWrite'
import type { Project } from '../store/project'
import { requireAuthored } from './authored'
import { exportCoco } from './coco'
import { writeHtmlReport, type HtmlReportOptions } from './html'
import { printHtmlToPdf } from './pdf'
import { openSink, type Sink } from './sink'
import { writeCsv, writeJson } from './table'

export const REPORT_FORMATS = ['html', 'csv', 'json', 'coco', 'pdf'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface ExportOptions {
  run: string | number
  compare?: string | number | null
  format: ReportFormat
  out: string
  worstK?: number
  examplesPerTag?: number
  seed?: number
  /** GT version and flag exclusion (default: original, every sample); every format states it. */
  gt?: GtOptions
  /**
   * Just the samples this user touched in the run (audit log): csv / json rows gain an `authored` column;
   * html / pdf keep whole-run metrics and restrict their per-sample sections, saying so in the header.
   */
  author?: string | null
  signal?: AbortSignal
  onProgress?: (done: number, total: number, phase: string) => void
}

export interface ExportResult {
  format: ReportFormat
  out: string
  bytes: number
  /** Sample rows (CSV, JSON), masks (COCO); 0 for HTML and PDF. */
  rows: number
  message: string
}

export async function exportReport(project: Project, opts: ExportOptions): Promise<ExportResult> {
  const run = requireRun(project.db, opts.run)
  const cmp = opts.compare != null && opts.compare !== '' ? requireRun(project.db, opts.compare) : null
  if (cmp && cmp.dataset_id !== run.dataset_id) {
    throw new Error(`cannot compare '${run.name}' with '${cmp.name}': they are on different datasets`)
  }
  const done = (rows: number, message: string): ExportResult => ({
    format: opts.format,
    out: opts.out,
    bytes: fs.statSync(opts.out).size,
    rows,
    message,
  })
  const gt = opts.gt ?? ORIGINAL_GT
  // The author filter: the user and the samples they touched (sample id → the `authored` cell).
  const author =
    opts.author != null && opts.author !== ''
      ? { name: opts.author, samples: requireAuthored(project.db, run, opts.author, opts.format) }
      : undefined
  const table = {
    runId: run.id,
    compareRunId: cmp?.id ?? null,
    gt,
    authored: author?.samples,
    signal: opts.signal,
    onProgress: (d: number, t: number) => opts.onProgress?.(d, t, 'rows'),
  }
  switch (opts.format) {
    case 'coco': {
      if (cmp) throw new Error("--compare does not apply to the coco format (it exports one run's masks)")
      if (gt.gt !== 'original' || gt.excludeFlagged) {
        throw new Error(
          '--gt / --exclude-flagged do not apply to the coco format (it exports predicted masks, not GT)',
        )
      }
      const r = exportCoco(project, run.name, opts.out)
      return done(
        r.written,
        `${r.written} masks written${r.withoutMask ? `, ${r.withoutMask} predictions without a mask skipped` : ''}`,
      )
    }
    case 'csv': {
      const n = await withSink(opts.out, (sink) => writeCsv(project.db, sink, table))
      return done(n, `${n} samples written`)
    }
    case 'json': {
      const m = runMetrics(project.db, run, 'segzero', gt)
      const header: Record<string, unknown> = {
        run: run.name,
        model: run.model,
        convention: m.convention,
        gt: m.gt,
        n: m.n,
        missing: m.missing,
        gIoU: m.gIoU,
        cIoU: m.cIoU,
      }
      // The headline metrics above are the whole run's; the header says which samples follow.
      if (author) header.author = { name: author.name, samples: author.samples.size, metrics: 'whole run' }
      if (cmp) {
        const c = runMetrics(project.db, cmp, 'segzero', gt)
        header.compare = {
          run: cmp.name,
          model: cmp.model,
          gt: c.gt,
          n: c.n,
          missing: c.missing,
          gIoU: c.gIoU,
          cIoU: c.cIoU,
        }
      }
      const n = await withSink(opts.out, (sink) => writeJson(project.db, sink, { ...table, header }))
      return done(n, `${n} samples written`)
    }
    case 'html': {
      await withSink(opts.out, (sink) =>
        writeHtmlReport(project, sink, htmlOpts(run.id, cmp?.id ?? null, opts, author)),
      )
      return done(0, 'self-contained HTML report written')
    }
    case 'pdf': {
      const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-pdf-'))
      try {
        const html = path.join(tmpDir, 'report.html')
        await withSink(html, (sink) =>
          writeHtmlReport(project, sink, htmlOpts(run.id, cmp?.id ?? null, opts, author)),
        )
        opts.onProgress?.(1, 1, 'printing')
        await produceFileAtomic(opts.out, (tmp) => printHtmlToPdf(html, tmp))
      } finally {
        fs.rmSync(tmpDir, { recursive: true, force: true })
      }
      return done(0, 'PDF report written')
    }
  }
}

function htmlOpts(
  runId: number,
  compareRunId: number | null,
  o: ExportOptions,
  author: HtmlReportOptions['author'],
) {
  return {
    author,
    runId,
    compareRunId,
    gt: o.gt ?? ORIGINAL_GT,
    worstK: o.worstK,
    examplesPerTag: o.examplesPerTag,
    seed: o.seed ?? DEFAULT_BOOTSTRAP.seed,
    signal: o.signal,
    onProgress: o.onProgress,
  }
}

async function withSink<T>(file: string, fn: (sink: Sink) => Promise<T>): Promise<T> {
  const sink = openSink(file)
  try {
    const r = await fn(sink)
    await sink.close()
    return r
  } catch (e) {
    await sink.abort()
    throw e
  }
}
