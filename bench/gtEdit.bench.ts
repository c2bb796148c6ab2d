/**
 * Ground-truth editing bench (`npx tsx bench/gtEdit.bench.ts`), at 2 MP (1920 × 1080):
 * 1. Brush move: one pointer-move event paints the capsule between the last two pointer positions into
 *    the live bitmap (`paintStroke`, bounding box only). Target ≤ 16 ms per move event (one frame).
 *    Baseline: the same capsule tested against every pixel of the image (a dense full-image pass).
 * 2. Commit: one brush stroke of 60 points applied as a stored command (`applyGtCommand`: rasterise into
 *    the stroke's region, region → RLE, run-merge with the object, union, COCO strings, before/after
 *    state, one SQLite transaction). Target < 30 ms. Baseline: the dense path — decode the object to a
 *    bitmap, paint, re-encode the whole image, store.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyGtCommand } from '../src/main/store/groundTruth'
import { openProject } from '../src/main/store/project'
import { paintStroke, type Bitmap, type Vec2 } from '../src/shared/domain/maskOps'
import { countsToString, decodeRowMajor, encodeRowMajor, fromCoco, toCoco } from '../src/shared/domain/rle'
import { percentile } from './stats'

const W = 1920
const H = 1080
const RADIUS = 24

function fmt(xs: number[]): string {
  return `p50 ${percentile(xs, 50).toFixed(3)} ms, p95 ${percentile(xs, 95).toFixed(3)} ms`
}

/** A pointer path: a wobbly line across the image, ~6 px between move events (a fast drag). */
function path(n: number, phase = 0): Vec2[] {
  return Array.from({ length: n }, (_, i): Vec2 => [
    200 + i * 6,
    540 + 300 * Math.sin(i / 25 + phase) + 20 * Math.sin(i / 3),
  ])
}

/** A large blob GT (an ellipse of ~0.6 MP), so the runs are realistic. */
function blob(): Uint8Array {
  const m = new Uint8Array(W * H)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const dx = (x - 960) / 600
      const dy = (y - 540) / 350
      if (dx * dx + dy * dy <= 1) m[y * W + x] = 1
    }
  return m
}

/** Dense baseline: the capsule test on every pixel of the image. */
function densePaint(b: Bitmap, a: Vec2, c: Vec2, r: number): void {
  const dx = c[0] - a[0]
  const dy = c[1] - a[1]
  const len2 = dx * dx + dy * dy
  const r2 = r * r
  for (let y = 0, i = 0; y < b.h; y++) {
    const py = y + 0.5
    for (let x = 0; x < b.w; x++, i++) {
      const px = x + 0.5
      let t = len2 === 0 ? 0 : ((px - a[0]) * dx + (py - a[1]) * dy) / len2
      t = t < 0 ? 0 : t > 1 ? 1 : t
      const ex = px - (a[0] + t * dx)
      const ey = py - (a[1] + t * dy)
      if (ex * ex + ey * ey <= r2) b.data[i] = 1
    }
  }
}

function benchBrush(): void {
  const pts = path(250)
  const live: Bitmap = { w: W, h: H, data: blob() }
  const moves: number[] = []
  for (let k = 1; k < pts.length; k++) {
    const t = performance.now()
    paintStroke(live, [pts[k - 1], pts[k]], RADIUS, 1)
    moves.push(performance.now() - t)
  }
  const dense: Bitmap = { w: W, h: H, data: blob() }
  const base: number[] = []
  for (let k = 1; k < 21; k++) {
    const t = performance.now()
    densePaint(dense, pts[k - 1], pts[k], RADIUS)
    base.push(performance.now() - t)
  }
  console.log(`brush move at ${W}x${H}, radius ${RADIUS}: ${fmt(moves)}   (target ≤ 16 ms per move event)`)
  console.log(`  baseline, capsule tested on every pixel: ${fmt(base)}`)
  console.log(`  speed-up (p50): ${(percentile(base, 50) / percentile(moves, 50)).toFixed(0)}x`)
}

function benchCommit(): void {
  const dir = mkdtempSync(join(tmpdir(), 'reseg-gtedit-bench-'))
  const project = openProject(dir, { create: true })
  const { db } = project
  try {
    const gt = encodeRowMajor(blob(), H, W)
    db.prepare("INSERT INTO datasets (id, name, format) VALUES (1, 'bench', 'synthetic')").run()
    db.prepare("INSERT INTO media (hash, ext, width, height, bytes) VALUES ('m', 'png', ?, ?, 0)").run(W, H)
    const insert = db.prepare(
      `INSERT INTO samples (dataset_id, image_id, ann_id, media_hash, width, height, query, gt_rle, gt_area)
       VALUES (1, ?, '0', 'm', ?, ?, 'the blob', ?, 0)`,
    )
    const N = 30
    const ids = Array.from({ length: 2 * N }, (_, i) =>
      Number(insert.run(`img${i}`, W, H, countsToString(gt.counts)).lastInsertRowid),
    )
    const commits: number[] = []
    for (let i = 0; i < N; i++) {
      const points = path(60, i).map(([x, y]): [number, number] => [x * 2.5, y])
      const t = performance.now()
      applyGtCommand(
        db,
        ids[i],
        { kind: 'brush', target: 1, points, radius: RADIUS, erase: i % 2 === 1 },
        'bench',
      )
      commits.push(performance.now() - t)
    }
    // Follow-up commands on the same sample (the state then comes from gt_objects, plus a redo branch to drop).
    const again: number[] = []
    for (let i = 0; i < N; i++) {
      const points = path(60, i + 0.5).map(([x, y]): [number, number] => [x * 2.5, y + 40])
      const t = performance.now()
      applyGtCommand(db, ids[0], { kind: 'brush', target: 1, points, radius: RADIUS, erase: false }, 'bench')
      again.push(performance.now() - t)
    }
    const dense: number[] = []
    const store = db.prepare('UPDATE samples SET gt_rle = ?, gt_area = 0 WHERE id = ?')
    for (let i = 0; i < N; i++) {
      const points = path(60, i).map(([x, y]): Vec2 => [x * 2.5, y])
      const row = db.prepare('SELECT gt_rle FROM samples WHERE id = ?').get(ids[N + i]) as { gt_rle: string }
      const t = performance.now()
      const bm: Bitmap = { w: W, h: H, data: decodeRowMajor(fromCoco({ size: [H, W], counts: row.gt_rle })) }
      paintStroke(bm, points, RADIUS, 1)
      store.run(toCoco(encodeRowMajor(bm.data, H, W)).counts, ids[N + i])
      dense.push(performance.now() - t)
    }
    console.log(
      `commit of a 60-point brush stroke at ${W}x${H} (RLE + store): ${fmt(commits)}   (target < 30 ms)`,
    )
    console.log(`  further commands on one sample: ${fmt(again)}`)
    console.log(`  baseline, dense decode + paint + full re-encode + store: ${fmt(dense)}`)
  } finally {
    project.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

benchBrush()
benchCommit()
