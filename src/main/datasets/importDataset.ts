/**
 * `reseg import dataset` and the `importDataset` API method: resolves the source (a path or
 * hf://owner/name), detects its format, and feeds the matching reader into the transactional importer.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Project } from '../store/project'
import { cocoRecords, findCocoJson } from './coco'
import { fetchHubDataset, parseHfUri, type HubOptions } from './hfHub'
import { countParquetRows, hfParquetRecords, resolveParquetFiles } from './hfParquet'
import { importRecords, type DatasetRecord, type ImportSummary, type ProgressFn } from './importRecords'
import { isLisaFolder, lisaRecords } from './lisa'
import { isPlainFolder, plainFolderRecords } from './plainFolder'

export const DATASET_FORMATS = ['auto', 'hf-parquet', 'lisa', 'coco', 'folder'] as const
export type DatasetFormat = (typeof DATASET_FORMATS)[number]

export interface ImportDatasetOptions {
  format?: DatasetFormat
  name?: string
  split?: string | null
  onProgress?: ProgressFn
  /** Download progress of hf:// sources. */
  onDownload?: HubOptions['onProgress']
  hub?: Omit<HubOptions, 'onProgress'>
  signal?: AbortSignal
}

export interface ImportDatasetResult extends ImportSummary {
  format: Exclude<DatasetFormat, 'auto'>
  split: string | null
}

function hasParquet(dir: string): boolean {
  const data = path.join(dir, 'data')
  const scan = fs.existsSync(data) ? data : dir
  return fs.readdirSync(scan).some((f) => f.endsWith('.parquet'))
}

export function detectFormat(source: string): Exclude<DatasetFormat, 'auto'> {
  if (source.startsWith('hf://')) return 'hf-parquet'
  if (!fs.existsSync(source)) throw new Error(`${source}: no such file or folder`)
  const stat = fs.statSync(source)
  if (stat.isFile()) {
    if (source.endsWith('.parquet')) return 'hf-parquet'
    if (findCocoJson(source)) return 'coco'
    throw new Error(`${source}: cannot tell the format of this file; pass --format`)
  }
  if (hasParquet(source)) return 'hf-parquet'
  if (isPlainFolder(source)) return 'folder'
  if (findCocoJson(source)) return 'coco'
  if (isLisaFolder(source)) return 'lisa'
  throw new Error(
    `${source}: not a known dataset layout (data/*.parquet, queries.jsonl, a COCO instances JSON, or LISA image+json pairs); pass --format`,
  )
}

export function defaultName(source: string, split: string | null): string {
  const base = source.startsWith('hf://')
    ? parseHfUri(source).split('/')[1]
    : path.basename(path.resolve(source))
  const stem = base.replace(/\.(parquet|json)$/, '')
  return split && !stem.includes(split) ? `${stem}-${split}` : stem
}

/** A dataset source opened for reading: its format, split and records (streamed), nothing written yet. */
export interface DatasetSource {
  format: Exclude<DatasetFormat, 'auto'>
  split: string | null
  /** Rows in the source when cheap to know (parquet metadata), else null. */
  total: number | null
  records: AsyncIterable<DatasetRecord>
}

/** Resolves and opens a source with the reader its format needs; importDataset and the import preview share it. */
export async function openDatasetSource(
  source: string,
  opts: Pick<ImportDatasetOptions, 'format' | 'split' | 'onDownload' | 'hub'> = {},
): Promise<DatasetSource> {
  const format = !opts.format || opts.format === 'auto' ? detectFormat(source) : opts.format
  let records: AsyncIterable<DatasetRecord>
  let split: string | null = opts.split ?? null
  let total: number | null = null
  if (format === 'hf-parquet') {
    let files: string[]
    if (source.startsWith('hf://')) {
      const fetched = await fetchHubDataset(parseHfUri(source), split, {
        ...opts.hub,
        onProgress: opts.onDownload,
      })
      files = fetched.files
      split = fetched.split
    } else {
      const resolved = resolveParquetFiles(source, split)
      files = resolved.files
      split = resolved.split
    }
    total = await countParquetRows(files)
    records = hfParquetRecords(files)
  } else if (format === 'lisa') {
    records = lisaRecords(source)
  } else if (format === 'coco') {
    const json = findCocoJson(source)
    if (!json) throw new Error(`${source}: no COCO instances JSON (with 'images' and 'annotations') found`)
    records = cocoRecords(json)
  } else {
    records = plainFolderRecords(source)
  }
  return { format, split, total, records }
}

export async function importDataset(
  project: Project,
  source: string,
  opts: ImportDatasetOptions = {},
): Promise<ImportDatasetResult> {
  const { format, split, total, records } = await openDatasetSource(source, opts)
  const name = opts.name ?? defaultName(source, split)
  const summary = await importRecords(project, { name, format, source, split }, records, {
    total,
    onProgress: opts.onProgress,
    signal: opts.signal,
  })
  return { ...summary, format, split }
}
