/**
 * Synthetic scenes for the demo project: a landscape with a few everyday objects drawn as simple
 * shapes, each object's visible pixels known exactly (so ground truth is exact). Pure and seeded.
 */

import type { Rng } from '../../shared/domain/random'

export type ObjectKind = 'sun' | 'house' | 'tree' | 'car' | 'lake' | 'kite'

export interface SceneObject {
  kind: ObjectKind
  /** Row-major 0/1 mask of the pixels this object covers after occlusion by later objects. */
  visible: Uint8Array
}

export interface Scene {
  width: number
  height: number
  rgb: Uint8Array
  objects: SceneObject[]
}

type Rgb = [number, number, number]
type Shape =
  | { kind: 'poly'; pts: [number, number][]; color: Rgb }
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number; color: Rgb }

const KINDS: ObjectKind[] = ['sun', 'house', 'tree', 'car', 'lake', 'kite']

export function renderScene(rng: Rng, width: number, height: number): Scene {
  const rgb = new Uint8Array(width * height * 3)
  const horizon = Math.round(height * (0.45 + rng() * 0.15))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3
      const noise = (rng() - 0.5) * 18
      if (y < horizon) {
        const t = y / horizon
        rgb[i] = clamp(120 + 60 * t + noise)
        rgb[i + 1] = clamp(170 + 40 * t + noise)
        rgb[i + 2] = clamp(235 - 10 * t + noise)
      } else {
        const t = (y - horizon) / (height - horizon)
        rgb[i] = clamp(70 + 30 * t + noise)
        rgb[i + 1] = clamp(140 - 30 * t + noise)
        rgb[i + 2] = clamp(60 + noise)
      }
    }
  }
  const count = 3 + Math.floor(rng() * 2)
  const kinds = shuffle(rng, KINDS).slice(0, count)
  // Sky objects first, then ground objects from back to front, so occlusion looks natural.
  const order: ObjectKind[] = ['sun', 'kite', 'lake', 'house', 'tree', 'car']
  kinds.sort((a, b) => order.indexOf(a) - order.indexOf(b))
  const owner = new Int16Array(width * height).fill(-1)
  kinds.forEach((kind, index) => {
    for (const shape of shapesFor(kind, rng, width, height, horizon)) {
      rasterize(shape, width, height, (p) => {
        owner[p] = index
        const j = p * 3
        const shade = (rng() - 0.5) * 10
        rgb[j] = clamp(shape.color[0] + shade)
        rgb[j + 1] = clamp(shape.color[1] + shade)
        rgb[j + 2] = clamp(shape.color[2] + shade)
      })
    }
  })
  const objects = kinds.map((kind, index) => {
    const visible = new Uint8Array(width * height)
    for (let p = 0; p < owner.length; p++) if (owner[p] === index) visible[p] = 1
    return { kind, visible }
  })
  return { width, height, rgb, objects: objects.filter((o) => o.visible.some((v) => v === 1)) }
}

