/**
 * MaskBuilder fed bit-packed rows in arbitrary pieces (as pages split them) must give the same runs as
 * encoding the dense mask directly (rle.ts's encodeRowMajor, the reference), for random masks of
 * assorted shapes including 1-pixel-wide and 1-pixel-tall ones.
 */
import { describe, expect, it } from 'vitest'
import { MaskBuilder } from '../../../../../src/main/datasets/parquet/maskColumn'
import { copyBits } from '../../../../../src/main/datasets/parquet/streamDecoders'
import { encodeRowMajor } from '../../../../../src/shared/domain/rle'
import { seededRng } from '../../../../../src/shared/domain/random'

function pack(bits: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(((bits.length + offset + 7) >> 3) + 1)
  bits.forEach((b, i) => {
    if (b) out[(i + offset) >> 3] |= 1 << ((i + offset) & 7)
  })
  return out
}

describe('copyBits', () => {
  it('copies any bit range between any offsets', () => {
    const r = seededRng(3)
    for (let t = 0; t < 300; t++) {
      const len = 1 + Math.floor(r() * 70)
      const src = Uint8Array.from({ length: len }, () => (r() < 0.5 ? 1 : 0))
      const so = Math.floor(r() * 13)
      const dof = Math.floor(r() * 13)
      const dst = new Uint8Array(20).fill(0xff)
      copyBits(pack(src, so), so, dst, dof, len)
      const got = Array.from({ length: len }, (_, i) => (dst[(i + dof) >> 3] >> ((i + dof) & 7)) & 1)
      expect(got).toEqual(Array.from(src))
    }
  })
})

describe('MaskBuilder', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 37],
    [45, 1],
    [7, 9],
    [33, 64],
    [20, 129],
  ]
  it.each(shapes)('%i x %i masks split at random points match encodeRowMajor', (h, w) => {
    const r = seededRng(h * 1000 + w)
    const b = new MaskBuilder()
    for (const density of [0, 1, 0.05, 0.5, 0.95]) {
      const dense = Uint8Array.from({ length: h * w }, () => (r() < density ? 1 : 0))
      b.reset()
      for (let y = 0; y < h; y++) {
        const row = dense.subarray(y * w, (y + 1) * w)
        let x = 0
        while (x < w) {
          const take = Math.min(w - x, 1 + Math.floor(r() * w))
          const off = Math.floor(r() * 8)
          b.append(pack(row.subarray(x, x + take), off), off, take)
          x += take
        }
        b.endLine()
      }
      expect(b.ragged).toBeNull()
      expect(Array.from(b.finish().counts)).toEqual(Array.from(encodeRowMajor(dense, h, w).counts))
    }
  })

  it('flags a ragged mask', () => {
    const b = new MaskBuilder()
    b.append(Uint8Array.of(0b101), 0, 3)
    b.endLine()
    b.append(Uint8Array.of(0b1), 0, 2)
    b.endLine()
    expect(b.ragged).toEqual({ y: 1, len: 2 })
  })
})
