/**
 * The GrabCut baseline's algorithm: turns one object prompt into a mask with OpenCV's GrabCut, seeded by
 * the box (outside = background, inside = probably foreground) and the points (small disks of certain
 * foreground / background). Work happens on a region of interest around the prompt, downscaled so its
 * longest side is at most `maxSide`, then the mask is upscaled back. Synchronous and heavy: run it in the
 * worker (worker.ts), not on a thread that serves the UI.
 */
import { labelComponents } from '../../../shared/domain/components'
import type { ObjectPrompt } from '../../../shared/domain/prompts'
import type { RgbImage } from '../types'
import type { CvMat, CvModule } from './opencv'

export interface GrabCutOptions {
  /** GrabCut iterations (each re-fits the colour models and re-cuts the graph). */
  iterations?: number
  /** Longest side of the region GrabCut sees; bigger regions are downscaled first. */
  maxSide?: number
  /** Background margin kept around the box, as a fraction of the box's longer side. */
  margin?: number
  /** Gaussian blur (in working-grid pixels) applied before GrabCut; 0 turns it off. */
  blurSigma?: number
}

export const GRABCUT_DEFAULTS: Required<GrabCutOptions> = {
  iterations: 3,
  maxSide: 320,
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

  const scale = Math.min(1, opts.maxSide / Math.max(region.w, region.h))
  const sw = Math.max(1, Math.round(region.w * scale))
  const sh = Math.max(1, Math.round(region.h * scale))
  const sx = sw / region.w
  const sy = sh / region.h
  const toSmall = (p: { x: number; y: number }) => ({ x: (p.x - region.x) * sx, y: (p.y - region.y) * sy })

  const seeds = new Uint8Array(sw * sh)
  if (box) {
    seeds.fill(cv.GC_BGD)
    // Pixel centres of the box's columns/rows, mapped to the small grid.
    const bx0 = Math.max(0, Math.floor((box.x0 - region.x) * sx))
    const by0 = Math.max(0, Math.floor((box.y0 - region.y) * sy))
    const bx1 = Math.min(sw - 1, Math.ceil((box.x1 + 1 - region.x) * sx) - 1)
    const by1 = Math.min(sh - 1, Math.ceil((box.y1 + 1 - region.y) * sy) - 1)
    for (let y = by0; y <= by1; y++) seeds.fill(cv.GC_PR_FGD, y * sw + bx0, y * sw + bx1 + 1)
  } else {
    seeds.fill(cv.GC_PR_BGD)
    const r = 0.1 * Math.min(sw, sh)
    for (const p of positives) paintDisk(seeds, sw, sh, toSmall(p), r, cv.GC_PR_FGD)
  }
  const dot = Math.max(1.5, 0.012 * Math.max(sw, sh))
  for (const p of negatives) paintDisk(seeds, sw, sh, toSmall(p), dot, cv.GC_BGD)
  for (const p of positives) paintDisk(seeds, sw, sh, toSmall(p), dot, cv.GC_FGD)
  ensureBothClasses(cv, seeds, sw, sh)

  const mats: CvMat[] = []
  const track = <T extends CvMat>(m: T): T => {
    mats.push(m)
    return m
  }
  let small: Uint8Array
  try {
    const crop = track(new cv.Mat(region.h, region.w, cv.CV_8UC3))
    copyRegion(image, region, crop.data)
    let img = crop
    if (scale !== 1) {
      img = track(new cv.Mat())
      cv.resize(crop, img, new cv.Size(sw, sh), 0, 0, cv.INTER_AREA)
    }
    if (opts.blurSigma > 0) {
      // Per-pixel noise weakens GrabCut's contrast-sensitive smoothness term and scatters its colour
      // models; on noisy full-resolution crops it then collapses to an empty mask. A light blur fixes it.
      const blurred = track(new cv.Mat())
      cv.GaussianBlur(img, blurred, new cv.Size(0, 0), opts.blurSigma, opts.blurSigma, cv.BORDER_DEFAULT)
      img = blurred
    }
    const mask = track(new cv.Mat(sh, sw, cv.CV_8UC1))
    mask.data.set(seeds)
    const bgd = track(new cv.Mat())
    const fgd = track(new cv.Mat())
    // GrabCut seeds its colour models with k-means on OpenCV's global RNG; without a fixed seed the same
    // prompt would give slightly different masks from call to call (and batch runs would not reproduce).
    cv.setRNGSeed(GRABCUT_SEED)
    cv.grabCut(img, mask, new cv.Rect(0, 0, sw, sh), bgd, fgd, opts.iterations, cv.GC_INIT_WITH_MASK)
    small = new Uint8Array(sw * sh)
    const labels = mask.data
    for (let i = 0; i < small.length; i++)
      small[i] = labels[i] === cv.GC_FGD || labels[i] === cv.GC_PR_FGD ? 1 : 0
    small = keepPromptedComponents(
      small,
      sw,
      sh,
      positives.map((p) => toSmall(p)),
    )

    if (scale !== 1) {
      const lo = track(new cv.Mat(sh, sw, cv.CV_8UC1))
      for (let i = 0; i < small.length; i++) lo.data[i] = small[i] * 255
      const hi = track(new cv.Mat())
      cv.resize(lo, hi, new cv.Size(region.w, region.h), 0, 0, cv.INTER_LINEAR)
      const d = hi.data
      for (let y = 0; y < region.h; y++) {
        const row = (region.y + y) * W + region.x
        for (let x = 0; x < region.w; x++) out[row + x] = d[y * region.w + x] >= 128 ? 1 : 0
      }
    } else {
      for (let y = 0; y < region.h; y++)
        out.set(small.subarray(y * sw, (y + 1) * sw), (region.y + y) * W + region.x)
    }
  } finally {
    for (const m of mats) m.delete()
  }
  if (box) {
    // Upscaling can bleed a pixel past the box; the box is a hard limit, as in the seeds.
    for (let y = region.y; y < region.y + region.h; y++) {
      for (let x = region.x; x < region.x + region.w; x++) {
        if (x < box.x0 || x > box.x1 || y < box.y0 || y > box.y1) out[y * W + x] = 0
      }
    }
  }
  return out
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
