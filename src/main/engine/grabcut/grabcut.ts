/**
 * The GrabCut baseline's algorithm: turns one object prompt into a mask with OpenCV's GrabCut, seeded by
 * the box (outside = background, inside = probably foreground) and the points (small disks of certain
 * foreground / background). Work happens on a region of interest around the prompt, downscaled so its
 * longest side is at most `maxSide`, then the mask is upscaled back; for big box regions, coarse-to-fine
 * (colour models on a coarser grid, graph cuts near the object only). Synchronous and heavy: run it in
 * the worker (worker.ts), not on a thread that serves the UI.
 */
import { boundaryBand } from '../../../shared/domain/boundaryBand'
import { labelComponents } from '../../../shared/domain/components'
import type { ObjectPrompt } from '../../../shared/domain/prompts'
import type { RgbImage } from '../types'
import type { CvMat, CvModule } from './opencv'

export interface GrabCutOptions {
  /**
   * GrabCut iterations (each re-fits the colour models and re-cuts the graph); coarse-to-fine stops
   * earlier once a cut moves almost no pixel.
   */
  iterations?: number
  /** Longest side of the region GrabCut sees; bigger regions are downscaled first. */
  maxSide?: number
  /**
   * Coarse-to-fine, for box prompts whose `maxSide` grid has at least twice the pixels of a grid of this
   * longest side: the colour models are fitted on that grid, the graph cuts run on the `maxSide` grid
   * over the box only, free only in the last answer's foreground and `band` pixels around it. 0 turns it
   * off: every iteration on the whole `maxSide` grid (the slower single pass, kept as the bench's
   * baseline).
   */
  coarseSide?: number
  /**
   * Half-width of the band around the last answer's edge left free to move, in `maxSide`-grid pixels; the
   * default covers one coarse pixel (320 / 140 ≈ 2.3 fine pixels), the error of the coarse answer's edge.
   */
  band?: number
  /** Background margin kept around the box, as a fraction of the box's longer side. */
  margin?: number
  /** Gaussian blur (in working-grid pixels) applied before GrabCut; 0 turns it off. */
  blurSigma?: number
}

export const GRABCUT_DEFAULTS: Required<GrabCutOptions> = {
  iterations: 3,
  maxSide: 320,
  coarseSide: 140,
  band: 3,
  margin: 0.25,
  blurSigma: 0.8,
}

const GRABCUT_SEED = 0x5eed

interface Region {
  x: number
  y: number
  w: number
  h: number
}

