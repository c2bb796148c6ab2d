/** Brush / eraser radius in image pixels, stepped with `[` and `]` (×/÷ 1.25, at least one pixel apart). */
export const MIN_RADIUS = 1
export const MAX_RADIUS = 200
export const DEFAULT_RADIUS = 8

export function stepRadius(r: number, dir: 1 | -1): number {
  const next = dir > 0 ? Math.max(r + 1, Math.round(r * 1.25)) : Math.min(r - 1, Math.round(r / 1.25))
  return Math.max(MIN_RADIUS, Math.min(MAX_RADIUS, next))
}
