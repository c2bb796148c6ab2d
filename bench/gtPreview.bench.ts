/**
 * The GT editor's live brush preview (`npx tsx bench/gtPreview.bench.ts`), at 2 MP (1920 × 1080): the CPU
 * work the renderer does per pointer-move event — paint the capsule from the last point into the stroke
 * bitmap (`extendStroke`, shared mask ops, bounding box only) and turn just the changed rectangle into RGBA
 * for a partial canvas update (`rectRgba`). Target ≤ 16 ms per move event (one frame at 60 Hz).
 * Baseline in the same run: a full-frame re-render per move (the whole 2 MP bitmap to RGBA, `maskToRgba`),
 * which is what redrawing the object layer from React state on every move would cost.
 * Not measured here: the browser's putImageData of the small rectangle and Konva's next-frame redraw.
 */
import { maskToRgba } from '../src/renderer/src/features/canvas/maskRaster'
import { extendStroke, rectRgba, startStroke } from '../src/renderer/src/features/gt/strokePreview'
import type { Vec2 } from '../src/shared/domain/maskOps'
import { percentile } from './stats'

const W = 1920
const H = 1080
const RADIUS = 24
const MOVES = 300

const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(3)} ms, p95 ${percentile(xs, 95).toFixed(3)} ms`

/** A fast drag: ~6 px between move events along a wobbly line. */
const pointAt = (i: number): Vec2 => [100 + i * 6, 540 + 300 * Math.sin(i / 25) + 20 * Math.sin(i / 3)]

const moves: number[] = []
const { stroke } = startStroke(W, H, RADIUS, pointAt(0))
for (let i = 1; i < MOVES; i++) {
  const t0 = performance.now()
  const rect = extendStroke(stroke, pointAt(i))
  if (rect) rectRgba(stroke.bitmap, rect, [255, 214, 10])
  moves.push(performance.now() - t0)
}

const base: number[] = []
for (let i = 0; i < 30; i++) {
  const t0 = performance.now()
  maskToRgba(stroke.bitmap.data, W, H, [255, 214, 10])
  base.push(performance.now() - t0)
}

console.log(
  `live brush preview per move at ${W}x${H}, radius ${RADIUS}: ${fmt(moves)}   (target ≤ 16 ms per move event)`,
)
console.log(`  baseline, full-frame RGBA re-render per move: ${fmt(base)}`)
console.log(`  speed-up (p50): ${(percentile(base, 50) / percentile(moves, 50)).toFixed(0)}x`)