/** Returns a row-major 0/1 mask of the whole image. */
export function grabCutMask(
  cv: CvModule,
  image: RgbImage,
  prompt: ObjectPrompt,
  options: GrabCutOptions = {},
): Uint8Array {
  const opts = { ...GRABCUT_DEFAULTS, ...options }
  const { width: W, height: H } = image
  const out = new Uint8Array(W * H)
  const inImage = (p: { x: number; y: number }) => p.x >= 0 && p.y >= 0 && p.x < W && p.y < H
  const positives = prompt.points.filter((p) => p.label === 1 && inImage(p))
  const negatives = prompt.points.filter((p) => p.label === 0 && inImage(p))

  // A box wholly outside the image counts as no box; the clicks may still say where the object is.
  const box = prompt.box ? pixelBox(prompt.box, W, H) : null
  if (!box && positives.length === 0) return out
  if (box) {
    // A positive click outside the box means the user wants that pixel too: grow the box to hold it.
    for (const p of positives) {
      box.x0 = Math.min(box.x0, Math.floor(p.x))
      box.y0 = Math.min(box.y0, Math.floor(p.y))
      box.x1 = Math.max(box.x1, Math.floor(p.x))
      box.y1 = Math.max(box.y1, Math.floor(p.y))
    }
    const bw = box.x1 - box.x0 + 1
    const bh = box.y1 - box.y0 + 1
    // Too small for colour models to mean anything: the box itself is the best answer.
    if (bw < 4 || bh < 4) {
      for (let y = box.y0; y <= box.y1; y++) out.fill(1, y * W + box.x0, y * W + box.x1 + 1)
      return out
    }
  }

  // Without a box the object's extent is unknown, so GrabCut sees the whole image and only the points
  // (plus a probable-foreground neighbourhood around the positives) constrain it.
  let region: Region
  if (box) {
    const m = Math.max(8, Math.round(opts.margin * Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1)))
    const x = Math.max(0, box.x0 - m)
    const y = Math.max(0, box.y0 - m)
    region = { x, y, w: Math.min(W - 1, box.x1 + m) - x + 1, h: Math.min(H - 1, box.y1 + m) - y + 1 }
  } else {
    region = { x: 0, y: 0, w: W, h: H }
  }
  const seeding = { box, positives, negatives, region }
  const fine = gridFor(region, opts.maxSide)
  // Coarse-to-fine needs a box (without one the object may lie anywhere, so no pixel can be fixed from a
  // coarse answer), and pays off only once the fine grid has twice the coarse grid's pixels: below that
  // its fixed steps (k-means and a cut on the coarse grid, two cuts, a refit) cost more than they save.
  const coarse =
    box && opts.coarseSide > 0 && Math.max(fine.w, fine.h) ** 2 >= 2 * opts.coarseSide ** 2
      ? gridFor(region, opts.coarseSide)
      : fine

  const mats: CvMat[] = []
  const track = <T extends CvMat>(m: T): T => {
    mats.push(m)
    return m
  }
  let small: Uint8Array
  try {
    const crop = track(new cv.Mat(region.h, region.w, cv.CV_8UC3))
    copyRegion(image, region, crop.data)
    // The image on a grid, lightly blurred; with a window, only that part is blurred and returned (the
    // blur reads the pixels around the window, so its edges are blurred as within the whole grid).
    const prepare = (g: Grid, window?: Region): CvMat => {
      let img = crop
      if (g.w !== region.w || g.h !== region.h) {
        img = track(new cv.Mat())
        cv.resize(crop, img, new cv.Size(g.w, g.h), 0, 0, cv.INTER_AREA)
      }
      if (window) img = track(img.roi(new cv.Rect(window.x, window.y, window.w, window.h)))
      if (opts.blurSigma > 0) {
        // Per-pixel noise weakens GrabCut's contrast-sensitive smoothness term and scatters its colour
        // models; on noisy full-resolution crops it then collapses to an empty mask. A light blur fixes it.
        const blurred = track(new cv.Mat())
        cv.GaussianBlur(img, blurred, new cv.Size(0, 0), opts.blurSigma, opts.blurSigma, cv.BORDER_DEFAULT)
        img = blurred
      }
      return img
    }
    const bgd = track(new cv.Mat())
    const fgd = track(new cv.Mat())
    const fineSeeds = seedGrid(cv, seeding, fine)
    // GrabCut seeds its colour models with k-means on OpenCV's global RNG; without a fixed seed the same
    // prompt would give slightly different masks from call to call (and batch runs would not reproduce).
    cv.setRNGSeed(GRABCUT_SEED)
    if (coarse === fine) {
      const mask = track(new cv.Mat(fine.h, fine.w, cv.CV_8UC1))
      mask.data.set(fineSeeds)
      const rect = new cv.Rect(0, 0, fine.w, fine.h)
      cv.grabCut(prepare(fine), mask, rect, bgd, fgd, opts.iterations, cv.GC_INIT_WITH_MASK)
      small = new Uint8Array(fine.w * fine.h)
      foregroundOf(cv, mask.data, small, 1)
    } else {
      small = coarseToFine(cv, track, prepare, seeding, { coarse, fine }, fineSeeds, opts, { bgd, fgd })
    }
    small = keepPromptedComponents(
      small,
      fine.w,
      fine.h,
      positives.map((p) => toGrid(fine, region, p)),
    )

    // The box is a hard limit, as in the seeds (upscaling would bleed a pixel past it): only its pixels
    // are written.
    const write = box ? { x: box.x0, y: box.y0, w: box.x1 - box.x0 + 1, h: box.y1 - box.y0 + 1 } : region
    let grid = small
    let threshold = 1
    if (fine.w !== region.w || fine.h !== region.h) {
      const lo = track(new cv.Mat(fine.h, fine.w, cv.CV_8UC1))
      const ld = lo.data
      for (let i = 0; i < small.length; i++) ld[i] = small[i] * 255
      const hi = track(new cv.Mat())
      cv.resize(lo, hi, new cv.Size(region.w, region.h), 0, 0, cv.INTER_LINEAR)
      grid = hi.data
      threshold = 128
    }
    for (let y = write.y; y < write.y + write.h; y++) {
      const from = (y - region.y) * region.w - region.x
      for (let x = write.x; x < write.x + write.w; x++) out[y * W + x] = grid[from + x] >= threshold ? 1 : 0
    }
  } finally {
    for (const m of mats) m.delete()
  }
  return out
}

