/**
 * Ground-truth editing as commands: a sample's GT is a list of objects (each its own mask) plus an
 * optional ignore mask; every edit is an operation applied to that state by `applyGtOp`, a pure function,
 * so the stored state after any sequence of commands is exactly the replay of their operations. The
 * backend stores each command with the state before and after it (undo/redo); the renderer can call the
 * same function for a preview. Segmenter-assisted edits are resolved by the backend into a `mask` operation
 * (with the prompt kept as provenance) before they are applied, so a replay needs no model.
 */
import {
  combineRle,
  MaskOpError,
  polygonRegion,
  regionToRle,
  removeSpecks,
  fillHoles,
  rleToBitmap,
  bitmapToRle,
  strokeRegion,
  unionRle,
  type CombineMode,
} from './maskOps'
import type { ObjectPrompt } from './prompts'
import { area, fromCoco, intersectionUnion, type CocoRle, type Rle } from './rle'

export interface GtObject {
  /** Stable within the sample; a new object gets the largest id + 1. */
  id: number
  label: string
  mask: Rle
}

export interface GtState {
  objects: GtObject[]
  ignore: Rle | null
}

/** What a mask operation edits: an object by id, the ignore mask, or a new object created by the edit. */
export type GtTarget = number | 'ignore' | 'new'

export type GtOp =
  | { kind: 'brush'; target: GtTarget; points: [number, number][]; radius: number; erase: boolean }
  | { kind: 'polygon'; target: GtTarget; points: [number, number][]; mode: CombineMode }
  | {
      kind: 'mask'
      target: GtTarget
      mask: CocoRle
      mode: CombineMode
      /** Set when the mask came from the segmenter: the prompt and the model that produced it. */
      segment?: { prompt: ObjectPrompt; model: string }
    }
  | { kind: 'fillHoles'; target: number | 'ignore' }
  | { kind: 'removeSpecks'; target: number | 'ignore'; minArea: number }
  | { kind: 'addObject'; label?: string }
  | { kind: 'deleteObject'; objectId: number }
  | { kind: 'renameObject'; objectId: number; label: string }
  /** Back to the imported ground truth (itself a command, so it can be undone). */
  | { kind: 'reset' }

export const DEFAULT_OBJECT_LABEL = 'target'

/** The imported GT as a state: one object (none for an empty "no target" mask) and the ignore mask. */
export function originalGtState(gt: Rle, ignore: Rle | null): GtState {
  return {
    objects: area(gt) > 0 ? [{ id: 1, label: DEFAULT_OBJECT_LABEL, mask: gt }] : [],
    ignore,
  }
}

export function gtUnion(state: GtState, h: number, w: number): Rle {
  return unionRle(
    state.objects.map((o) => o.mask),
    h,
    w,
  )
}

function sameMask(a: Rle | null, b: Rle | null, h: number, w: number): boolean {
  const x = a ?? regionToRle(null, h, w)
  const y = b ?? regionToRle(null, h, w)
  const { intersection, union } = intersectionUnion(x, y)
  return intersection === union
}

/**
 * Whether a state differs from the original in anything the metrics or an export see: the union mask,
 * the ignore mask, or the number of objects.
 */
export function isRevised(state: GtState, original: GtState, h: number, w: number): boolean {
  return (
    state.objects.length !== original.objects.length ||
    !sameMask(gtUnion(state, h, w), gtUnion(original, h, w), h, w) ||
    !sameMask(state.ignore, original.ignore, h, w)
  )
}

function nextId(state: GtState): number {
  return state.objects.reduce((m, o) => Math.max(m, o.id), 0) + 1
}

function findObject(state: GtState, id: number): GtObject {
  const o = state.objects.find((x) => x.id === id)
  if (!o) {
    const ids = state.objects.map((x) => x.id).join(', ') || 'none'
    throw new MaskOpError(`no ground-truth object ${id} in this sample (objects: ${ids})`)
  }
  return o
}

/** Combines `shape` into the target's mask; `new` makes a new object (only for add/replace). */
function editTarget(
  state: GtState,
  target: GtTarget,
  edit: (current: Rle) => Rle,
  h: number,
  w: number,
  creates: boolean,
): GtState {
  if (target === 'ignore') {
    return { ...state, ignore: edit(state.ignore ?? regionToRle(null, h, w)) }
  }
  if (target === 'new') {
    if (!creates) throw new MaskOpError("erasing or subtracting needs an existing object, not target 'new'")
    const mask = edit(regionToRle(null, h, w))
    return {
      ...state,
      objects: [...state.objects, { id: nextId(state), label: DEFAULT_OBJECT_LABEL, mask }],
    }
  }
  const obj = findObject(state, target)
  return {
    ...state,
    objects: state.objects.map((o) => (o === obj ? { ...o, mask: edit(o.mask) } : o)),
  }
}

function checkLabel(label: string): string {
  const t = label.trim()
  if (t.length === 0) throw new MaskOpError('an object label cannot be empty')
  return t
}

/** Applies one operation to a state of an h × w image; throws MaskOpError on an invalid operation. */
export function applyGtOp(state: GtState, op: GtOp, original: GtState, h: number, w: number): GtState {
  switch (op.kind) {
    case 'brush': {
      const shape = regionToRle(strokeRegion(op.points, op.radius, w, h), h, w)
      return editTarget(
        state,
        op.target,
        (m) => combineRle(m, shape, op.erase ? 'subtract' : 'add'),
        h,
        w,
        !op.erase,
      )
    }
    case 'polygon': {
      const shape = regionToRle(polygonRegion(op.points, w, h), h, w)
      return editTarget(state, op.target, (m) => combineRle(m, shape, op.mode), h, w, op.mode !== 'subtract')
    }
    case 'mask': {
      const [mh, mw] = op.mask.size
      if (mh !== h || mw !== w) {
        throw new MaskOpError(`the mask is ${mh}x${mw} but the image is ${h}x${w} (h x w)`)
      }
      let shape: Rle
      try {
        shape = fromCoco(op.mask)
      } catch (err) {
        throw new MaskOpError(`invalid mask RLE: ${(err as Error).message}`)
      }
      return editTarget(state, op.target, (m) => combineRle(m, shape, op.mode), h, w, op.mode !== 'subtract')
    }
    case 'fillHoles':
      return editTarget(state, op.target, (m) => bitmapToRle(fillHoles(rleToBitmap(m))), h, w, false)
    case 'removeSpecks':
      return editTarget(
        state,
        op.target,
        (m) => bitmapToRle(removeSpecks(rleToBitmap(m), op.minArea)),
        h,
        w,
        false,
      )
    case 'addObject':
      return {
        ...state,
        objects: [
          ...state.objects,
          {
            id: nextId(state),
            label: checkLabel(op.label ?? DEFAULT_OBJECT_LABEL),
            mask: regionToRle(null, h, w),
          },
        ],
      }
    case 'deleteObject': {
      const obj = findObject(state, op.objectId)
      return { ...state, objects: state.objects.filter((o) => o !== obj) }
    }
    case 'renameObject': {
      const obj = findObject(state, op.objectId)
      const label = checkLabel(op.label)
      return { ...state, objects: state.objects.map((o) => (o === obj ? { ...o, label } : o)) }
    }
    case 'reset':
      return original
  }
}

/** Replays operations from the original state (what the stored state must always equal). */
export function replayGtOps(original: GtState, ops: readonly GtOp[], h: number, w: number): GtState {
  return ops.reduce((s, op) => applyGtOp(s, op, original, h, w), original)
}
