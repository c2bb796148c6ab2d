/**
 * GrabCut baseline bench (`npx tsx bench/grabcut.bench.ts`):
 * 1. Mask quality: IoU against the known object on generated scenes (easy: saturated object; hard:
 *    low-contrast, noisy), against the box-fill baseline scored on the same boxes.
 * 2. The demo project: oracle-box runs (`--prompts gt-box`) of GrabCut vs filling the same boxes.
 * 3. Latency per prompt edit in the worker (what the UI waits for) at three image sizes, p50/p95,
 *    against the same call in-thread (the worker's overhead).
 * 4. A burst of 100 box drags through the latest-wins scheduler: computations run, time to the last mask.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDemoProject } from '../src/main/demo/demo'
import { segmentRun } from '../src/main/engine/batch'
import { createGrabCutSegmenter } from '../src/main/engine/grabcut'
import { grabCutMask } from '../src/main/engine/grabcut/grabcut'
import { loadOpenCv } from '../src/main/engine/grabcut/opencv'
import { createEngine } from '../src/main/engine/registry'
import { LatestWinsScheduler } from '../src/main/engine/scheduler'
import { aggregate } from '../src/shared/domain/metrics'
import { oraclePrompts } from '../src/shared/domain/oraclePrompts'
import { decodeRowMajor, fromCoco, intersectionUnion, encodeRowMajor } from '../src/shared/domain/rle'
import { boxFill, looseBox, makeScene, maskIou, type ShapeKind } from '../test/fixtures/shapes'

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const f3 = (x: number) => x.toFixed(3)

const { cv } = await loadOpenCv()

console.log(
  '1. IoU vs the known object (box = tight box + 5% per side), mean over 3 shapes x 2 sizes x 3 seeds',
)
for (const [name, noise, contrast] of [
  ['easy', 24, 1],
  ['hard', 40, 0.4],
] as const) {
  const per: Record<ShapeKind, { gc: number[]; box: number[] }> = {
    ellipse: { gc: [], box: [] },
    star: { gc: [], box: [] },
    ring: { gc: [], box: [] },
  }
  for (const shape of ['ellipse', 'star', 'ring'] as const) {
    for (const [W, H] of [
      [320, 240],
      [640, 480],
    ]) {
      for (const seed of [1, 2, 3]) {
        const s = makeScene({
          width: W,
          height: H,
          shape,
          seed,
          cx: 0.4 + 0.05 * seed,
          radius: 0.25 + 0.03 * seed,
          noise,
          contrast,
        })
        const box = looseBox(s.tightBox, 0.05, W, H)
        per[shape].gc.push(maskIou(grabCutMask(cv, s.image, { box, points: [] }), s.object))
        per[shape].box.push(maskIou(boxFill(box, W, H), s.object))
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const all = Object.values(per)
  const gc = mean(all.flatMap((p) => p.gc))
  const bx = mean(all.flatMap((p) => p.box))
  const shapes = (Object.keys(per) as ShapeKind[])
    .map((k) => `${k} ${f3(mean(per[k].gc))} (min ${f3(Math.min(...per[k].gc))}) vs ${f3(mean(per[k].box))}`)
    .join('; ')
  console.log(
    `   ${name}: GrabCut ${f3(gc)} vs box fill ${f3(bx)} (+${f3(gc - bx)}, x${(gc / bx).toFixed(2)}) — ${shapes}`,
  )
}

console.log('2. demo project (20 images, 60 samples), oracle GT boxes')
const root = mkdtempSync(join(tmpdir(), 'reseg-grabcut-bench-'))
const demo = await createDemoProject(join(root, 'demo'), { images: 20 })
const engine = createEngine({ sources: [] })
const firstRun = (demo.db.prepare('SELECT name FROM runs ORDER BY id LIMIT 1').get() as { name: string }).name
const t0 = performance.now()
const r = await segmentRun(demo, engine, {
  fromRun: firstRun,
  outRun: 'gc-oracle',
  prompts: 'gt-box',
  modelId: 'grabcut-baseline',
})
const secs = (performance.now() - t0) / 1000
const samples = demo.db.prepare('SELECT width, height, gt_rle FROM samples').all() as {
  width: number
  height: number
  gt_rle: string
}[]
const boxCounts = samples.map((s) => {
  const gt = fromCoco({ size: [s.height, s.width], counts: s.gt_rle })
  const fill = new Uint8Array(s.width * s.height)
  for (const p of oraclePrompts(gt, 'gt-box'))
    boxFill(p.box!, s.width, s.height).forEach((v, i) => (fill[i] |= v))
  return intersectionUnion(encodeRowMajor(fill, s.height, s.width), gt)
})
const boxAgg = aggregate(boxCounts)
console.log(
  `   GrabCut gIoU ${f3(r.gIoU)} cIoU ${f3(r.cIoU)} vs box fill gIoU ${f3(boxAgg.gIoU)} cIoU ${f3(boxAgg.cIoU)}` +
    ` (+${f3(r.gIoU - boxAgg.gIoU)} gIoU); ${r.total} samples in ${secs.toFixed(1)} s (${((secs * 1000) / r.total).toFixed(0)} ms/sample)`,
)
demo.close()

console.log('3. latency per prompt edit (star scene, box prompt), 7 calls each')
const seg = createGrabCutSegmenter()
await seg.segment(
  'warm',
  { width: 8, height: 8, data: new Uint8Array(192) },
  { box: [1, 1, 7, 7], points: [] },
)
for (const [W, H] of [
  [320, 240],
  [1024, 768],
  [2048, 1536],
]) {
  const s = makeScene({ width: W, height: H, shape: 'star', seed: 7 })
  const prompt = { box: looseBox(s.tightBox, 0.05, W, H), points: [] }
  const inThread: number[] = []
  const worker: number[] = []
  for (let i = 0; i < 7; i++) {
    let t = performance.now()
    grabCutMask(cv, s.image, prompt)
    inThread.push(performance.now() - t)
    t = performance.now()
    await seg.segment('k', s.image, prompt)
    worker.push(performance.now() - t)
  }
  console.log(
    `   ${W}x${H}: worker p50 ${percentile(worker, 50).toFixed(0)} ms p95 ${percentile(worker, 95).toFixed(0)} ms;` +
      ` in-thread p50 ${percentile(inThread, 50).toFixed(0)} ms (worker overhead x${(percentile(worker, 50) / percentile(inThread, 50)).toFixed(2)})`,
  )
}

console.log('4. burst of 100 box drags on one sample (1024x768) through the latest-wins scheduler')
{
  const s = makeScene({ width: 1024, height: 768, shape: 'ellipse', seed: 8 })
  const sched = new LatestWinsScheduler()
  const t = performance.now()
  const outcomes = await Promise.allSettled(
    Array.from({ length: 100 }, (_, i) =>
      sched.run('run:sample', (signal) =>
        seg.segment(
          'k',
          s.image,
          { box: looseBox(s.tightBox, 0.3 - 0.002 * i, 1024, 768), points: [] },
          signal,
        ),
      ),
    ),
  )
  const ms = performance.now() - t
  const single = performance.now()
  const last = await seg.segment('k', s.image, {
    box: looseBox(s.tightBox, 0.3 - 0.002 * 99, 1024, 768),
    points: [],
  })
  const one = performance.now() - single
  const delivered = outcomes.filter((o) => o.status === 'fulfilled').length
  const lastMask = decodeRowMajor(last.mask)
  const same =
    outcomes[99].status === 'fulfilled' &&
    decodeRowMajor(outcomes[99].value.mask).every((v, i) => v === lastMask[i])
  console.log(
    `   delivered ${delivered}/100 (last one: ${same ? 'identical to a single call' : 'DIFFERENT'}), computations started ${sched.started};` +
      ` last mask after ${ms.toFixed(0)} ms vs ${one.toFixed(0)} ms for one call (x${(ms / one).toFixed(2)}; queued naively: ~x100)`,
  )
}
await seg.dispose()
await engine.dispose()
rmSync(root, { recursive: true, force: true })