/**
 * GrabCut's iterations split by cost (in the wasm build, k-means takes ~15 ms on 45k pixels, a
 * graph cut ~0.2 µs per pixel it is given). The colour models are fitted on the coarse grid of the whole
 * region (the margin is what teaches them the background). The graph cuts run on the fine grid, and only
 * the pixels that can still change are left probable: the last answer's foreground (where a hole the
 * coarse grid filled may hide) and a band around its edge. The rest keeps its label as certain, so each
 * cut's graph covers just the window of those pixels, not the margin nor the box's far corners. Between
 * cuts the models are refitted from the last cut's labels brought down to the coarse grid. Stops early
 * once a cut moves almost no pixel. Returns the fine grid's 0/1 foreground.
 */
function coarseToFine(
  cv: CvModule,
  track: <T extends CvMat>(m: T) => T,
  prepare: (g: Grid, window?: Region) => CvMat,
  seeding: Seeding,
  grids: { coarse: Grid; fine: Grid },
  fineSeeds: Uint8Array,
  opts: { iterations: number; band: number },
  models: { bgd: CvMat; fgd: CvMat },
): Uint8Array {
  const { coarse, fine } = grids
  const { bgd, fgd } = models
  const coarseImg = prepare(coarse)
  const coarseSeeds = seedGrid(cv, seeding, coarse)
  const coarseMask = track(new cv.Mat(coarse.h, coarse.w, cv.CV_8UC1))
  coarseMask.data.set(coarseSeeds)
  const coarseRect = new cv.Rect(0, 0, coarse.w, coarse.h)
  // k-means, one fit from the seeds and one cut, all on the coarse grid.
  cv.grabCut(coarseImg, coarseMask, coarseRect, bgd, fgd, 1, cv.GC_INIT_WITH_MASK)

  // Everything below works in the cut window (the box on the fine grid, one pixel more).
  const win = cutWindow(fineSeeds, fine.w, fine.h, cv.GC_BGD)
  const n = win.w * win.h
  const seeds = cropGrid(fineSeeds, fine.w, win)
  const lo = track(new cv.Mat(coarse.h, coarse.w, cv.CV_8UC1))
  foregroundOf(cv, coarseMask.data, lo.data, 255)
  const up = track(new cv.Mat())
  cv.resize(lo, up, new cv.Size(fine.w, fine.h), 0, 0, cv.INTER_LINEAR)
  const fg = cropGrid(up.data, fine.w, win).map((v, i) =>
    seeds[i] === cv.GC_BGD ? 0 : seeds[i] === cv.GC_FGD || v >= 128 ? 1 : 0,
  )
  // A coarse cut that lost the object (low contrast, thin parts) leaves nothing to refine: the first fine
  // cut then starts from the seeds, everything inside the box probable foreground.
  if (!fg.includes(1)) for (let i = 0; i < n; i++) fg[i] = seeds[i] === cv.GC_BGD ? 0 : 1

  const fineImg = prepare(fine, win)
  const fineFg = track(new cv.Mat(fine.h, fine.w, cv.CV_8UC1))
  const down = track(new cv.Mat())
  const labels = new Uint8Array(n)
  // A cut moving fewer pixels than this would change the colour models too little to matter.
  const settled = Math.max(1, Math.round(0.005 * n))
  for (let it = 0; it < opts.iterations; it++) {
    const band = boundaryBand(fg, win.w, win.h, opts.band)
    for (let i = 0; i < n; i++) {
      const s = seeds[i]
      if (s === cv.GC_BGD || s === cv.GC_FGD) labels[i] = s
      else if (fg[i]) labels[i] = cv.GC_PR_FGD
      else labels[i] = band[i] ? cv.GC_PR_BGD : cv.GC_BGD
    }
    // The graph is built for every pixel it is given, certain or not: give it only the free pixels' window.
    const cw = cutWindow(labels, win.w, win.h, cv.GC_BGD)
    const mask = track(new cv.Mat(cw.h, cw.w, cv.CV_8UC1))
    mask.data.set(cropGrid(labels, win.w, cw))
    const img = track(fineImg.roi(new cv.Rect(cw.x, cw.y, cw.w, cw.h)))
    cv.grabCut(img, mask, new cv.Rect(0, 0, cw.w, cw.h), bgd, fgd, 1, cv.GC_EVAL_FREEZE_MODEL)
    const cut = mask.data
    let moved = 0
    for (let y = 0; y < cw.h; y++) {
      for (let x = 0; x < cw.w; x++) {
        const c = cut[y * cw.w + x]
        const v = c === cv.GC_FGD || c === cv.GC_PR_FGD ? 1 : 0
        const i = (cw.y + y) * win.w + cw.x + x
        if (v !== fg[i]) moved++
        fg[i] = v
      }
    }
    if (it === opts.iterations - 1 || moved < settled) break
    // Refit the models from this cut's labels on the coarse grid, the prompt's certain labels kept. All
    // labels are certain there: the fit does not care, and GrabCut's own cut then has nothing to do.
    const fd = fineFg.data
    fd.fill(0)
    for (let y = 0; y < win.h; y++)
      for (let x = 0; x < win.w; x++) fd[(win.y + y) * fine.w + win.x + x] = fg[y * win.w + x] * 255
    cv.resize(fineFg, down, new cv.Size(coarse.w, coarse.h), 0, 0, cv.INTER_AREA)
    const dd = down.data
    coarseMask.data.set(
      coarseSeeds.map((s, i) =>
        s === cv.GC_BGD || s === cv.GC_FGD ? s : dd[i] >= 128 ? cv.GC_FGD : cv.GC_BGD,
      ),
    )
    cv.grabCut(coarseImg, coarseMask, coarseRect, bgd, fgd, 1, cv.GC_EVAL)
  }
  const out = new Uint8Array(fine.w * fine.h)
  for (let y = 0; y < win.h; y++)
    out.set(fg.subarray(y * win.w, (y + 1) * win.w), (win.y + y) * fine.w + win.x)
  return out
}

