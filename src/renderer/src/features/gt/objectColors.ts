/**
 * Colours of GT objects in edit mode: distinct hues, none close to the prediction (magenta), live-edit
 * (cyan) or comparison (orange) overlays, so an object is never mistaken for a model's mask. The ignore
 * region is grey.
 */
import type { Rgb } from '../canvas/maskRaster'

const PALETTE: Rgb[] = [
  [255, 214, 10],
  [52, 199, 89],
  [175, 82, 222],
  [90, 200, 250],
  [255, 105, 97],
  [162, 132, 94],
  [0, 122, 255],
  [191, 255, 0],
]

export const IGNORE_COLOR: Rgb = [160, 160, 160]

/** The colour of the object at `index` in the sample's object list (cycles after eight). */
export function objectColor(index: number): Rgb {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]
}

export const rgbCss = (c: Rgb): string => `rgb(${c[0]}, ${c[1]}, ${c[2]})`
