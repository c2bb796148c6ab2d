/**
 * Interactive segmentation of a sample's objects, one object at a time, with the per-object state SAM's
 * click refinement needs kept here on the server (the renderer never ships logits):
 * - each object's decodes are remembered by prompt, so an edit re-decodes only the object whose prompt
 *   changed (the others' masks come from memory) and going back to an earlier prompt (undo) shows the
 *   mask that prompt gave;
 * - each object's "current" decode carries the chosen mask's low-resolution logits; the next decode of a
 *   changed prompt of the same object sends them as `mask_input` (`has_mask_input = 1`), as SamPredictor
 *   and the SAM web demo do for every click after the first.
 * Objects are identified by the ids the caller gives (stable across deletions), else by position.
 * Memory is bounded: samples are evicted least recently used once their logits exceed the byte budget.
 */
import { emptyRle, type Rle } from '../../shared/domain/rle'
import { unionRle } from '../../shared/domain/maskOps'
import type { ObjectPrompt, RgbImage, Segmenter } from './types'

export interface ObjectDecode {
  modelId: string
  imageKey: string
  mask: Rle
  score: number
  /** The chosen mask's low-resolution logits (absent for the baseline). */
  lowRes?: Float32Array
  /** Whether this decode was sent the previous step's logits as `mask_input`. */
  refined: boolean
}

interface ObjectState {
  /** History key of the decode now shown for this object. */
  current?: string
  /** Decodes by history key (model, image, refine flag, prompt), oldest first. */
  history: Map<string, ObjectDecode>
}

export interface SampleObjectResult {
  id: string
  mask: Rle
  score: number
  /** `mask_input` was the previous step's logits of this object. */
  refined: boolean
  /** False when the object's prompt was unchanged and its mask came from memory. */
  decoded: boolean
}

export interface SampleSegmentation {
  objects: SampleObjectResult[]
  /** OR of the objects' masks (the sample's prediction, as Seg-Zero / VisionReasoner evaluate it). */
  union: Rle
  /** Mean of the objects' scores (0 without objects). */
  score: number
}

const HISTORY_PER_OBJECT = 16

export class ObjectStateCache {
  private readonly samples = new Map<string, Map<string, ObjectState>>()
  private bytes = 0

  constructor(private readonly budgetBytes = 64 * 1024 * 1024) {}

  /** Logit bytes held (for tests and diagnostics). */
  get heldBytes(): number {
    return this.bytes
  }

  /** The state of one object, creating it; marks the sample as most recently used. */
  object(sampleKey: string, objectId: string): ObjectState {
    let objs = this.samples.get(sampleKey)
    if (objs) this.samples.delete(sampleKey)
    else objs = new Map()
    this.samples.set(sampleKey, objs)
    let st = objs.get(objectId)
    if (!st) {
      st = { history: new Map() }
      objs.set(objectId, st)
    }
    return st
  }

  /** Stores a decode as the object's current one, trimming its history and the whole cache to budget. */
  remember(sampleKey: string, state: ObjectState, key: string, d: ObjectDecode): void {
    const old = state.history.get(key)
    if (old) {
      this.bytes -= weight(old)
      state.history.delete(key)
    }
    state.history.set(key, d)
    this.bytes += weight(d)
    state.current = key
    while (state.history.size > HISTORY_PER_OBJECT) {
      const [k, v] = state.history.entries().next().value as [string, ObjectDecode]
      state.history.delete(k)
      this.bytes -= weight(v)
    }
    for (const [k, objs] of this.samples) {
      if (this.bytes <= this.budgetBytes || k === sampleKey) break
      this.dropSample(k, objs)
    }
  }

  /**
   * Makes `prompts` the shown state of a sample (after undo, redo or reset restored a stored edit): an
   * object whose prompt has a remembered decode gets it back as current, the others start afresh.
   */
  restore(
    sampleKey: string,
    modelId: string,
    imageKey: string,
    prompts: readonly ObjectPrompt[],
    ids?: readonly string[],
  ) {
    const objs = this.samples.get(sampleKey)
    if (!objs) return
    const wanted = new Set<string>()
    prompts.forEach((p, i) => {
      const id = ids?.[i] ?? String(i)
      wanted.add(id)
      const st = objs.get(id)
      if (!st) return
      const match = [true, false]
        .map((refine) => historyKey(modelId, imageKey, refine, p))
        .find((k) => st.history.has(k))
      st.current = match
    })
    for (const [id, st] of objs) if (!wanted.has(id)) st.current = undefined
  }

