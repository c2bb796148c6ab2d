import type { Rle } from '../../../shared/domain/rle'

/**
 * Visits the foreground of a column-major RLE one column segment at a time: column `x`, rows [y0, y1).
 * A run that crosses column ends is split there (one division per segment, none per pixel).
 */
export function forEachColumnSegment(mask: Rle, visit: (x: number, y0: number, y1: number) => void): void {
  const { h, counts } = mask
  let pos = 0
  for (let k = 0; k < counts.length; k++) {
    const end = pos + counts[k]
    for (let p = pos; k % 2 === 1 && p < end;) {
      const x = Math.floor(p / h)
      const y0 = p - x * h
      const y1 = Math.min(h, y0 + (end - p))
      visit(x, y0, y1)
      p += y1 - y0
    }
    pos = end
  }
}
