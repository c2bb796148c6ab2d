/**
 * `reseg export-dataset` at ReasonSeg scale: 1,000 samples of 2 MP (1600 x 1250) with distinct masks
 * (ellipses whose RLE is built column by column, so generation is quick) over 50 distinct noisy JPEGs.
 * Each export runs in a child process and reports throughput (output MB/s) and its own peak RSS, beside
 * a baseline measured in the same run: a plain copy of the exported bytes. (DuckDB's COPY of the same
 * rows was tried as a second baseline: it materialises list<list<bool>> and peaked at 4.9 GB RSS for
 * 200 of these rows, too much for a shared CI machine.)
 *
 *   npx tsx bench/exportDataset.bench.ts   # env: SAMPLES=1000 IMAGES=50 FORMATS=hf-parquet,coco,lisa KEEP=1
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { peakRssKb, report, runChild } from './childProcess'

const self = fileURLToPath(import.meta.url)
const mode = process.argv[2]
const W = 1600
const H = 1250

if (mode === '--child-export') await childExport(process.argv[3], process.argv[4], process.argv[5])
else await main()

async function childExport(projectDir: string, format: string, out: string): Promise<void> {
  const { openProject } = await import('../src/main/store/project')
  const { exportDataset } = await import('../src/main/datasets/export/exportDataset')
  const project = openProject(projectDir)
  const t0 = performance.now()
  const r = await exportDataset(project, { dataset: 'bench', format: format as 'coco', out })
  const ms = performance.now() - t0
  project.close()
  report({ ms, bytes: r.bytes, samples: r.samples, files: r.files.length, maxRssKb: peakRssKb() })
}

/** Column-major RLE of an axis-aligned ellipse, one column at a time (no 2 MP pixel buffer). */
function ellipseRle(cx: number, cy: number, rx: number, ry: number): Uint32Array {
  const runs: number[] = []
  let zeros = 0
  for (let x = 0; x < W; x++) {
    const t = 1 - ((x - cx) / rx) ** 2
    if (t <= 0) {
      zeros += H
      continue
    }
    const dy = ry * Math.sqrt(t)
    const y0 = Math.max(0, Math.ceil(cy - dy))
    const y1 = Math.min(H - 1, Math.floor(cy + dy))
    if (y1 < y0) {
      zeros += H
      continue
    }
    runs.push(zeros + y0, y1 - y0 + 1)
    zeros = H - 1 - y1
  }
  runs.push(zeros)
  return Uint32Array.from(runs)
}

async function writeProject(dir: string, samples: number, images: number): Promise<number> {
  const sharp = (await import('sharp')).default
  const { openProject } = await import('../src/main/store/project')
  const { createDataset } = await import('../src/main/store/datasets')
  const { putMedia } = await import('../src/main/store/media')
  const { insertSample } = await import('../src/main/store/samples')
  const project = openProject(dir, { create: true })
  const datasetId = createDataset(project.db, { name: 'bench', format: 'bench', split: 'test' })
  const hashes: string[] = []
  let jpegBytes = 0
  for (let i = 0; i < images; i++) {
    const jpg = await sharp({
      create: {
        width: W,
        height: H,
        channels: 3,
        background: { r: 40 + i, g: 90, b: 160 - i },
        noise: { type: 'gaussian', mean: 120, sigma: 20 },
      },
    })
      .jpeg({ quality: 90 })
      .toBuffer()
    jpegBytes += jpg.length
    hashes.push(putMedia(project, jpg, { ext: 'jpg', width: W, height: H }))
  }
  const insert = project.db.transaction(() => {
    for (let i = 0; i < samples; i++) {
      const counts = ellipseRle(300 + (i % 900), 250 + ((i * 7) % 700), 120 + (i % 280), 80 + ((i * 3) % 300))
      insertSample(project.db, {
        datasetId,
        imageId: `img${i % images}`,
        annId: String(Math.floor(i / images)),
        mediaHash: hashes[i % images],
        width: W,
        height: H,
        query: `the object number ${i} that the question is about`,
        gt: { h: H, w: W, counts },
      })
    }
  })
  insert()
  project.close()
  return jpegBytes / images
}

async function main(): Promise<void> {
  const samples = Number(process.env.SAMPLES ?? 1000)
  const images = Number(process.env.IMAGES ?? 50)
  const formats = (process.env.FORMATS ?? 'hf-parquet,coco,lisa').split(',')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-export-bench-'))
  try {
    let t = performance.now()
    const jpeg = await writeProject(path.join(dir, 'project'), samples, images)
    console.log(
      `fixture: ${samples} samples of ${W}x${H} (2 MP), ${images} distinct JPEGs of ${(jpeg / 1e6).toFixed(2)} MB on average ` +
        `(ReasonSeg test: 2.1 MB per row), written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    )
    for (const format of formats) {
      const out = path.join(dir, `out-${format}`)
      const r = await runChild(self, ['--child-export', path.join(dir, 'project'), format, out])
      const mb = r.bytes / 1e6
      console.log(
        `reseg export-dataset --format ${format}: ${(r.ms / 1000).toFixed(2)} s, ${mb.toFixed(0)} MB in ${r.files} files, ` +
          `${(mb / (r.ms / 1000)).toFixed(0)} MB/s (${(r.samples / (r.ms / 1000)).toFixed(0)} samples/s), peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB` +
          (format === 'hf-parquet' ? ' (targets: ≥ 100 MB/s, < 500 MB)' : ''),
      )
      // Baseline: copying the same bytes, file by file, in this process.
      t = performance.now()
      const copy = path.join(dir, `copy-${format}`)
      fs.cpSync(out, copy, { recursive: true })
      const copyMs = performance.now() - t
      console.log(`  baseline plain copy of those bytes: ${(mb / (copyMs / 1000)).toFixed(0)} MB/s`)
      fs.rmSync(copy, { recursive: true, force: true })
      fs.rmSync(out, { recursive: true, force: true })
    }
  } finally {
    if (process.env.KEEP) console.log(`kept ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}