function shapesFor(kind: ObjectKind, rng: Rng, w: number, h: number, horizon: number): Shape[] {
  const s = Math.min(w, h)
  const at = (lo: number, hi: number) => lo + rng() * (hi - lo)
  switch (kind) {
    case 'sun': {
      const r = s * at(0.06, 0.1)
      return [
        {
          kind: 'ellipse',
          cx: at(r + 4, w - r - 4),
          cy: at(r + 4, horizon * 0.45),
          rx: r,
          ry: r,
          color: [250, 215, 60],
        },
      ]
    }
    case 'kite': {
      const cx = at(0.1 * w, 0.9 * w)
      const cy = at(0.12 * h, horizon * 0.7)
      const k = s * at(0.05, 0.08)
      return [
        {
          kind: 'poly',
          pts: [
            [cx, cy - k * 1.3],
            [cx + k, cy],
            [cx, cy + k * 1.3],
            [cx - k, cy],
          ],
          color: [220, 50, 120],
        },
        {
          kind: 'poly',
          pts: [
            [cx - 1, cy + k * 1.3],
            [cx + 1, cy + k * 1.3],
            [cx + k * 0.6, cy + k * 3],
            [cx + k * 0.6 - 2, cy + k * 3],
          ],
          color: [90, 40, 60],
        },
      ]
    }
    case 'lake': {
      const rx = w * at(0.12, 0.2)
      const ry = (h - horizon) * at(0.12, 0.22)
      return [
        {
          kind: 'ellipse',
          cx: at(rx, w - rx),
          cy: at(horizon + ry + 2, h - ry - 2),
          rx,
          ry,
          color: [40, 90, 200],
        },
      ]
    }
    case 'house': {
      const bw = w * at(0.14, 0.22)
      const bh = bw * at(0.6, 0.9)
      const x0 = at(4, w - bw - 4)
      const y1 = Math.min(h - 4, horizon + (h - horizon) * at(0.15, 0.45))
      const y0 = y1 - bh
      return [
        {
          kind: 'poly',
          pts: [
            [x0, y0],
            [x0 + bw, y0],
            [x0 + bw, y1],
            [x0, y1],
          ],
          color: [200, 170, 130],
        },
        {
          kind: 'poly',
          pts: [
            [x0 - bw * 0.1, y0],
            [x0 + bw / 2, y0 - bh * 0.6],
            [x0 + bw * 1.1, y0],
          ],
          color: [160, 50, 40],
        },
      ]
    }
    case 'tree': {
      const r = s * at(0.08, 0.13)
      const cx = at(r + 4, w - r - 4)
      const base = Math.min(h - 3, horizon + (h - horizon) * at(0.2, 0.6))
      const trunkW = r * 0.35
      return [
        {
          kind: 'poly',
          pts: [
            [cx - trunkW / 2, base - r * 1.6],
            [cx + trunkW / 2, base - r * 1.6],
            [cx + trunkW / 2, base],
            [cx - trunkW / 2, base],
          ],
          color: [110, 70, 35],
        },
        { kind: 'ellipse', cx, cy: base - r * 1.9, rx: r, ry: r * 1.1, color: [35, 120, 45] },
      ]
    }
    case 'car': {
      const cw = w * at(0.14, 0.2)
      const ch = cw * 0.3
      const x0 = at(4, w - cw - 4)
      const y1 = Math.min(h - ch * 0.4 - 2, horizon + (h - horizon) * at(0.5, 0.85))
      const wheel = ch * 0.45
      return [
        {
          kind: 'poly',
          pts: [
            [x0, y1 - ch],
            [x0 + cw, y1 - ch],
            [x0 + cw, y1],
            [x0, y1],
          ],
          color: [200, 30, 30],
        },
        {
          kind: 'poly',
          pts: [
            [x0 + cw * 0.22, y1 - ch],
            [x0 + cw * 0.35, y1 - ch * 1.8],
            [x0 + cw * 0.7, y1 - ch * 1.8],
            [x0 + cw * 0.8, y1 - ch],
          ],
          color: [180, 25, 25],
        },
        { kind: 'ellipse', cx: x0 + cw * 0.22, cy: y1, rx: wheel, ry: wheel, color: [25, 25, 25] },
        { kind: 'ellipse', cx: x0 + cw * 0.78, cy: y1, rx: wheel, ry: wheel, color: [25, 25, 25] },
      ]
    }
  }
}

/** Calls `plot` with the index of every pixel whose centre lies inside the shape. */
function rasterize(shape: Shape, w: number, h: number, plot: (p: number) => void): void {
  if (shape.kind === 'ellipse') {
    const y0 = Math.max(0, Math.floor(shape.cy - shape.ry))
    const y1 = Math.min(h - 1, Math.ceil(shape.cy + shape.ry))
    for (let y = y0; y <= y1; y++) {
      const dy = (y + 0.5 - shape.cy) / shape.ry
      if (dy * dy > 1) continue
      const half = shape.rx * Math.sqrt(1 - dy * dy)
      const xa = Math.max(0, Math.ceil(shape.cx - half - 0.5))
      const xb = Math.min(w - 1, Math.floor(shape.cx + half - 0.5))
      for (let x = xa; x <= xb; x++) plot(y * w + x)
    }
    return
  }
  const pts = shape.pts
  const ys = pts.map((p) => p[1])
  const y0 = Math.max(0, Math.floor(Math.min(...ys)))
  const y1 = Math.min(h - 1, Math.ceil(Math.max(...ys)))
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5
    const xs: number[] = []
    for (let i = 0; i < pts.length; i++) {
      const [ax, ay] = pts[i]
      const [bx, by] = pts[(i + 1) % pts.length]
      if ((ay <= cy && by > cy) || (by <= cy && ay > cy)) xs.push(ax + ((cy - ay) / (by - ay)) * (bx - ax))
    }
    xs.sort((a, b) => a - b)
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const xa = Math.max(0, Math.ceil(xs[k] - 0.5))
      const xb = Math.min(w - 1, Math.floor(xs[k + 1] - 0.5))
      for (let x = xa; x <= xb; x++) plot(y * w + x)
    }
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v)
}

export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
