/**
 * Loads OpenCV's WebAssembly build (@techstark/opencv-js) once per thread and types the few functions the
 * GrabCut baseline uses. The package is a UMD script whose export is an Emscripten module: it is
 * thenable, so it must never be returned from an async function as-is (awaiting it resolves to itself
 * again); we wait for `onRuntimeInitialized` instead and hand it out wrapped.
 */
import { createRequire } from 'node:module'

export interface CvMat {
  readonly rows: number
  readonly cols: number
  readonly data: Uint8Array
  /** A view of a rectangle of this matrix (shares its pixels); delete it like any Mat. */
  roi(rect: object): CvMat
  delete(): void
}

export interface CvModule {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat
  Rect: new (x: number, y: number, width: number, height: number) => object
  Size: new (width: number, height: number) => object
  CV_8UC1: number
  CV_8UC3: number
  GC_BGD: number
  GC_FGD: number
  GC_PR_BGD: number
  GC_PR_FGD: number
  GC_INIT_WITH_MASK: number
  GC_EVAL: number
  GC_EVAL_FREEZE_MODEL: number
  INTER_AREA: number
  INTER_LINEAR: number
  BORDER_DEFAULT: number
  grabCut(
    img: CvMat,
    mask: CvMat,
    rect: object,
    bgdModel: CvMat,
    fgdModel: CvMat,
    iterCount: number,
    mode: number,
  ): void
  GaussianBlur(
    src: CvMat,
    dst: CvMat,
    ksize: object,
    sigmaX: number,
    sigmaY: number,
    borderType: number,
  ): void
  setRNGSeed(seed: number): void
  resize(src: CvMat, dst: CvMat, size: object, fx: number, fy: number, interpolation: number): void
}

interface EmscriptenCv extends CvModule {
  onRuntimeInitialized?: () => void
}

let loading: Promise<{ cv: CvModule }> | null = null

/** Resolves once the wasm runtime is ready; later calls share the same instance. */
export function loadOpenCv(): Promise<{ cv: CvModule }> {
  loading ??= new Promise((resolve, reject) => {
    try {
      const require = createRequire(import.meta.url)
      const cv = require('@techstark/opencv-js') as EmscriptenCv
      // The runtime may already be up if another module in this thread required it first.
      if (typeof cv.Mat === 'function' && typeof cv.grabCut === 'function') resolve({ cv })
      else cv.onRuntimeInitialized = () => resolve({ cv })
    } catch (err) {
      loading = null
      reject(err instanceof Error ? err : new Error(String(err)))
    }
  })
  return loading
}
