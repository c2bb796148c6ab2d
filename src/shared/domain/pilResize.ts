/**
 * Image resampling that reproduces Pillow's `Image.resize(size, Image.BILINEAR)` byte for byte (Pillow's
 * src/libImaging/Resample.c, ImagingResample for 8-bit images), which the Seg-Zero / VisionReasoner pipelines
 * use to make the 840×840 model input and SAM's ResizeLongestSide uses for the image encoder input. Pillow's "bilinear" is a separable triangle filter whose support grows
 * with the downscaling factor (so downscaling averages, it does not sample), with coefficients in 22-bit fixed
 * point, a horizontal pass first (8-bit rounded), then a vertical pass. Pure module.
 */

/** Interleaved 8-bit pixels, row-major, `channels` bytes per pixel. */
export interface PixelImage {
  width: number
  height: number
  data: Uint8Array
}

const PRECISION_BITS = 32 - 8 - 2
const HALF = 1 << (PRECISION_BITS - 1)

function bilinearFilter(x: number): number {
  if (x < 0) x = -x
  return x < 1 ? 1 - x : 0
}

interface Coeffs {
  ksize: number
  bounds: Int32Array
  kk: Int32Array
}

/** precompute_coeffs + normalize_coeffs_8bpc for a full-image box (in0 = 0, in1 = inSize). */
function precomputeCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize
  const filterscale = scale < 1 ? 1 : scale
  const support = 1.0 * filterscale
  const ksize = Math.ceil(support) * 2 + 1
  const bounds = new Int32Array(outSize * 2)
  const kk = new Int32Array(outSize * ksize)
  const k = new Float64Array(ksize)
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale
    const ss = 1.0 / filterscale
    let ww = 0
    // C's (int) cast truncates toward zero.
    let xmin = Math.trunc(center - support + 0.5)
    if (xmin < 0) xmin = 0
    let xmax = Math.trunc(center + support + 0.5)
    if (xmax > inSize) xmax = inSize
    xmax -= xmin
    for (let x = 0; x < xmax; x++) {
      const w = bilinearFilter((x + xmin - center + 0.5) * ss)
      k[x] = w
      ww += w
    }
    for (let x = 0; x < ksize; x++) {
      const v = x < xmax ? (ww !== 0 ? k[x] / ww : k[x]) : 0
      kk[xx * ksize + x] =
        v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS))
    }
    bounds[xx * 2] = xmin
    bounds[xx * 2 + 1] = xmax
  }
  return { ksize, bounds, kk }
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS
  return v < 0 ? 0 : v > 255 ? 255 : v
}

/**
 * `Image.resize((outWidth, outHeight), Image.BILINEAR)` for an 8-bit image with `channels` interleaved bands
 * (3 for RGB, 1 for L). Returns a new image.
 */
export function resizeBilinearPil(
  src: PixelImage,
  outWidth: number,
  outHeight: number,
  channels = 3,
): PixelImage {
  const { width: inW, height: inH, data } = src
  if (!(inW > 0 && inH > 0 && outWidth > 0 && outHeight > 0)) {
    throw new Error(`cannot resize ${inW}x${inH} to ${outWidth}x${outHeight}`)
  }
  if (data.length !== inW * inH * channels) {
    throw new Error(`pixel buffer has ${data.length} bytes, expected ${inW}x${inH}x${channels}`)
  }
  const C = channels
  const needH = outWidth !== inW
  const needV = outHeight !== inH
  const vert = precomputeCoeffs(inH, outHeight)
  const yFirst = vert.bounds[0]
  const yLast = vert.bounds[outHeight * 2 - 2] + vert.bounds[outHeight * 2 - 1]

  let cur: PixelImage = src
  let rowOffset = 0
  if (needH) {
    // Only the source rows the vertical pass reads are resampled horizontally (as Pillow does).
    const horiz = precomputeCoeffs(inW, outWidth)
    const rows = yLast - yFirst
    const out = new Uint8Array(outWidth * rows * C)
    const acc = new Float64Array(C)
    for (let yy = 0; yy < rows; yy++) {
      const rowIn = (yy + yFirst) * inW * C
      const rowOut = yy * outWidth * C
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = horiz.bounds[xx * 2]
        const xmax = horiz.bounds[xx * 2 + 1]
        const kOff = xx * horiz.ksize
        const o = rowOut + xx * C
        if (C === 3) {
          // Scalar accumulators for the common RGB case: several times faster than the generic loop.
          let s0 = HALF
          let s1 = HALF
          let s2 = HALF
          for (let x = 0, p = rowIn + xmin * 3; x < xmax; x++, p += 3) {
            const kv = horiz.kk[kOff + x]
            s0 += data[p] * kv
            s1 += data[p + 1] * kv
            s2 += data[p + 2] * kv
          }
          out[o] = clip8(s0)
          out[o + 1] = clip8(s1)
          out[o + 2] = clip8(s2)
          continue
        }
        acc.fill(HALF)
        for (let x = 0; x < xmax; x++) {
          const kv = horiz.kk[kOff + x]
          const p = rowIn + (x + xmin) * C
          for (let c = 0; c < C; c++) acc[c] += data[p + c] * kv
        }
        for (let c = 0; c < C; c++) out[o + c] = clip8(acc[c])
      }
    }
    cur = { width: outWidth, height: rows, data: out }
    rowOffset = yFirst
  }
  if (!needV) {
    return cur === src ? { width: inW, height: inH, data: data.slice() } : cur
  }
  const w = cur.width
  const out = new Uint8Array(w * outHeight * C)
  const acc = new Float64Array(C)
  const cd = cur.data
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = vert.bounds[yy * 2] - rowOffset
    const ymax = vert.bounds[yy * 2 + 1]
    const kOff = yy * vert.ksize
    const stride = w * C
    for (let xx = 0; xx < w; xx++) {
      const o = (yy * w + xx) * C
      if (C === 3) {
        let s0 = HALF
        let s1 = HALF
        let s2 = HALF
        for (let y = 0, p = ymin * stride + xx * 3; y < ymax; y++, p += stride) {
          const kv = vert.kk[kOff + y]
          s0 += cd[p] * kv
          s1 += cd[p + 1] * kv
          s2 += cd[p + 2] * kv
        }
        out[o] = clip8(s0)
        out[o + 1] = clip8(s1)
        out[o + 2] = clip8(s2)
        continue
      }
      acc.fill(HALF)
      for (let y = 0; y < ymax; y++) {
        const kv = vert.kk[kOff + y]
        const p = ((y + ymin) * w + xx) * C
        for (let c = 0; c < C; c++) acc[c] += cd[p + c] * kv
      }
      for (let c = 0; c < C; c++) out[o + c] = clip8(acc[c])
    }
  }
  return { width: w, height: outHeight, data: out }
}
