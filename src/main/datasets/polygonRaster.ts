/**
 * Polygon rasterization with OpenCV's own `fillPoly` and `line` (the WebAssembly build), so masks match
 * what LISA's loader computes with `cv2.polylines(..., True, v, 1)` + `cv2.fillPoly(..., v)` on int32
 * points. This build has no `polylines`; a closed polyline of thickness 1 is the same 8-connected
 * segments drawn one by one, which is what `polylines` does internally.
 */
import { loadOpenCv, type CvMat, type CvModule } from '../engine/grabcut/opencv'

interface CvDraw extends CvModule {
  Scalar: new (v0: number, v1?: number, v2?: number, v3?: number) => object
  Point: new (x: number, y: number) => object
  MatVector: new () => { push_back(m: CvMat): void; delete(): void }
  CV_32SC2: number
  LINE_8: number
  matFromArray(rows: number, cols: number, type: number, data: number[]): CvMat
  fillPoly(img: CvMat, pts: object, color: object, lineType: number, shift: number): void
  line(
    img: CvMat,
    a: object,
    b: object,
    color: object,
    thickness: number,
    lineType: number,
    shift: number,
  ): void
}

/** A canvas of `height × width` bytes that polygons are painted onto with a value. */
export class PolygonCanvas {
  private constructor(
    private readonly cv: CvDraw,
    private readonly mat: CvMat,
    readonly width: number,
    readonly height: number,
  ) {}

  static async create(width: number, height: number): Promise<PolygonCanvas> {
    const { cv } = await loadOpenCv()
    const draw = cv as CvDraw
    const mat = new draw.Mat(height, width, draw.CV_8UC1)
    mat.data.fill(0)
    return new PolygonCanvas(draw, mat, width, height)
  }

  /** Outline (thickness 1) + fill, points cast to int32 the way numpy does (truncation toward zero). */
  paint(points: [number, number][], value: number): void {
    const cv = this.cv
    const ip = points.map(([x, y]) => [Math.trunc(x) | 0, Math.trunc(y) | 0] as [number, number])
    if (ip.length === 0) return
    const color = new cv.Scalar(value)
    for (let i = 0; i < ip.length; i++) {
      const a = ip[i]
      const b = ip[(i + 1) % ip.length]
      cv.line(this.mat, new cv.Point(a[0], a[1]), new cv.Point(b[0], b[1]), color, 1, cv.LINE_8, 0)
    }
    const pts = cv.matFromArray(ip.length, 1, cv.CV_32SC2, ip.flat())
    const vec = new cv.MatVector()
    vec.push_back(pts)
    cv.fillPoly(this.mat, vec, color, cv.LINE_8, 0)
    vec.delete()
    pts.delete()
  }

  /** Row-major pixel values (a copy). */
  pixels(): Uint8Array {
    return this.mat.data.slice()
  }

  clear(): void {
    this.mat.data.fill(0)
  }

  delete(): void {
    this.mat.delete()
  }
}
