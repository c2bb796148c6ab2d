/**
 * Import of a ReasonSeg-sized parquet (≥ 779 rows, 0.3–4 MP JPEGs and masks, ≥ 1 GB) as each writer lays
 * it out: the HF `datasets` layout (row groups of 100, 1 MiB pages, SNAPPY), the same rows rewritten by
 * DuckDB (one row group, one page per column chunk: hundreds of MB), polars' defaults (ZSTD, 1 MiB pages,
 * one row group, dictionary strings) and pyarrow with 64 MiB data pages v2. For each: throughput (file
 * MB/s) and peak RSS of our streaming importer, measured in a child process, beside DuckDB scanning the
 * same file (images + every mask boolean) in the same run.
 *
 *   npx tsx bench/import.bench.ts            # generates the files in the OS temp dir, deletes them after
 *   LAYOUTS=duckdb,polars npx tsx bench/import.bench.ts        # a subset (hf, duckdb, polars, pyarrow64v2)
 *   ROWS=779 IMAGES=779 KEEP=1 npx tsx bench/import.bench.ts   # every row its own image (slow to generate)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { peakRssKb, report, runChild } from './childProcess'

const self = fileURLToPath(import.meta.url)
const mode = process.argv[2]

async function childImport(file: string, projectDir: string): Promise<void> {
  const { openProject } = await import('../src/main/store/project')
  const { importRecords } = await import('../src/main/datasets/importRecords')
  const { hfParquetRecords } = await import('../src/main/datasets/hfParquet')
  const project = openProject(projectDir, { create: true })
  const t0 = performance.now()
  const s = await importRecords(project, { name: 'bench', format: 'hf-parquet' }, hfParquetRecords([file]))
  const ms = performance.now() - t0
  const { a } = project.db.prepare('SELECT sum(gt_area) AS a FROM samples').get() as { a: number }
  project.close()
  report({ ms, samples: s.samples, images: s.images, area: a, maxRssKb: peakRssKb() })
}

async function childDuckdb(file: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' })
  const con = await inst.connect()
  const t0 = performance.now()
  const r = await con.runAndReadAll(
    `SELECT count(*), sum(octet_length(image.bytes)),
            sum(list_sum(list_transform(mask, r -> list_count(list_filter(r, v -> v))))) FROM '${file}'`,
  )
  const ms = performance.now() - t0
  const [rows, , area] = r.getRows()[0]
  report({ ms, rows: Number(rows), area: Number(area), maxRssKb: peakRssKb() })
}

type Layout = 'hf' | 'duckdb' | 'polars' | 'pyarrow64v2'
const LAYOUTS: Record<Layout, string> = {
  hf: 'HF datasets layout (row groups of 100, 1 MiB pages v1, SNAPPY)',
  duckdb: 'DuckDB COPY (one row group, one page per column chunk, SNAPPY)',
  polars: 'polars defaults (ZSTD, 1 MiB pages v1, one row group, dictionary strings)',
  pyarrow64v2: 'pyarrow, 64 MiB data pages v2, SNAPPY, one row group',
}

/** In its own scope so the images are garbage before the children start. */
async function writeFixture(
  files: Partial<Record<Layout, string>>,
  rows: number,
  images: number,
  existingHf?: string,
): Promise<void> {
  const { syntheticRows, writeReasonSegParquet } = await import('../test/fixtures/reasonsegParquet')
  const needRows = Boolean(files.hf || files.polars || files.pyarrow64v2 || (files.duckdb && !existingHf))
  const fixture = needRows ? await syntheticRows({ rows, images, seed: 7 }) : { rows: [] }
  if (files.hf) writeReasonSegParquet(files.hf, fixture.rows)
  if (files.polars) {
    writeReasonSegParquet(files.polars, fixture.rows, {
      codec: 'ZSTD',
      dictionaryStrings: true,
      rowGroupSize: 512 * 512,
    })
  }
  if (files.pyarrow64v2) {
    writeReasonSegParquet(files.pyarrow64v2, fixture.rows, {
      pageBytes: 64 << 20,
      pageVersion: 2,
      rowGroupSize: 1 << 20,
    })
  }
  if (files.duckdb) {
    // DuckDB's own writer, fed with the HF-layout file (written first, removed after when not benched).
    const src = existingHf ?? files.hf ?? `${files.duckdb}.src.parquet`
    if (!existingHf && !files.hf) writeReasonSegParquet(src, fixture.rows)
    const { DuckDBInstance } = await import('@duckdb/node-api')
    // Bounded: by default DuckDB may take 80 % of RAM to build the one big row group (an OOM kill on a
    // shared machine); with a limit it spills to its temporary directory instead.
    const inst = await DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: '10GB',
      preserve_insertion_order: 'false',
      temp_directory: path.join(path.dirname(files.duckdb), 'duckdb-tmp'),
    })
    const con = await inst.connect()
    await con.run(`COPY (SELECT * FROM '${src}') TO '${files.duckdb}' (FORMAT parquet)`)
    con.closeSync()
    if (!existingHf && !files.hf) fs.rmSync(src)
  }
}

