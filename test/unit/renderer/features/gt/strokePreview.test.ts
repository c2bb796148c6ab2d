import { expect, it } from 'vitest'
import {
  extendStroke,
  rectRgba,
  startStroke,
} from '../../../../../src/renderer/src/features/gt/strokePreview'

/** Pixels whose centre is within r of (cx, cy), by brute force over the whole image. */
function discCount(w: number, h: number, cx: number, cy: number, r: number): number {
  let n = 0
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) n++
  return n
}

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0)

it('paints a disc at the first point and only inside the reported rectangle', () => {
  const { stroke, dirty } = startStroke(50, 40, 5, [20.5, 20.5])
  // A disc of radius 5 centred on a pixel centre: 81 lattice points (Gauss circle problem, r = 5).
  expect(sum(stroke.bitmap.data)).toBe(81)
  expect(sum(stroke.bitmap.data)).toBe(discCount(50, 40, 20.5, 20.5, 5))
  expect(dirty).not.toBeNull()
  for (let y = 0; y < 40; y++)
    for (let x = 0; x < 50; x++) {
      const inside = x >= dirty!.x0 && x < dirty!.x0 + dirty!.w && y >= dirty!.y0 && y < dirty!.y0 + dirty!.h
      if (!inside) expect(stroke.bitmap.data[y * 50 + x]).toBe(0)
    }
})

it('extends with a capsule: a horizontal move paints the band between the two discs', () => {
  const { stroke } = startStroke(60, 30, 3, [10.5, 15.5])
  const before = stroke.bitmap.data.slice()
  const rect = extendStroke(stroke, [30.5, 15.5])!
  // Changed pixels all lie in the returned rectangle.
  for (let i = 0; i < before.length; i++)
    if (before[i] !== stroke.bitmap.data[i]) {
      const x = i % 60
      const y = Math.floor(i / 60)
      expect(x >= rect.x0 && x < rect.x0 + rect.w && y >= rect.y0 && y < rect.y0 + rect.h).toBe(true)
    }
  // Row 15 (the centre line) is painted from x = 7 to x = 33 (centres within 3 of the segment).
  const row = Array.from(stroke.bitmap.data.slice(15 * 60, 16 * 60))
  expect(row.indexOf(1)).toBe(7)
  expect(row.lastIndexOf(1)).toBe(33)
  expect(stroke.points).toEqual([
    [10.5, 15.5],
    [30.5, 15.5],
  ])
  // The same point again changes nothing.
  expect(extendStroke(stroke, [30.5, 15.5])).toBeNull()
})

it('clips a stroke outside the image and reports nothing to redraw', () => {
  const { stroke, dirty } = startStroke(20, 20, 2, [-10, -10])
  expect(dirty).toBeNull()
  expect(sum(stroke.bitmap.data)).toBe(0)
})

it('turns a rectangle of the bitmap into RGBA, transparent where unpainted', () => {
  const bitmap = { w: 3, h: 2, data: Uint8Array.from([0, 1, 0, 1, 1, 0]) }
  const px = rectRgba(bitmap, { x0: 1, y0: 0, w: 2, h: 2 }, [10, 20, 30], 200)
  expect(Array.from(px)).toEqual([10, 20, 30, 200, 0, 0, 0, 0, 10, 20, 30, 200, 0, 0, 0, 0])
})
