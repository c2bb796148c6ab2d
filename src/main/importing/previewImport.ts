/**
 * What an import would read, before it writes anything: the first rows of a dataset or run source and the
 * problems found, through the importers' own readers (openDatasetSource, planRunImport), so the preview
 * and the import can never disagree about a file.
 */
import path from 'node:path'
import { area } from '../../shared/domain/rle'
import type { z } from 'zod'
import type { MethodOutput } from '../../shared/contract'
import { PREVIEW_ROWS, type ImportProblem, type importingMethods } from '../../shared/contract/importing'
import { defaultName, openDatasetSource } from '../datasets/importDataset'
import { checkRecordSize, imageInfo } from '../datasets/importRecords'
import { planRunImport } from '../runs/importRun'
import type { Project } from '../store/project'

type PreviewInput = z.output<(typeof importingMethods)['previewImport']['input']>
type PreviewOutput = MethodOutput<'previewImport'>
type DatasetPreview = Extract<PreviewOutput, { kind: 'dataset' }>
type RunPreview = Extract<PreviewOutput, { kind: 'run' }>

/** Problems listed in full; the count says how many there are in all. */
const MAX_PROBLEMS = 50
const ANSWER_CHARS = 160

export async function previewImport(project: Project, input: PreviewInput): Promise<PreviewOutput> {
  return input.kind === 'dataset'
    ? previewDataset(input.path, input.format, input.split)
    : previewRun(project, input.path, input.format, input.dataset)
}

async function previewDataset(
  source: string,
  format: Extract<PreviewInput, { kind: 'dataset' }>['format'],
  split: string | undefined,
): Promise<DatasetPreview> {
  const out: DatasetPreview = {
    kind: 'dataset',
    path: source,
    format,
    split: split ?? null,
    total: null,
    rows: [],
    problems: [],
    problemCount: 0,
    suggestedName: defaultName(source, split ?? null),
  }
  if (source.startsWith('hf://')) {
    out.problems.push({
      file: null,
      row: null,
      message: 'previews read local files; import hf:// sources with reseg import',
    })
    out.problemCount = 1
    return out
  }
  try {
    const opened = await openDatasetSource(source, { format, split })
    out.format = opened.format
    out.split = opened.split
    out.total = opened.total
    out.suggestedName = defaultName(source, opened.split)
    let seen = 0
    for await (const r of opened.records) {
      try {
        const info = await imageInfo(r.image, r.where)
        checkRecordSize(r, info)
        out.rows.push({
          where: r.where,
          imageId: r.imageId,
          annId: r.annId,
          query: r.query,
          width: info.width,
          height: info.height,
          maskArea: area(r.gt),
        })
      } catch (err) {
        out.problems.push(problemOf(err))
      }
      if (++seen >= PREVIEW_ROWS) break
    }
    if (seen === 0) out.problems.push({ file: source, row: null, message: 'no samples found' })
  } catch (err) {
    out.problems.push(problemOf(err))
  }
  out.problemCount = out.problems.length
  return out
}

async function previewRun(
  project: Project,
  file: string,
  format: Extract<PreviewInput, { kind: 'run' }>['format'],
  dataset: string | undefined,
): Promise<RunPreview> {
  const base: RunPreview = {
    kind: 'run',
    path: file,
    format,
    dataset: null,
    total: null,
    rows: [],
    problems: [],
    problemCount: 0,
    suggestedName: path.basename(path.resolve(file)).replace(/\.(jsonl|json)$/i, ''),
  }
  try {
    const plan = await planRunImport(project, { path: file, format, dataset })
    return {
      ...base,
      format: plan.format,
      dataset: plan.dataset.name,
      // Every line either became a prediction row or an error.
      total: plan.matched.length + plan.errors.length,
      rows: plan.matched.slice(0, PREVIEW_ROWS).map(({ rec, row }) => ({
        file: rec.file,
        line: rec.line,
        imageId: rec.imageId,
        annId: rec.annId,
        answer: clip(row.answer ?? rec.rawOutput ?? row.reasoning ?? null),
        objects: row.prompts ? row.prompts.length : null,
        hasMask: row.mask != null,
        iou: row.iou,
      })),
      problems: plan.errors
        .slice(0, MAX_PROBLEMS)
        .map((e) => ({ file: e.file, row: e.line, message: e.message })),
      problemCount: plan.errors.length,
    }
  } catch (err) {
    return { ...base, problems: [problemOf(err)], problemCount: 1 }
  }
}

function clip(text: string | null): string | null {
  if (text == null) return null
  const t = text.trim()
  return t.length > ANSWER_CHARS ? `${t.slice(0, ANSWER_CHARS - 1)}…` : t
}

/**
 * The readers name the place first (`file: row N: …`, `file:N: …`, `file: …`); split it off so the form can
 * show file and row in their own columns. A message without a place keeps file and row null.
 */
export function problemOf(err: unknown): ImportProblem {
  const message = err instanceof Error ? err.message : String(err)
  const rowMatch = /^(.+?): row (\d+)(?: \([^)]*\))?: ([\s\S]*)$/.exec(message)
  if (rowMatch) return { file: rowMatch[1], row: Number(rowMatch[2]), message: rowMatch[3] }
  const lineMatch = /^(.+?):(\d+): ([\s\S]*)$/.exec(message)
  if (lineMatch) return { file: lineMatch[1], row: Number(lineMatch[2]), message: lineMatch[3] }
  const fileMatch = /^((?:\/|[A-Za-z]:\\)[^:]*?)(?: \([^)]*\))?: ([\s\S]*)$/.exec(message)
  if (fileMatch) return { file: fileMatch[1], row: null, message: fileMatch[2] }
  return { file: null, row: null, message }
}