/** The window's pixels of a row-major grid, as a row-major array of the window's size. */
function cropGrid(a: Uint8Array, w: number, win: Region): Uint8Array {
  const out = new Uint8Array(win.w * win.h)
  for (let y = 0; y < win.h; y++) {
    const from = (win.y + y) * w + win.x
    out.set(a.subarray(from, from + win.w), y * win.w)
  }
  return out
}

/** The smallest window of the grid holding every pixel whose label is not `fixed`, plus one pixel (the
 * graph cut's smoothness term sees the neighbours just outside); the whole grid if there is none. */
export function cutWindow(labels: Uint8Array, w: number, h: number, fixed: number): Region {
  let x0 = w
  let y0 = h
  let x1 = -1
  let y1 = -1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (labels[y * w + x] === fixed) continue
      if (x < x0) x0 = x
      if (x > x1) x1 = x
      if (y < y0) y0 = y
      if (y > y1) y1 = y
    }
  }
  if (x1 < 0) return { x: 0, y: 0, w, h }
  x0 = Math.max(0, x0 - 1)
  y0 = Math.max(0, y0 - 1)
  x1 = Math.min(w - 1, x1 + 1)
  y1 = Math.min(h - 1, y1 + 1)
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }
}

/** A working grid over the region: downscaled so its longest side is at most `maxSide`. */
interface Grid {
  w: number
  h: number
  sx: number
  sy: number
}

