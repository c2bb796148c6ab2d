/**
 * `reseg import run`: matches a run file's records to a dataset's samples, scores them, and writes the
 * run in one transaction. Everything that can be wrong with a line (bad JSON, unknown sample, mask size)
 * is found before the first write, so an aborted import leaves the project exactly as it was.
 */
import path from 'node:path'
import { parseSegZeroOutput } from '../../shared/domain/answer'
import { maskCounts, sampleIou } from '../../shared/domain/metrics'
import { fromCoco, type Rle } from '../../shared/domain/rle'
import { listDatasets, type DatasetRow } from '../store/datasets'
import type { Project } from '../store/project'
import { createRun, deleteRun, getRunByName, upsertPrediction, type NewPrediction } from '../store/runs'
import { sampleKey } from '../store/samples'
import {
  detectRunFormat,
  LineError,
  readRunFiles,
  type RunFileFormat,
  type RunFormatOption,
  type RunRecord,
} from './runFiles'

export interface ImportRunOptions {
  path: string
  name: string
  format?: RunFormatOption
  /** Dataset name; may be left out when the project has one dataset or the first record's sample is in one. */
  dataset?: string
  /** Model name stored with the run; defaults to Seg-Zero / VisionReasoner for those formats. */
  model?: string
  replace?: boolean
  skipBad?: boolean
  onProgress?: (p: { phase: 'read' | 'match' | 'write'; done: number; total: number }) => void
}

export interface ImportRunResult {
  runId: number
  name: string
  dataset: string
  format: RunFileFormat
  files: string[]
  imported: number
  /** Dataset samples without a record (scored as empty masks). */
  missing: number
  /** Raw outputs whose answer could not be parsed (kept, scored as empty masks). */
  parseErrors: number
  skipped: LineError[]
  replaced: boolean
}

/** An import that was refused; `errors` name each file:line. */
export class RunImportError extends Error {
  constructor(
    message: string,
    readonly errors: LineError[] = [],
  ) {
    super(message)
    this.name = 'RunImportError'
  }
}

const MODEL_BY_FORMAT: Partial<Record<RunFormatOption, string>> = {
  segzero: 'Seg-Zero',
  visionreasoner: 'VisionReasoner',
}

interface SampleInfo {
  id: number
  width: number
  height: number
  gtRle: string
  ignoreRle: string | null
  gtArea: number
}

/** A run file read and matched against its dataset, nothing written yet: what an import would store. */
export interface RunImportPlan {
  format: RunFileFormat
  files: string[]
  dataset: DatasetRow
  /** Dataset samples (a record matches at most one). */
  sampleCount: number
  /** Records with the prediction row each becomes, in file order. */
  matched: { rec: RunRecord; row: Omit<NewPrediction, 'runId'> }[]
  /** Every line that cannot be imported, sorted by file and line. */
  errors: LineError[]
  parseErrors: number
}

/**
 * Reads, matches and scores a run file without writing: importRun stores the plan, the import form
 * previews it (the same parsing and the same per-line errors).
 */
export async function planRunImport(
  project: Project,
  opts: Pick<ImportRunOptions, 'path' | 'format' | 'dataset' | 'onProgress'>,
): Promise<RunImportPlan> {
  const format = await detectRunFormat(opts.path, opts.format ?? 'auto')
  opts.onProgress?.({ phase: 'read', done: 0, total: 0 })
  const read = await readRunFiles(opts.path, format)
  opts.onProgress?.({ phase: 'read', done: read.records.length, total: read.records.length })

  const dataset = pickDataset(project, opts.dataset, read.records[0])
  const samples = loadSamples(project, dataset.id)
  const errors = [...read.errors]
  const matched: RunImportPlan['matched'] = []
  const seen = new Map<number, RunRecord>()
  let parseErrors = 0
  read.records.forEach((rec, k) => {
    if (k % 200 === 0) opts.onProgress?.({ phase: 'match', done: k, total: read.records.length })
    const fail = (m: string) => errors.push(new LineError(rec.file, rec.line, m))
    const s = samples.get(sampleKey(rec.imageId, rec.annId))
    if (!s) {
      return fail(
        `no sample with image_id '${rec.imageId}' and ann_id '${rec.annId}' in dataset '${dataset.name}'`,
      )
    }
    const prev = seen.get(s.id)
    if (prev)
      return fail(`duplicate of ${prev.file}:${prev.line} (image_id '${rec.imageId}', ann_id '${rec.annId}')`)
    try {
      const row = scoreRecord(rec, s, format)
      if (row.parseError) parseErrors++
      matched.push({ rec, row: { sampleId: s.id, ...row } })
      seen.set(s.id, rec)
    } catch (err) {
      fail((err as Error).message)
    }
  })
  errors.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
  return { format, files: read.files, dataset, sampleCount: samples.size, matched, errors, parseErrors }
}

