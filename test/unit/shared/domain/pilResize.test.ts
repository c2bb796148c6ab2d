import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resizeBilinearPil, type PixelImage } from '../../../../src/shared/domain/pilResize'

function hasPil(): boolean {
  if (!existsSync('/usr/bin/python3')) return false
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import PIL'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function randomImage(w: number, h: number, seed: number, channels = 3) {
  const data = new Uint8Array(w * h * channels)
  let s = seed
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0
    // mix smooth gradients with noise so both flat and busy regions are exercised
    const x = Math.floor(i / channels) % w
    data[i] = (s >>> 24) & 1 ? (x * 255) / Math.max(1, w - 1) : s >>> 24
  }
  return { width: w, height: h, data }
}

describe('resizeBilinearPil: hand-computed cases', () => {
  it('2x1 -> 1x1 averages with round-half-up (support grows with the downscale)', () => {
    // scale 2, support 2: both pixels weigh 0.75 before normalization -> 0.5 each; (10+21)/2 = 15.5 -> 16
    const out = resizeBilinearPil({ width: 2, height: 1, data: new Uint8Array([10, 21]) }, 1, 1, 1)
    expect([...out.data]).toEqual([16])
  })

  it('2 -> 4 upscale gives p0, .75p0+.25p1, .25p0+.75p1, p1', () => {
    const a = resizeBilinearPil({ width: 2, height: 1, data: new Uint8Array([0, 100]) }, 4, 1, 1)
    expect([...a.data]).toEqual([0, 25, 75, 100])
    // 0.5 -> 1 and 1.5 -> 2: halves round up in the 22-bit fixed point
    const b = resizeBilinearPil({ width: 2, height: 1, data: new Uint8Array([0, 2]) }, 4, 1, 1)
    expect([...b.data]).toEqual([0, 1, 2, 2])
  })

  it('4 -> 1 downscale weighs the centre pixels more (triangle of half-width 4)', () => {
    // centre 2, support 4, ss 1/4: taps at x+0.5-2 = -1.5,-0.5,0.5,1.5 -> weights .625,.875,.875,.625 (/3)
    // 0*.625 + 0*.875 + 120*.875 + 120*.625 = 180 / 3 = 60
    const out = resizeBilinearPil({ width: 4, height: 1, data: new Uint8Array([0, 0, 120, 120]) }, 1, 1, 1)
    expect([...out.data]).toEqual([60])
  })

  it('resizes rows and columns independently (vertical pass on a column)', () => {
    const out = resizeBilinearPil({ width: 1, height: 2, data: new Uint8Array([0, 100]) }, 1, 4, 1)
    expect([...out.data]).toEqual([0, 25, 75, 100])
  })

  it('returns a copy when the size does not change', () => {
    const src = randomImage(5, 4, 1)
    const out = resizeBilinearPil(src, 5, 4)
    expect(out.data).toEqual(src.data)
    expect(out.data).not.toBe(src.data)
  })

  it('rejects a buffer of the wrong size', () => {
    expect(() => resizeBilinearPil({ width: 3, height: 3, data: new Uint8Array(10) }, 2, 2)).toThrow(
      /expected 3x3x3/,
    )
  })
})

/** A 1-row (or 1-column) image whose three channels all carry `values`. */
function line(values: number[], vertical = false): PixelImage {
  const data = new Uint8Array(values.length * 3)
  values.forEach((v, i) => data.fill(v, i * 3, i * 3 + 3))
  return vertical ? { width: 1, height: values.length, data } : { width: values.length, height: 1, data }
}

const red = (img: PixelImage) => Array.from(img.data.filter((_, i) => i % 3 === 0))

describe('resizeBilinearPil on RGB (the 3-channel fast path), hand-derived from Resample.c', () => {
  it('upscales 2 -> 4 with half-pixel centres and edge clamping', () => {
    // centres (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> 0, 25, 75, 100
    expect(red(resizeBilinearPil(line([0, 100]), 4, 1))).toEqual([0, 25, 75, 100])
  })

  it('downscales 4 -> 2 with a widened (antialiasing) triangle of support 2', () => {
    // out 0: taps x = 0, 1, 2 with weights 3/7, 3/7, 1/7 -> 0 + 30 + 20 = 50
    // out 1: taps x = 1, 2, 3 with weights 1/7, 3/7, 3/7 -> 10 + 60 + 90 = 160
    expect(red(resizeBilinearPil(line([0, 70, 140, 210]), 2, 1))).toEqual([50, 160])
  })

  it('applies the same kernel vertically', () => {
    expect(red(resizeBilinearPil(line([0, 70, 140, 210], true), 1, 2))).toEqual([50, 160])
  })

  it('rounds half up in 8-bit fixed point', () => {
    // 2 -> 4 of [0, 1]: exact values 0, 0.25, 0.75, 1 -> 0, 0, 1, 1
    expect(red(resizeBilinearPil(line([0, 1]), 4, 1))).toEqual([0, 0, 1, 1])
  })

  it('returns the pixels untouched when the size does not change', () => {
    const img = line([3, 9, 27])
    expect(resizeBilinearPil(img, 3, 1).data).toEqual(img.data)
  })
})

describe.skipIf(!hasPil())('resizeBilinearPil: byte-identical to Pillow Image.resize(BILINEAR)', () => {
  const sizes: [number, number, number, number][] = [
    [1280, 720, 840, 840], // downscale x, upscale y
    [300, 200, 840, 840], // upscale both
    [1000, 777, 840, 840], // non-integer ratios
    [2000, 1501, 840, 840], // strong downscale
    [840, 600, 840, 840], // width unchanged: vertical pass only
    [3, 2, 5, 7],
    [17, 13, 4, 3],
  ]
  it.each(sizes)('%i x %i -> %i x %i', (w, h, ow, oh) => {
    const dir = mkdtempSync(join(tmpdir(), 'pilresize-'))
    try {
      const img = randomImage(w, h, w * 31 + h)
      writeFileSync(join(dir, 'in.raw'), img.data)
      execFileSync('/usr/bin/python3', [
        '-c',
        'import sys\nfrom PIL import Image\n' +
          'w,h,ow,oh=map(int,sys.argv[2:6])\n' +
          "im=Image.frombytes('RGB',(w,h),open(sys.argv[1]+'/in.raw','rb').read())\n" +
          "open(sys.argv[1]+'/out.raw','wb').write(im.resize((ow,oh),Image.BILINEAR).tobytes())",
        dir,
        String(w),
        String(h),
        String(ow),
        String(oh),
      ])
      const expected = new Uint8Array(readFileSync(join(dir, 'out.raw')))
      const got = resizeBilinearPil(img, ow, oh)
      expect(got.width).toBe(ow)
      expect(got.height).toBe(oh)
      let diff = 0
      for (let i = 0; i < expected.length; i++) if (expected[i] !== got.data[i]) diff++
      expect(diff).toBe(0)
      expect(got.data.length).toBe(expected.length)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