function gridFor(region: Region, maxSide: number): Grid {
  const scale = Math.min(1, maxSide / Math.max(region.w, region.h))
  const w = Math.max(1, Math.round(region.w * scale))
  const h = Math.max(1, Math.round(region.h * scale))
  return { w, h, sx: w / region.w, sy: h / region.h }
}

function toGrid(g: Grid, region: Region, p: { x: number; y: number }): { x: number; y: number } {
  return { x: (p.x - region.x) * g.sx, y: (p.y - region.y) * g.sy }
}

interface Seeding {
  box: { x0: number; y0: number; x1: number; y1: number } | null
  positives: { x: number; y: number }[]
  negatives: { x: number; y: number }[]
  region: Region
}

/** GrabCut's initial labels on a grid: outside the box certain background, inside probable foreground,
 * clicks as small disks of certain foreground / background. */
function seedGrid(cv: CvModule, { box, positives, negatives, region }: Seeding, g: Grid): Uint8Array {
  const seeds = new Uint8Array(g.w * g.h)
  if (box) {
    seeds.fill(cv.GC_BGD)
    // Pixel centres of the box's columns/rows, mapped to the grid.
    const bx0 = Math.max(0, Math.floor((box.x0 - region.x) * g.sx))
    const by0 = Math.max(0, Math.floor((box.y0 - region.y) * g.sy))
    const bx1 = Math.min(g.w - 1, Math.ceil((box.x1 + 1 - region.x) * g.sx) - 1)
    const by1 = Math.min(g.h - 1, Math.ceil((box.y1 + 1 - region.y) * g.sy) - 1)
    for (let y = by0; y <= by1; y++) seeds.fill(cv.GC_PR_FGD, y * g.w + bx0, y * g.w + bx1 + 1)
  } else {
    seeds.fill(cv.GC_PR_BGD)
    const r = 0.1 * Math.min(g.w, g.h)
    for (const p of positives) paintDisk(seeds, g.w, g.h, toGrid(g, region, p), r, cv.GC_PR_FGD)
  }
  const dot = Math.max(1.5, 0.012 * Math.max(g.w, g.h))
  for (const p of negatives) paintDisk(seeds, g.w, g.h, toGrid(g, region, p), dot, cv.GC_BGD)
  for (const p of positives) paintDisk(seeds, g.w, g.h, toGrid(g, region, p), dot, cv.GC_FGD)
  ensureBothClasses(cv, seeds, g.w, g.h)
  return seeds
}

/** Writes `on` where GrabCut's label is (probable) foreground, 0 elsewhere. */
function foregroundOf(cv: CvModule, labels: Uint8Array, dst: Uint8Array, on: number): void {
  for (let i = 0; i < labels.length; i++)
    dst[i] = labels[i] === cv.GC_FGD || labels[i] === cv.GC_PR_FGD ? on : 0
}

/**
 * The box's pixels, inclusive: pixel (c, r) is inside when its centre (c + 0.5, r + 0.5) lies within the
 * box's continuous edges, so [x, y, x + w, y + h] covers exactly w × h pixels. Null when nothing is inside.
 */
