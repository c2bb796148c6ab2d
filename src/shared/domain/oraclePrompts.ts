/**
 * Oracle prompts: the prompts a perfect localizer would give, derived from the ground-truth mask. Used by
 * batch re-segmentation (`--prompts gt-box | gt-box+points`) and by stage attribution, which compares a
 * run's IoU with the IoU the same segmenter reaches from these prompts.
 *
 * Each connected piece of the GT (8-connected) is one object, like the multi-object answers of Seg-Zero
 * whose masks are OR-ed: its tight box, and for `gt-box+points` its deepest interior point — the pixel
 * farthest (Euclidean) from any background pixel, the image border counting as background, as in the
 * click simulation of interactive-segmentation benchmarks (RITM). Ties go to the first pixel in row-major
 * order. Pieces smaller than `minFraction` of the largest are left out (annotation specks), and at most
 * `maxObjects` pieces, largest first, are prompted. Pure module.
 */
import { labelComponents } from './components'
import type { ObjectPrompt } from './prompts'
import { decodeRowMajor, type Rle } from './rle'

export type OraclePromptMode = 'gt-box' | 'gt-box+points'

export interface OracleOptions {
  maxObjects?: number
  minFraction?: number
}

export interface MaskComponent {
  area: number
  /** Tight box [x, y, x + w, y + h]: the pixels' outer edges, so a 1-pixel component has a 1×1 box. */
  box: [number, number, number, number]
  /** The component's deepest pixel (integer pixel coordinates) and its distance to the background. */
  deepest: { x: number; y: number; distance: number }
}

export function oraclePrompts(gt: Rle, mode: OraclePromptMode, opts: OracleOptions = {}): ObjectPrompt[] {
  const maxObjects = opts.maxObjects ?? 5
  const minFraction = opts.minFraction ?? 0.05
  const comps = maskComponents(decodeRowMajor(gt), gt.w, gt.h)
  if (comps.length === 0) return []
  const largest = comps[0].area
  return comps
    .filter((c) => c.area >= minFraction * largest)
    .slice(0, maxObjects)
    .map((c) => ({
      box: c.box,
      points: mode === 'gt-box+points' ? [{ x: c.deepest.x, y: c.deepest.y, label: 1 as const }] : [],
    }))
}

/** 8-connected components of a row-major 0/1 mask, largest first (ties: first found in row-major order). */
export function maskComponents(mask: Uint8Array, w: number, h: number): MaskComponent[] {
  const { labels, sizes } = labelComponents(mask, w, h, 8)
  const dist = squaredDistanceToBackground(mask, w, h)
  const n = sizes.length
  const x0 = new Int32Array(n).fill(w)
  const y0 = new Int32Array(n).fill(h)
  const x1 = new Int32Array(n).fill(-1)
  const y1 = new Int32Array(n).fill(-1)
  // The deepest pixel per component; scanning in row-major order keeps the first of equally deep ones.
  const best = new Int32Array(n).fill(-1)
  const bestD = new Float64Array(n).fill(-1)
  for (let i = 0; i < labels.length; i++) {
    const id = labels[i]
    if (id === 0) continue
    const x = i % w
    const y = (i - x) / w
    if (x < x0[id]) x0[id] = x
    if (x > x1[id]) x1[id] = x
    if (y < y0[id]) y0[id] = y
    if (y > y1[id]) y1[id] = y
    if (dist[i] > bestD[id]) {
      bestD[id] = dist[i]
      best[id] = i
    }
  }
  const comps: MaskComponent[] = []
  for (let id = 1; id < n; id++) {
    const bx = best[id] % w
    comps.push({
      area: sizes[id],
      box: [x0[id], y0[id], x1[id] + 1, y1[id] + 1],
      deepest: { x: bx, y: (best[id] - bx) / w, distance: Math.sqrt(bestD[id]) },
    })
  }
  // Stable sort keeps row-major discovery order among equal areas.
  return comps.sort((a, b) => b.area - a.area)
}

/**
 * Squared Euclidean distance from each foreground pixel to the nearest background pixel; 0 on background.
 * Pixels outside the image count as background unless `borderIsBackground` is false (SciPy's
 * `distance_transform_edt` convention: only the image's own background counts; a mask without any background
 * pixel is then Infinity everywhere). Felzenszwalb & Huttenlocher's separable exact transform: a 1-D pass
 * along columns, then a lower envelope of parabolas along rows.
 */
export function squaredDistanceToBackground(
  mask: Uint8Array,
  w: number,
  h: number,
  borderIsBackground = true,
): Float64Array {
  const beyond = borderIsBackground ? 0 : Infinity
  const col = new Float64Array(w * h)
  // Columns: distance to the nearest background in the same column, the border rows counting as such when
  // they are background; Infinity in a column without any.
  for (let x = 0; x < w; x++) {
    let d = beyond
    for (let y = 0; y < h; y++) {
      const i = y * w + x
      d = mask[i] ? d + 1 : 0
      col[i] = d
    }
    d = beyond
    for (let y = h - 1; y >= 0; y--) {
      const i = y * w + x
      d = mask[i] ? d + 1 : 0
      if (d < col[i]) col[i] = d
    }
  }
  const out = new Float64Array(w * h)
  // Rows: f(x) = col² inside, 0 on background; the two out-of-image columns at -1 and w are background
  // (f = 0) or, without the border, sites at Infinity. Infinite sites never form the envelope.
  const n = w + 2
  const f = new Float64Array(n)
  const v = new Int32Array(n)
  const z = new Float64Array(n + 1)
  for (let y = 0; y < h; y++) {
    for (let k = 0; k < n; k++) {
      const x = k - 1
      f[k] = x < 0 || x >= w ? beyond : col[y * w + x] * col[y * w + x]
    }
    let k = -1
    for (let q = 0; q < n; q++) {
      if (f[q] === Infinity) continue
      if (k < 0) {
        k = 0
        v[0] = q
        z[0] = -Infinity
        z[1] = Infinity
        continue
      }
      let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k])
      while (s <= z[k]) {
        k--
        s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k])
      }
      k++
      v[k] = q
      z[k] = s
      z[k + 1] = Infinity
    }
    if (k < 0) {
      // No background in the whole image (only without the border): every pixel is foreground.
      out.fill(Infinity, y * w, y * w + w)
      continue
    }
    k = 0
    for (let q = 0; q < n; q++) {
      while (z[k + 1] < q) k++
      const x = q - 1
      if (x >= 0 && x < w) {
        const i = y * w + x
        out[i] = mask[i] ? (q - v[k]) * (q - v[k]) + f[v[k]] : 0
      }
    }
  }
  return out
}
