/**
 * Helpers for the inspector browser tests: opening the app, an independent COCO RLE decoder (written from the format
 * notes, not the app's rle.ts), canvas pixel reads through screenshots, and image ↔ screen mapping
 * from the transform the canvas publishes in its data attributes.
 */
import { decode } from 'fast-png'
import type { Browser, Page } from 'playwright-core'

/** The part of a better-sqlite3 database the tests read through. */
export interface Db {
  prepare(sql: string): { get(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] }
}

/** A new 1280×800 page on the app at `url`, once its list has rows and a sample is shown. */
export async function openApp(browser: Browser, url: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  p.on('pageerror', (e) => console.error('page error:', e))
  await p.goto(url)
  await p.waitForSelector('[data-testid=row][data-sample-id]')
  await p.waitForFunction(() => document.querySelector('[data-testid=app]')?.getAttribute('data-sample-id'))
  return p
}

/** The id of the sample the app shows. */
export const currentSample = (p: Page) => p.getAttribute('[data-testid=app]', 'data-sample-id').then(Number)

/** COCO compressed counts string → row-major 0/1 mask (pycocotools' rleFrString, then column-major fill). */
export function decodeCoco(counts: string, h: number, w: number): Uint8Array {
  const runs: number[] = []
  let p = 0
  while (p < counts.length) {
    let x = 0
    let k = 0
    let more = 1
    while (more) {
      const c = counts.charCodeAt(p) - 48
      x |= (c & 0x1f) << (5 * k)
      more = c & 0x20
      p++
      k++
      if (!more && c & 0x10) x |= -1 << (5 * k)
    }
    if (runs.length > 2) x += runs[runs.length - 2]
    runs.push(x)
  }
  const out = new Uint8Array(h * w)
  let pos = 0
  runs.forEach((n, i) => {
    if (i % 2 === 1)
      for (let j = pos; j < pos + n; j++) {
        const col = Math.floor(j / h)
        out[(j - col * h) * w + col] = 1
      }
    pos += n
  })
  return out
}

export function iouOf(a: Uint8Array, b: Uint8Array): number {
  let i = 0
  let u = 0
  for (let k = 0; k < a.length; k++) {
    if (a[k] && b[k]) i++
    if (a[k] || b[k]) u++
  }
  return u === 0 ? 0 : i / u
}

export interface CanvasView {
  scale: number
  /** Page coordinates of image pixel (0, 0)'s top-left corner. */
  ox: number
  oy: number
}

export async function canvasView(page: Page): Promise<CanvasView> {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid=canvas]') as HTMLElement
    const r = el.getBoundingClientRect()
    return {
      scale: Number(el.dataset.scale),
      ox: r.left + Number(el.dataset.tx),
      oy: r.top + Number(el.dataset.ty),
    }
  })
}

export function toPage(v: CanvasView, x: number, y: number): { x: number; y: number } {
  return { x: v.ox + x * v.scale, y: v.oy + y * v.scale }
}

/** A screenshot of the viewport, read as RGB at page coordinates. */
export async function grab(page: Page): Promise<(x: number, y: number) => [number, number, number]> {
  const png = decode(await page.screenshot())
  const ch = png.channels
  return (x, y) => {
    const o = (Math.floor(y) * png.width + Math.floor(x)) * ch
    return [png.data[o], png.data[o + 1], png.data[o + 2]]
  }
}

/** Image pixels of a mask whose whole 5×5 neighbourhood has the given value (robust probes). */
export function interiorPixels(
  mask: Uint8Array,
  w: number,
  h: number,
  value: 0 | 1,
  r = 2,
): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = []
  for (let y = r; y < h - r; y += 3)
    for (let x = r; x < w - r; x += 3) {
      let ok = true
      for (let dy = -r; dy <= r && ok; dy++)
        for (let dx = -r; dx <= r && ok; dx++) ok = mask[(y + dy) * w + x + dx] === value
      if (ok) out.push({ x, y })
    }
  return out
}

export const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