async function main(): Promise<void> {
  const rowsN = Number(process.env.ROWS ?? 779)
  const imagesN = Number(process.env.IMAGES ?? 260)
  const chosen = (process.env.LAYOUTS ?? Object.keys(LAYOUTS).join(',')).split(',') as Layout[]
  // REUSE=DIR: a folder kept by an earlier KEEP=1 run; only its missing or empty files are written.
  const dir = process.env.REUSE ?? fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-import-bench-'))
  const files: Partial<Record<Layout, string>> = {}
  for (const l of chosen) {
    if (!(l in LAYOUTS)) throw new Error(`unknown layout ${l} (have ${Object.keys(LAYOUTS).join(', ')})`)
    files[l] = path.join(dir, `${l}-00000-of-00001.parquet`)
  }
  try {
    const t = performance.now()
    const missing = Object.fromEntries(
      Object.entries(files).filter(([, f]) => !fs.existsSync(f) || fs.statSync(f).size === 0),
    ) as Partial<Record<Layout, string>>
    if (missing.duckdb && !missing.hf && files.hf) {
      // DuckDB's copy reads the HF file: keep the one already there.
      await writeFixture({ duckdb: missing.duckdb, hf: undefined }, rowsN, imagesN, files.hf)
      delete missing.duckdb
    }
    if (Object.keys(missing).length) await writeFixture(missing, rowsN, imagesN)
    console.log(
      `fixture: ${rowsN} rows, ${imagesN} distinct JPEGs (0.3–4 MP), ${chosen.length} layouts written in ` +
        `${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
    for (const l of chosen) {
      const file = files[l] as string
      const mb = fs.statSync(file).size / 1e6
      console.log(`\n[${l}] ${LAYOUTS[l]}: ${mb.toFixed(0)} MB`)
      const ours = await runChild(self, ['--child-import', file, path.join(dir, `project-${l}`)])
      const duck = await runChild(self, ['--child-duckdb', file])
      const oursMbs = mb / (ours.ms / 1000)
      const duckMbs = mb / (duck.ms / 1000)
      const oursRss = ours.maxRssKb / 1024
      console.log(
        `  reseg import (stream → RLE → SQLite + media): ${(ours.ms / 1000).toFixed(2)} s, ` +
          `${oursMbs.toFixed(0)} MB/s (target ≥ 150: ${oursMbs >= 150 ? 'met' : 'MISSED'}), ` +
          `peak RSS ${oursRss.toFixed(0)} MB (target < 500: ${oursRss < 500 ? 'met' : 'MISSED'}), ` +
          `${ours.samples} samples, ${ours.images} images`,
      )
      console.log(
        `  baseline DuckDB scan (2 threads, count mask booleans): ${(duck.ms / 1000).toFixed(2)} s, ` +
          `${duckMbs.toFixed(0)} MB/s, peak RSS ${(duck.maxRssKb / 1024).toFixed(0)} MB`,
      )
      console.log(
        `  mask pixels: ours ${ours.area}, DuckDB ${duck.area} -> ${ours.area === duck.area ? 'equal' : 'DIFFERENT'}; ` +
          `${(oursMbs / duckMbs).toFixed(2)}x DuckDB throughput, ${(ours.maxRssKb / duck.maxRssKb).toFixed(2)}x its memory`,
      )
      fs.rmSync(path.join(dir, `project-${l}`), { recursive: true, force: true })
    }
  } finally {
    if (process.env.KEEP) console.log(`kept ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (mode === '--child-import') await childImport(process.argv[3], process.argv[4])
else if (mode === '--child-duckdb') await childDuckdb(process.argv[3])
else await main()
