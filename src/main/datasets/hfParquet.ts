/**
 * ReasonSeg in Hugging Face parquet as dataset records: one file, or a folder in the Hub layout
 * (`data/<split>-NNNNN-of-NNNNN.parquet`, or the shards directly in the folder).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { DatasetRecord } from './importRecords'
import { readReasonSegParquet, scanParquet } from './parquet/reasonSegParquet'

/** `test-00000-of-00002.parquet` → `test` (also `test-anything.parquet`); null when the name has no split. */
export function splitOfShard(file: string): string | null {
  const base = path.basename(file, '.parquet')
  const m = /^(.+?)-\d+-of-\d+$/.exec(base) ?? /^([^-]+)-/.exec(base)
  return m ? m[1] : null
}

/** The parquet shards to import and the split they belong to. */
export function resolveParquetFiles(
  source: string,
  split?: string | null,
): { files: string[]; split: string | null } {
  const stat = fs.statSync(source)
  if (stat.isFile()) return { files: [source], split: split ?? splitOfShard(source) }
  const dataDir = fs.existsSync(path.join(source, 'data')) ? path.join(source, 'data') : source
  const all = fs
    .readdirSync(dataDir)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => path.join(dataDir, f))
  if (all.length === 0) throw new Error(`${source}: no .parquet files (expected data/<split>-*.parquet)`)
  const splits = [...new Set(all.map(splitOfShard))]
  if (split) {
    const files = all.filter((f) => splitOfShard(f) === split)
    if (files.length === 0)
      throw new Error(`${source}: no shards for split '${split}' (found: ${splits.join(', ')})`)
    return { files, split }
  }
  if (splits.length > 1) {
    throw new Error(
      `${source}: several splits (${splits.map((x) => x ?? '(none)').join(', ')}); choose one with --split`,
    )
  }
  return { files: all, split: splits[0] }
}

export async function countParquetRows(files: string[]): Promise<number> {
  let n = 0
  for (const f of files) n += (await scanParquet(f)).rows
  return n
}

export async function* hfParquetRecords(files: string[]): AsyncGenerator<DatasetRecord> {
  for (const file of files) {
    for await (const row of readReasonSegParquet(file)) {
      yield {
        imageId: row.imageId,
        annId: row.annId,
        query: row.query,
        isSentence: null,
        image: row.imageBytes,
        gt: row.mask,
        where: `${file}: row ${row.row}`,
      }
    }
  }
}
