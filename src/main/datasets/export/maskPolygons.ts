/**
 * Mask → labelme polygons that LISA's loader rasterizes back to the same mask. OpenCV's `findContours`
 * (RETR_CCOMP, CHAIN_APPROX_SIMPLE) gives each connected component's outer border and its holes as
 * chains through boundary pixel centres; LISA paints every polygon with a 1-pixel outline plus fill, so
 * an outer chain reproduces its component. LISA has no "background" label to cut holes with, so each
 * hole is spliced into its outer polygon through a two-way bridge between their closest vertices (a
 * "keyhole"): the even-odd fill leaves the hole empty, and the bridge's outline lies on the object's own
 * pixels whenever the straight segment between those vertices does.
 */
import { loadOpenCv, type CvMat, type CvModule } from '../../engine/grabcut/opencv'
import { area, toBbox, type Rle } from '../../../shared/domain/rle'
import { forEachColumnSegment } from './columnSegments'

type Point = [number, number]

interface CvContours extends CvModule {
  MatVector: new () => { size(): number; get(i: number): CvMat & { data32S: Int32Array }; delete(): void }
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat
  findContours(image: CvMat, contours: object, hierarchy: CvMat, mode: number, method: number): void
  RETR_CCOMP: number
  CHAIN_APPROX_SIMPLE: number
}

/** Splices `hole` into `poly` at their closest pair of vertices (out along the bridge and back). */
function spliceHole(poly: Point[], hole: Point[]): Point[] {
  let best = Infinity
  let bi = 0
  let bj = 0
  for (let i = 0; i < poly.length; i++) {
    const [px, py] = poly[i]
    for (let j = 0; j < hole.length; j++) {
      const d = (px - hole[j][0]) ** 2 + (py - hole[j][1]) ** 2
      if (d < best) {
        best = d
        bi = i
        bj = j
      }
    }
  }
  const around = [...hole.slice(bj), ...hole.slice(0, bj), hole[bj]]
  return [...poly.slice(0, bi + 1), ...around, ...poly.slice(bi)]
}

/**
 * Writes the mask's foreground as 1s into a zeroed row-major canvas of row length `cw` whose pixel
 * (0, 0) is mask pixel (ox, oy), straight from the column-major runs (one division per column segment).
 */
function paintRuns(mask: Rle, canvas: Uint8Array, ox: number, oy: number, cw: number): void {
  canvas.fill(0)
  forEachColumnSegment(mask, (x, y0, y1) => {
    for (let y = y0, i = (y0 - oy) * cw + (x - ox); y < y1; y++, i += cw) canvas[i] = 1
  })
}

/** LISA-paintable polygons (integer pixel coordinates, at least 3 vertices each) covering `mask`. */
export async function maskToPolygons(mask: Rle): Promise<Point[][]> {
  const { cv } = await loadOpenCv()
  const c = cv as CvContours
  if (area(mask) === 0) return []
  // Only the mask's bounding box (plus a zero border) goes through findContours: objects are usually a
  // small part of a 2 MP image. toBbox may report a taller box than needed, never a smaller one.
  const [bx, by, bw, bh] = toBbox(mask)
  const cw = bw + 2
  const ch = bh + 2
  const img = new c.Mat(ch, cw, c.CV_8UC1)
  const contours = new c.MatVector()
  const hierarchy = new c.Mat()
  try {
    paintRuns(mask, img.data, bx - 1, by - 1, cw)
    c.findContours(img, contours, hierarchy, c.RETR_CCOMP, c.CHAIN_APPROX_SIMPLE)
    const n = contours.size()
    const chains: Point[][] = []
    for (let i = 0; i < n; i++) {
      const m = contours.get(i)
      const d = m.data32S
      const pts: Point[] = []
      for (let k = 0; k < d.length; k += 2) pts.push([d[k] + bx - 1, d[k + 1] + by - 1])
      chains.push(pts)
      m.delete()
    }
    // hierarchy: [next, previous, first child, parent] per contour; with RETR_CCOMP parents are outer
    // borders and children their holes.
    const hier = (hierarchy as CvMat & { data32S: Int32Array }).data32S
    const polygons: Point[][] = []
    for (let i = 0; i < n; i++) {
      if (hier[i * 4 + 3] !== -1) continue
      let poly = chains[i]
      for (let child = hier[i * 4 + 2]; child !== -1; child = hier[child * 4]) {
        poly = spliceHole(poly, chains[child])
      }
      // Single pixels and 2-pixel chains: repeat vertices so polygon readers get 3 points, same raster.
      while (poly.length < 3) poly = [...poly, poly[poly.length - 1]]
      polygons.push(poly)
    }
    return polygons
  } finally {
    img.delete()
    contours.delete()
    hierarchy.delete()
  }
}
