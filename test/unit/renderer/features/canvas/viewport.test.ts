import { describe, expect, it } from 'vitest'
import { fitView, toImage, toScreen, zoomAt } from '../../../../../src/renderer/src/features/canvas/viewport'

describe('viewport', () => {
  it('fits a wide image by width and centres it vertically', () => {
    const v = fitView(400, 100, 224, 224, 12)
    expect(v.scale).toBe(0.5)
    expect(v).toEqual({ scale: 0.5, tx: 12, ty: 87 })
  })

  it('keeps the image point under the cursor fixed while zooming', () => {
    const v = { scale: 2, tx: 30, ty: -10 }
    const cursor = { x: 123, y: 77 }
    const before = toImage(v, cursor.x, cursor.y)
    const z = zoomAt(v, 1.7, cursor.x, cursor.y)
    expect(z.scale).toBeCloseTo(3.4)
    const after = toScreen(z, before.x, before.y)
    expect(after.x).toBeCloseTo(cursor.x, 9)
    expect(after.y).toBeCloseTo(cursor.y, 9)
  })

  it('clamps the scale', () => {
    expect(zoomAt({ scale: 60, tx: 0, ty: 0 }, 10, 0, 0).scale).toBe(64)
    expect(zoomAt({ scale: 0.06, tx: 0, ty: 0 }, 0.1, 0, 0).scale).toBe(0.05)
  })
})
