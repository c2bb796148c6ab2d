/**
 * Import of a ReasonSeg-sized parquet (≥ 779 rows, 0.3–4 MP JPEGs and masks, ≥ 1 GB, row groups of 100):
 * throughput (file MB/s) and peak RSS of our streaming importer, measured in a child process, beside
 * DuckDB scanning the same file (images + every mask boolean) in the same run.
 *
 *   npx tsx bench/import.bench.ts            # generates the file in the OS temp dir, deletes it after
 *   ROWS=779 IMAGES=779 KEEP=1 npx tsx bench/import.bench.ts   # every row its own image (slow to generate)
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
const mode = process.argv[2]

if (mode === '--child-import') await childImport(process.argv[3], process.argv[4])
else if (mode === '--child-duckdb') await childDuckdb(process.argv[3])
else await main()

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

/**
 * Peak RSS of this process. getrusage's maxRSS is not usable in a spawned child: Linux carries the
 * parent's high-water mark across fork+exec (and the parent holds the fixture images), so read VmHWM,
 * which belongs to the child's own address space.
 */
function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1])
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS
}

function report(o: object): void {
  process.stdout.write(`RESULT ${JSON.stringify(o)}\n`)
}

function runChild(args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', self, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (code !== 0 || !line) reject(new Error(`child ${args[0]} failed (exit ${code}): ${out}`))
      else resolve(JSON.parse(line.slice(7)) as Record<string, number>)
    })
  })
}

/** In its own scope so the images are garbage before the children start. */
async function writeFixture(file: string, rows: number, images: number): Promise<void> {
  const { syntheticRows, writeReasonSegParquet } = await import('../test/fixtures/reasonsegParquet')
  const fixture = await syntheticRows({ rows, images, seed: 7 })
  writeReasonSegParquet(file, fixture.rows)
}

async function main(): Promise<void> {
  const rowsN = Number(process.env.ROWS ?? 779)
  const imagesN = Number(process.env.IMAGES ?? 260)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-import-bench-'))
  const file = path.join(dir, 'test-00000-of-00001.parquet')
  try {
    let t = performance.now()
    await writeFixture(file, rowsN, imagesN)
    const bytes = fs.statSync(file).size
    const mb = bytes / 1e6
    console.log(
      `fixture: ${rowsN} rows, ${imagesN} distinct JPEGs (0.3–4 MP), ${mb.toFixed(0)} MB, ` +
        `row groups of 100, written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
    t = performance.now()
    const ours = await runChild(['--child-import', file, path.join(dir, 'project')])
    const duck = await runChild(['--child-duckdb', file])
    const oursMbs = mb / (ours.ms / 1000)
    const duckMbs = mb / (duck.ms / 1000)
    console.log(
      `reseg import (stream → RLE → SQLite + media): ${(ours.ms / 1000).toFixed(2)} s, ` +
        `${oursMbs.toFixed(0)} MB/s, peak RSS ${(ours.maxRssKb / 1024).toFixed(0)} MB, ${ours.samples} samples, ${ours.images} images`,
    )
    console.log(
      `baseline DuckDB scan (2 threads, count mask booleans): ${(duck.ms / 1000).toFixed(2)} s, ` +
        `${duckMbs.toFixed(0)} MB/s, peak RSS ${(duck.maxRssKb / 1024).toFixed(0)} MB`,
    )
    console.log(
      `mask pixels: ours ${ours.area}, DuckDB ${duck.area} -> ${ours.area === duck.area ? 'equal' : 'DIFFERENT'}`,
    )
    console.log(
      `ratio: ${(oursMbs / duckMbs).toFixed(2)}x DuckDB throughput, ` +
        `${(ours.maxRssKb / duck.maxRssKb).toFixed(2)}x its memory (targets: ≥ 150 MB/s, < 500 MB)`,
    )
  } finally {
    if (process.env.KEEP) console.log(`kept ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}
