/**
 * Ground truth for the rewards: the dataset's `solution` string when it has one, else boxes and points
 * derived from the GT mask exactly as Seg-Zero's data preparation does
 * (`prepare_dataset/training_data_prepare_toturial.ipynb` and `gen_training_dataset.py`):
 *
 * - box: `[min x, min y, max x, max y]` of the mask pixels (inclusive max corner);
 * - point: `np.unravel_index(distance_transform_edt(m).argmax())`, i.e. the first pixel in row-major order
 *   with the largest Euclidean distance to a background pixel, pixels outside the array NOT counting as
 *   background (SciPy's convention; a mask without any background pixel gets SciPy's output for that case,
 *   the distance to the virtual pixel (-1, 0), whose maximum is the last pixel);
 * - both scaled to the 840×840 training space with `int(v * (840 / size) + 0.5)` — the factor is computed
 *   first, as `gen_training_dataset.py` does, which can differ from `v * 840 / size` in the last bit.
 * The first release's second point (`get_two_representative_points`) is derived as in the notebook as well.
 * Pure module.
 */
import { squaredDistanceToBackground } from '../oraclePrompts'
import type { PyValue } from './pySemantics'
import { isPyDict, pyJsonLoads } from './pySemantics'

export const TRAINING_SIZE = 840

export interface GtObject {
  bbox_2d: [number, number, number, number]
  point_2d: [number, number]
}

export interface DerivedGt {
  /** The VisionReasoner ground-truth string (`json.dumps` of the object list). */
  solution: string
  objects: GtObject[]
  /** The first release's second representative point, 840 space; null without a mask. */
  secondPoint: [number, number] | null
  source: 'solution' | 'derived'
}

/** `int(v * (840 / size) + 0.5)`. */
export function scaleTo840(v: number, size: number): number {
  return Math.trunc(v * (TRAINING_SIZE / size) + 0.5) + 0
}

/**
 * Squared Euclidean distance of every pixel to the nearest 0 pixel (0 for background), exact, with pixels
 * outside the array not counting as background. Returns null when the mask has no background pixel at all.
 */
export function squaredEdtNoBorder(mask: Uint8Array, w: number, h: number): Float64Array | null {
  for (let i = 0; i < w * h; i++) if (!mask[i]) return squaredDistanceToBackground(mask, w, h, false)
  return null
}

export interface MaskPrompts {
  /** Inclusive box and deepest point in mask pixels. */
  box: [number, number, number, number]
  point: [number, number]
  /** `get_two_representative_points`' second point in mask pixels. */
  second: [number, number]
}

/** The notebook's box, first point and second point of a binary mask (1 = object); null for an empty mask. */
export function maskPrompts(mask: Uint8Array, w: number, h: number): MaskPrompts | null {
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -1
  let y1 = -1
  const xs: number[] = []
  const ys: number[] = []
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (mask[y * w + x] === 1) {
        xs.push(x)
        ys.push(y)
        if (x < x0) x0 = x
        if (x > x1) x1 = x
        if (y < y0) y0 = y
        if (y > y1) y1 = y
      }
  if (xs.length === 0) return null
  const dt = squaredEdtNoBorder(mask, w, h) ?? noBackgroundDt(w, h)
  let best = -1
  let px = 0
  let py = 0
  for (let i = 0; i < w * h; i++)
    if (dt[i] > best) {
      best = dt[i]
      px = i % w
      py = (i - px) / w
    }
  return { box: [x0, y0, x1, y1], point: [px, py], second: secondPoint(mask, w, h, dt, xs, ys, px, py) }
}