export async function importRun(project: Project, opts: ImportRunOptions): Promise<ImportRunResult> {
  const { db } = project
  if (!opts.name.trim()) throw new RunImportError('the run needs a name (--name)')
  const existing = getRunByName(db, opts.name)
  if (existing && !opts.replace) {
    throw new RunImportError(`a run named '${opts.name}' already exists; pass --replace to overwrite it`)
  }
  const plan = await planRunImport(project, opts)
  const { format, dataset, errors, parseErrors } = plan
  const rows = plan.matched.map((m) => m.row)
  if (errors.length > 0 && !opts.skipBad) {
    const shown = errors.slice(0, 20).map(String)
    const more = errors.length > 20 ? `\n… and ${errors.length - 20} more` : ''
    throw new RunImportError(
      `${shown.join('\n')}${more}\nrun not imported (${errors.length} bad line${errors.length === 1 ? '' : 's'}; --skip-bad imports the rest)`,
      errors,
    )
  }

  const runId = db.transaction(() => {
    if (existing) deleteRun(db, existing.id)
    const id = createRun(db, {
      datasetId: dataset.id,
      name: opts.name,
      kind: 'imported',
      source: path.resolve(opts.path),
      model: opts.model ?? MODEL_BY_FORMAT[opts.format ?? 'auto'] ?? null,
      meta: { format, files: plan.files, skipped: errors.length },
    })
    rows.forEach((r, k) => {
      upsertPrediction(db, { runId: id, ...r })
      if (k % 200 === 0) opts.onProgress?.({ phase: 'write', done: k, total: rows.length })
    })
    return id
  })()
  opts.onProgress?.({ phase: 'write', done: rows.length, total: rows.length })
  return {
    runId,
    name: opts.name,
    dataset: dataset.name,
    format,
    files: plan.files,
    imported: rows.length,
    missing: plan.sampleCount - rows.length,
    parseErrors,
    skipped: errors,
    replaced: existing !== undefined,
  }
}

/** Turns a matched record into a prediction row with I, U and IoU (Seg-Zero convention stored). */
function scoreRecord(
  rec: RunRecord,
  s: SampleInfo,
  format: RunFileFormat,
): Omit<NewPrediction, 'runId' | 'sampleId'> {
  const gt = (): Rle => fromCoco({ size: [s.height, s.width], counts: s.gtRle })
  const ignore = (): Rle | null =>
    s.ignoreRle ? fromCoco({ size: [s.height, s.width], counts: s.ignoreRle }) : null
  if (rec.counts) {
    const { intersection, union } = rec.counts
    if (union > s.width * s.height) {
      throw new Error(`union ${union} is more pixels than the image has (${s.height}x${s.width})`)
    }
    // Only checkable without ignore regions: their evaluation counts the whole GT.
    if (!s.ignoreRle && (intersection > s.gtArea || union < s.gtArea)) {
      throw new Error(
        `intersection ${intersection} / union ${union} cannot belong to this sample's ground truth of ${s.gtArea} pixels ` +
          '(were these outputs computed on another dataset?)',
      )
    }
    return {
      reasoning: rec.reasoning,
      intersection,
      union,
      iou: sampleIou(intersection, union),
      bboxIou: rec.bboxIou,
    }
  }
  let { prompts, reasoning, answer } = rec
  let parseError: string | null = null
  if (format === 'raw' && rec.rawOutput !== null) {
    const parsed = parseSegZeroOutput(rec.rawOutput, { width: s.width, height: s.height })
    prompts = parsed.objects
    reasoning = parsed.reasoning
    answer = parsed.answerText
    parseError = parsed.parseError
  }
  if (rec.mask && (rec.mask.h !== s.height || rec.mask.w !== s.width)) {
    throw new Error(
      `mask is ${rec.mask.h}x${rec.mask.w} but sample image_id '${rec.imageId}' ann_id '${rec.annId}' is ` +
        `${s.height}x${s.width} (height x width)`,
    )
  }
  const { intersection, union } =
    rec.mask || s.ignoreRle ? maskCounts(rec.mask, gt(), ignore()) : { intersection: 0, union: s.gtArea }
  return {
    rawOutput: rec.rawOutput,
    reasoning,
    answer,
    parseError,
    prompts,
    mask: rec.mask,
    intersection,
    union,
    iou: sampleIou(intersection, union),
  }
}

function pickDataset(project: Project, name: string | undefined, first: RunRecord | undefined): DatasetRow {
  const all = listDatasets(project.db)
  if (name !== undefined) {
    const d = all.find((x) => x.name === name)
    if (!d)
      throw new RunImportError(
        `no dataset named '${name}' (the project has: ${all.map((x) => x.name).join(', ') || 'none'})`,
      )
    return d
  }
  if (all.length === 0)
    throw new RunImportError('the project has no dataset yet; import one first (reseg import dataset)')
  if (all.length === 1) return all[0]
  if (first) {
    const holding = project.db
      .prepare('SELECT DISTINCT dataset_id FROM samples WHERE image_id = ? AND ann_id = ?')
      .all(first.imageId, first.annId) as { dataset_id: number }[]
    if (holding.length === 1) return all.find((d) => d.id === holding[0].dataset_id)!
  }
  throw new RunImportError(`the project has ${all.length} datasets; say which with --dataset NAME`)
}

function loadSamples(project: Project, datasetId: number): Map<string, SampleInfo> {
  const rows = project.db
    .prepare(
      'SELECT id, image_id, ann_id, width, height, gt_rle, gt_area, ignore_rle FROM samples WHERE dataset_id = ?',
    )
    .all(datasetId) as {
    id: number
    image_id: string
    ann_id: string
    width: number
    height: number
    gt_rle: string
    gt_area: number
    ignore_rle: string | null
  }[]
  return new Map(
    rows.map((r) => [
      sampleKey(r.image_id, r.ann_id),
      {
        id: r.id,
        width: r.width,
        height: r.height,
        gtRle: r.gt_rle,
        ignoreRle: r.ignore_rle,
        gtArea: r.gt_area,
      },
    ]),
  )
}
