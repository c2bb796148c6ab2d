/**
 * Metrics over a ReasonSeg-sized run: 779 samples with ~1000×1000 ground-truth and predicted masks
 * (polygon blobs, some with holes, some predictions empty) stored in a temporary project.
 * Times, in one process: run metrics from stored I/U (what `reseg metrics` does), a full recompute from
 * the stored RLE strings, the RLE merge alone, and a dense baseline (decode to Uint8Array and count);
 * plus RLE encoding of the dense masks. Run: npx tsx bench/metrics.bench.ts [samples]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { recomputeRunCounts, runMetrics } from '../src/main/metrics/runMetrics'
import { createDataset } from '../src/main/store/datasets'
import { putMedia } from '../src/main/store/media'
import { openProject } from '../src/main/store/project'
import { createRun, upsertPrediction } from '../src/main/store/runs'
import { insertSample } from '../src/main/store/samples'
import { aggregate, maskCounts, sampleIou } from '../src/shared/domain/metrics'
import { seededRng } from '../src/shared/domain/random'
import {
  countsFromString,
  decodeRowMajor,
  encodeRowMajor,
  fromCoco,
  type Rle,
} from '../src/shared/domain/rle'

const N = Number(process.argv[2] ?? 779)
const REPEAT = 7

interface Blob {
  cx: number
  cy: number
  r: number
  phase: number[]
  amp: number[]
  hole: number
}

type Poly = [number, number][]

function blobPolys(b: Blob, dx = 0, dy = 0, scale = 1): Poly[] {
  const ring = (rf: number): Poly =>
    Array.from({ length: 96 }, (_, k) => {
      const t = (k / 96) * 2 * Math.PI
      let r = b.r * scale * rf
      for (let f = 0; f < b.amp.length; f++) r *= 1 + b.amp[f] * Math.sin((f + 2) * t + b.phase[f])
      return [b.cx + dx + r * Math.cos(t), b.cy + dy + r * Math.sin(t) * 0.8] as [number, number]
    })
  return b.hole > 0 ? [ring(1), ring(b.hole)] : [ring(1)]
}

/** Even-odd scanline fill of polygons (pixel centres), row-major 0/1. */
function rasterize(polys: Poly[], h: number, w: number, out: Uint8Array): Uint8Array {
  out.fill(0)
  const xs: number[] = []
  for (let y = 0; y < h; y++) {
    const yc = y + 0.5
    xs.length = 0
    for (const p of polys) {
      for (let i = 0, j = p.length - 1; i < p.length; j = i++) {
        const [x1, y1] = p[i]
        const [x2, y2] = p[j]
        if (y1 <= yc !== y2 <= yc) xs.push(x1 + ((yc - y1) / (y2 - y1)) * (x2 - x1))
      }
    }
    xs.sort((a, b) => a - b)
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const a = Math.max(0, Math.ceil(xs[k] - 0.5))
      const b = Math.min(w, Math.ceil(xs[k + 1] - 0.5))
      if (b > a) out.fill(1, y * w + a, y * w + b)
    }
  }
  return out
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now()
  const value = fn()
  return { ms: performance.now() - t0, value }
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y)
  return s[s.length >> 1]
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-bench-metrics-'))
const project = openProject(path.join(dir, 'proj'), { create: true })
const rnd = seededRng(779)
let encodeMs = 0
let encodedPixels = 0
let runs = 0
try {
  const datasetId = createDataset(project.db, { name: 'bench', format: 'bench' })
  const runId = createRun(project.db, { datasetId, name: 'pred', kind: 'imported' })
  const gen = time(() => {
    project.db.transaction(() => {
      let dense = new Uint8Array(0)
      for (let i = 0; i < N; i++) {
        const h = 900 + Math.floor(rnd() * 200)
        const w = 900 + Math.floor(rnd() * 200)
        if (dense.length !== h * w) dense = new Uint8Array(h * w)
        const blobs: Blob[] = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
          cx: w * (0.2 + rnd() * 0.6),
          cy: h * (0.2 + rnd() * 0.6),
          r: Math.min(h, w) * (0.06 + rnd() * 0.22),
          phase: [rnd() * 6, rnd() * 6, rnd() * 6],
          amp: [rnd() * 0.15, rnd() * 0.1, rnd() * 0.05],
          hole: rnd() < 0.25 ? 0.3 + rnd() * 0.3 : 0,
        }))
        rasterize(
          blobs.flatMap((b) => blobPolys(b)),
          h,
          w,
          dense,
        )
        const e1 = time(() => encodeRowMajor(dense, h, w))
        const gt = e1.value
        const mediaHash = putMedia(project, Buffer.from(`bench image ${i}`), {
          ext: 'jpg',
          width: w,
          height: h,
        })
        const sampleId = insertSample(project.db, {
          datasetId,
          imageId: `img${i}`,
          annId: '0',
          mediaHash,
          width: w,
          height: h,
          query: 'bench',
          gt,
        })
        if (rnd() < 0.05) {
          dense.fill(0)
        } else {
          const jitter = () => (rnd() - 0.5) * 0.3
          rasterize(
            blobs
              .slice(0, Math.max(1, blobs.length - (rnd() < 0.2 ? 1 : 0)))
              .flatMap((b) => blobPolys(b, jitter() * b.r, jitter() * b.r, 1 + jitter())),
            h,
            w,
            dense,
          )
        }
        const e2 = time(() => encodeRowMajor(dense, h, w))
        const pred: Rle = e2.value
        encodeMs += e1.ms + e2.ms
        encodedPixels += 2 * h * w
        const c = maskCounts(pred, gt)
        upsertPrediction(project.db, {
          runId,
          sampleId,
          mask: pred,
          ...c,
          iou: sampleIou(c.intersection, c.union),
        })
        runs += gt.counts.length + pred.counts.length
      }
    })()
  })
  console.log(
    `generated ${N} samples (~1000x1000, ${(runs / (2 * N)).toFixed(0)} runs/mask on average) in ${(gen.ms / 1000).toFixed(1)}s`,
  )

  // 1. What `reseg metrics` does: stored I/U + aggregation.
  const stored = median(Array.from({ length: REPEAT }, () => time(() => runMetrics(project.db, runId)).ms))
  // 2. Full recompute from the stored RLE strings (read, decode strings, merge, aggregate).
  const recompute = median(
    Array.from(
      { length: REPEAT },
      () => time(() => aggregate([...recomputeRunCounts(project.db, runId).values()])).ms,
    ),
  )
  const readSql = project.db.prepare(
    `SELECT s.width, s.height, s.gt_rle, s.ignore_rle, p.mask_rle FROM predictions p JOIN samples s ON s.id = p.sample_id
     WHERE p.run_id = ? AND p.mask_rle IS NOT NULL`,
  )
  const sqlRead = median(Array.from({ length: REPEAT }, () => time(() => readSql.all(runId)).ms))
  const rowsRead = readSql.all(runId) as { gt_rle: string; mask_rle: string }[]
  const decode = median(
    Array.from(
      { length: REPEAT },
      () =>
        time(() => rowsRead.forEach((r) => (countsFromString(r.gt_rle), countsFromString(r.mask_rle)))).ms,
    ),
  )
  // 3. The merge alone, on decoded runs already in memory.
  const pairs = (
    project.db
      .prepare(
        'SELECT s.width, s.height, s.gt_rle, p.mask_rle FROM predictions p JOIN samples s ON s.id = p.sample_id WHERE p.run_id = ?',
      )
      .all(runId) as { width: number; height: number; gt_rle: string; mask_rle: string }[]
  ).map((r) => ({
    gt: fromCoco({ size: [r.height, r.width], counts: r.gt_rle }),
    pred: fromCoco({ size: [r.height, r.width], counts: r.mask_rle }),
  }))
  const mergeTimes = Array.from({ length: REPEAT }, () =>
    time(() => aggregate(pairs.map((p) => maskCounts(p.pred, p.gt)))),
  )
  const merge = median(mergeTimes.map((t) => t.ms))
  // 4. Dense baseline: decode both masks to Uint8Array and count; the count alone timed separately.
  let countOnly = 0
  const dense = time(() => {
    const counts = pairs.map((p) => {
      const a = decodeRowMajor(p.pred)
      const b = decodeRowMajor(p.gt)
      const t0 = performance.now()
      let inter = 0
      let union = 0
      for (let k = 0; k < a.length; k++) {
        inter += a[k] & b[k]
        union += a[k] | b[k]
      }
      countOnly += performance.now() - t0
      return { intersection: inter, union }
    })
    return aggregate(counts)
  })
  const agree = JSON.stringify(dense.value) === JSON.stringify(mergeTimes[0].value)

  const row = (label: string, ms: number, note = '') =>
    console.log(`${label.padEnd(52)} ${ms.toFixed(1).padStart(9)} ms ${note}`)
  console.log(`\nmetrics over ${N} stored samples (median of ${REPEAT}; target < 20 ms)`)
  row('stored I/U → gIoU, cIoU (reseg metrics)', stored)
  row('recompute from stored RLE strings (read+decode+merge)', recompute)
  row(`  of which: SQLite read of the ${2 * N} strings`, sqlRead)
  row('  of which: decoding the strings to runs', decode)
  row('RLE merge only (decoded runs in memory)', merge)
  row(
    'dense baseline: decode to Uint8Array + count',
    dense.ms,
    `(${(dense.ms / merge).toFixed(0)}x the merge)`,
  )
  row('dense baseline: count only', countOnly, `(${(countOnly / merge).toFixed(0)}x the merge)`)
  row(
    `RLE encode of ${2 * N} dense masks`,
    encodeMs,
    `(${((encodedPixels / encodeMs) * 1e-3).toFixed(0)} Mpx/s)`,
  )
  console.log(
    `dense and RLE results identical: ${agree} (gIoU ${mergeTimes[0].value.gIoU.toFixed(4)}, cIoU ${mergeTimes[0].value.cIoU.toFixed(4)})`,
  )
} finally {
  project.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