  /** Forgets a sample (its run or sample went away). */
  forget(sampleKey: string): void {
    const objs = this.samples.get(sampleKey)
    if (objs) this.dropSample(sampleKey, objs)
  }

  private dropSample(key: string, objs: Map<string, ObjectState>): void {
    for (const st of objs.values()) for (const d of st.history.values()) this.bytes -= weight(d)
    this.samples.delete(key)
  }
}

function weight(d: ObjectDecode): number {
  return (d.lowRes?.byteLength ?? 0) + d.mask.counts.byteLength
}

/** Canonical prompt text: key order fixed, so equal prompts give equal keys whatever their JSON order. */
export function promptKey(p: ObjectPrompt): string {
  return JSON.stringify([p.box ?? null, p.points.map((q) => [q.x, q.y, q.label])])
}

function historyKey(modelId: string, imageKey: string, refine: boolean, p: ObjectPrompt): string {
  return `${modelId}\u0000${imageKey}\u0000${refine ? 1 : 0}\u0000${promptKey(p)}`
}

function isEmpty(p: ObjectPrompt): boolean {
  return !p.box && p.points.length === 0
}

/**
 * Segments a sample's objects for an interactive edit: unchanged objects from memory, changed ones
 * decoded (with the previous step's logits as `mask_input` when `refine` is on and the model takes
 * one), and the union of all masks. Objects run one after another so `signal` stops the rest early.
 */
export async function segmentSampleObjects(
  cache: ObjectStateCache,
  segmenter: Segmenter,
  args: {
    sampleKey: string
    imageKey: string
    image: RgbImage
    prompts: readonly ObjectPrompt[]
    ids?: readonly string[]
    refine: boolean
    signal?: AbortSignal
  },
): Promise<SampleSegmentation> {
  const { image, imageKey, sampleKey } = args
  const { width: w, height: h } = image
  const modelId = segmenter.info.id
  const objects: SampleObjectResult[] = []
  for (const [i, prompt] of args.prompts.entries()) {
    const id = args.ids?.[i] ?? String(i)
    const state = cache.object(sampleKey, id)
    if (isEmpty(prompt)) {
      // An object without prompts has no mask; its next prompt starts a fresh refinement chain.
      state.current = undefined
      objects.push({ id, mask: emptyRle(h, w), score: 0, refined: false, decoded: false })
      continue
    }
    const key = historyKey(modelId, imageKey, args.refine, prompt)
    const known = state.history.get(key)
    if (known) {
      state.current = key
      objects.push({ id, mask: known.mask, score: known.score, refined: known.refined, decoded: false })
      continue
    }
    const prev = state.current ? state.history.get(state.current) : undefined
    const maskInput =
      args.refine && segmenter.refines && prev?.modelId === modelId && prev.imageKey === imageKey
        ? prev.lowRes
        : undefined
    const r = await segmenter.segment(imageKey, image, prompt, args.signal, { maskInput })
    checkMaskSize(modelId, r.mask, h, w)
    // A superseded request must not move the object's chain forward.
    args.signal?.throwIfAborted()
    const decode: ObjectDecode = {
      modelId,
      imageKey,
      mask: r.mask,
      score: r.score,
      lowRes: r.lowRes,
      refined: maskInput !== undefined,
    }
    cache.remember(sampleKey, state, key, decode)
    objects.push({ id, mask: r.mask, score: r.score, refined: decode.refined, decoded: true })
  }
  return {
    objects,
    union: unionRle(
      objects.map((o) => o.mask),
      h,
      w,
    ),
    score: meanScore(objects),
  }
}

/** Mean of the objects' scores; 0 without objects. */
export function meanScore(objects: readonly { score: number }[]): number {
  return objects.length ? objects.reduce((a, o) => a + o.score, 0) / objects.length : 0
}

/** Throws when a segmenter's mask is not the image's size. */
export function checkMaskSize(modelId: string, mask: Rle, h: number, w: number): void {
  if (mask.h !== h || mask.w !== w) {
    throw new Error(`${modelId} returned a ${mask.h}x${mask.w} mask for a ${h}x${w} image (h x w)`)
  }
}