function pixelBox(
  b: [number, number, number, number],
  W: number,
  H: number,
): { x0: number; y0: number; x1: number; y1: number } | null {
  const [ax, ay, bx, by] = b
  const x0 = Math.max(0, Math.ceil(Math.min(ax, bx) - 0.5))
  const y0 = Math.max(0, Math.ceil(Math.min(ay, by) - 0.5))
  const x1 = Math.min(W - 1, Math.floor(Math.max(ax, bx) - 0.5))
  const y1 = Math.min(H - 1, Math.floor(Math.max(ay, by) - 0.5))
  return x1 >= x0 && y1 >= y0 ? { x0, y0, x1, y1 } : null
}

function copyRegion(image: RgbImage, r: Region, dst: Uint8Array): void {
  for (let y = 0; y < r.h; y++) {
    const from = ((r.y + y) * image.width + r.x) * 3
    dst.set(image.data.subarray(from, from + r.w * 3), y * r.w * 3)
  }
}

function paintDisk(
  a: Uint8Array,
  w: number,
  h: number,
  c: { x: number; y: number },
  r: number,
  v: number,
): void {
  const r2 = r * r
  for (let y = Math.max(0, Math.floor(c.y - r)); y <= Math.min(h - 1, Math.ceil(c.y + r)); y++) {
    for (let x = Math.max(0, Math.floor(c.x - r)); x <= Math.min(w - 1, Math.ceil(c.x + r)); x++) {
      const dx = x + 0.5 - c.x
      const dy = y + 0.5 - c.y
      if (dx * dx + dy * dy <= r2) a[y * w + x] = v
    }
  }
  // A disk smaller than a pixel still marks the pixel under its centre.
  const cx = Math.min(w - 1, Math.max(0, Math.floor(c.x)))
  const cy = Math.min(h - 1, Math.max(0, Math.floor(c.y)))
  a[cy * w + cx] = v
}

/** GrabCut needs samples of both classes to fit its colour models; a box covering the whole image has no
 * background, so the frame of the region becomes probable background. */
function ensureBothClasses(cv: CvModule, seeds: Uint8Array, w: number, h: number): void {
  let bg = false
  let fg = false
  for (let i = 0; i < seeds.length && !(bg && fg); i++) {
    const v = seeds[i]
    if (v === cv.GC_BGD || v === cv.GC_PR_BGD) bg = true
    else fg = true
  }
  if (!bg) {
    for (let x = 0; x < w; x++) {
      if (seeds[x] !== cv.GC_FGD) seeds[x] = cv.GC_PR_BGD
      if (seeds[(h - 1) * w + x] !== cv.GC_FGD) seeds[(h - 1) * w + x] = cv.GC_PR_BGD
    }
    for (let y = 0; y < h; y++) {
      if (seeds[y * w] !== cv.GC_FGD) seeds[y * w] = cv.GC_PR_BGD
      if (seeds[y * w + w - 1] !== cv.GC_FGD) seeds[y * w + w - 1] = cv.GC_PR_BGD
    }
  }
  if (!fg) seeds[((h >> 1) * w + (w >> 1)) | 0] = cv.GC_PR_FGD
}

/**
 * GrabCut leaves specks wherever the background's colours resemble the object's. Keep the components
 * holding a positive click; without clicks, the largest one and any of comparable size.
 */
export function keepPromptedComponents(
  mask: Uint8Array,
  w: number,
  h: number,
  positives: { x: number; y: number }[],
  comparable = 0.2,
): Uint8Array {
  const { labels, sizes } = labelComponents(mask, w, h, 4)
  if (sizes.length <= 2) return mask
  const keep = new Uint8Array(sizes.length)
  for (const p of positives) {
    const x = Math.min(w - 1, Math.max(0, Math.floor(p.x)))
    const y = Math.min(h - 1, Math.max(0, Math.floor(p.y)))
    keep[labels[y * w + x]] = 1
  }
  keep[0] = 0
  if (!keep.some((k) => k === 1)) {
    const largest = Math.max(...sizes.slice(1))
    for (let id = 1; id < sizes.length; id++) if (sizes[id] >= comparable * largest) keep[id] = 1
  }
  const out = new Uint8Array(mask.length)
  for (let i = 0; i < mask.length; i++) out[i] = keep[labels[i]]
  return out
}
