import { describe, expect, it } from 'vitest'
import { longestSideSize, toNchwTensor } from '../../../../../src/main/engine/onnx/preprocess'
import type { RgbImage } from '../../../../../src/main/engine/types'

describe('longestSideSize (SAM get_preprocess_shape: int(x * scale + 0.5))', () => {
  it.each([
    [480, 640, 768, 1024],
    [1000, 300, 1024, 307], // 300 * 1.024 = 307.2
    [333, 517, 660, 1024], // 333 * 1024 / 517 = 659.56 -> 660
    [150, 200, 768, 1024],
    [683, 1024, 683, 1024],
    [1, 3, 341, 1024], // 341.33 -> 341
    [2, 3, 683, 1024], // 682.67 -> 683
  ])('%i x %i -> %i x %i', (h, w, eh, ew) => {
    expect(longestSideSize(h, w, 1024)).toEqual({ height: eh, width: ew })
  })
})

describe('toNchwTensor', () => {
  it('normalizes per channel and pads bottom/right with zeros', () => {
    const img: RgbImage = { width: 2, height: 1, data: Uint8Array.from([10, 20, 30, 40, 50, 60]) }
    const t = toNchwTensor(img, { size: 3, mean: [10, 20, 30], std: [2, 4, 5] })
    // channel planes of 3x3; image in row 0, columns 0..1
    expect(Array.from(t.slice(0, 9))).toEqual([0, 15, 0, 0, 0, 0, 0, 0, 0])
    expect(Array.from(t.slice(9, 18))).toEqual([0, 7.5, 0, 0, 0, 0, 0, 0, 0])
    expect(Array.from(t.slice(18, 27))).toEqual([0, 6, 0, 0, 0, 0, 0, 0, 0])
  })
})