/** What SciPy returns without any background pixel: the squared distance to (row -1, column 0). */
function noBackgroundDt(w: number, h: number): Float64Array {
  const d = new Float64Array(w * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = (y + 1) * (y + 1) + x * x
  return d
}

function secondPoint(
  mask: Uint8Array,
  w: number,
  h: number,
  dt: Float64Array,
  xs: number[],
  ys: number[],
  x1: number,
  y1: number,
): [number, number] {
  const n = xs.length
  const dist = new Float64Array(n)
  for (let i = 0; i < n; i++) dist[i] = Math.sqrt((ys[i] - y1) ** 2 + (xs[i] - x1) ** 2)
  const sorted = Float64Array.from(dist).sort()
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
  let x2 = -1
  let y2 = -1
  let best = -1
  for (let i = 0; i < n; i++) {
    if (!(dist[i] > median)) continue
    const val = dt[ys[i] * w + xs[i]]
    if (val > best) {
      best = val
      x2 = xs[i]
      y2 = ys[i]
    }
  }
  if (best < 0) {
    // No far pixel: the argmax of the distance transform in a 20×20 window at the (truncated) centroid.
    let sx = 0
    let sy = 0
    for (let i = 0; i < n; i++) {
      sx += xs[i]
      sy += ys[i]
    }
    const cx = Math.trunc(sx / n)
    const cy = Math.trunc(sy / n)
    const ya = Math.max(0, cy - 10)
    const yb = Math.min(h, cy + 10)
    const xa = Math.max(0, cx - 10)
    const xb = Math.min(w, cx + 10)
    for (let y = ya; y < yb; y++)
      for (let x = xa; x < xb; x++)
        if (dt[y * w + x] > best) {
          best = dt[y * w + x]
          x2 = x
          y2 = y
        }
  }
  if (mask[y2 * w + x2] === 0) {
    let bestD = Infinity
    for (let i = 0; i < n; i++) {
      const d = (xs[i] - x2) ** 2 + (ys[i] - y2) ** 2
      if (d < bestD) {
        bestD = d
        ;[x2, y2] = [xs[i], ys[i]]
      }
    }
  }
  return [x2, y2]
}

/** The GT objects of a `solution` string, when it is a list of `{bbox_2d: [4 numbers], point_2d: [2 numbers]}`. */
function solutionObjects(solution: string): GtObject[] | null {
  let v: PyValue
  try {
    v = pyJsonLoads(solution)
  } catch {
    return null
  }
  if (!Array.isArray(v)) return null
  const out: GtObject[] = []
  for (const item of v) {
    if (!isPyDict(item)) return null
    const b = item.get('bbox_2d')
    const p = item.get('point_2d')
    if (!Array.isArray(b) || b.length !== 4 || !Array.isArray(p) || p.length !== 2) return null
    if (![...b, ...p].every((x) => typeof x === 'number')) return null
    out.push({ bbox_2d: b as GtObject['bbox_2d'], point_2d: p as GtObject['point_2d'] })
  }
  return out
}

/**
 * The ground truth a reward compares against. A `solution` string is used verbatim (the reward parses it as
 * the trainer does); otherwise one object is derived from the whole GT mask, as the notebook does per
 * annotation, and `source` says "derived".
 */
export function rewardGroundTruth(input: {
  solution?: string | null
  mask: Uint8Array
  width: number
  height: number
}): DerivedGt {
  if (input.solution != null) {
    return {
      solution: input.solution,
      objects: solutionObjects(input.solution) ?? [],
      secondPoint: null,
      source: 'solution',
    }
  }
  const mp = maskPrompts(input.mask, input.width, input.height)
  if (!mp) return { solution: '[]', objects: [], secondPoint: null, source: 'derived' }
  const sx = (v: number) => scaleTo840(v, input.width)
  const sy = (v: number) => scaleTo840(v, input.height)
  const obj: GtObject = {
    bbox_2d: [sx(mp.box[0]), sy(mp.box[1]), sx(mp.box[2]), sy(mp.box[3])],
    point_2d: [sx(mp.point[0]), sy(mp.point[1])],
  }
  // json.dumps separators: ", " and ": ".
  const solution = `[{"bbox_2d": [${obj.bbox_2d.join(', ')}], "point_2d": [${obj.point_2d.join(', ')}]}]`
  return { solution, objects: [obj], secondPoint: [sx(mp.second[0]), sy(mp.second[1])], source: 'derived' }
}
