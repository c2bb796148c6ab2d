/**
 * Prompt edits as pure operations on ObjectPrompt[] (the canvas only calls these): move/resize the box,
 * add, move and delete points. Coordinates are clamped to the image and boxes normalised (x1 < x2).
 */
import type { ObjectPrompt, PromptPoint } from '../../../../shared/domain/prompts'

export type Box = [number, number, number, number]

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

export function normalizeBox(b: Box, w: number, h: number): Box {
  const x1 = clamp(Math.min(b[0], b[2]), 0, w)
  const x2 = clamp(Math.max(b[0], b[2]), 0, w)
  const y1 = clamp(Math.min(b[1], b[3]), 0, h)
  const y2 = clamp(Math.max(b[1], b[3]), 0, h)
  return [Math.round(x1), Math.round(y1), Math.round(x2), Math.round(y2)]
}

function withObject(
  prompts: ObjectPrompt[],
  obj: number,
  f: (p: ObjectPrompt) => ObjectPrompt,
): ObjectPrompt[] {
  const out = prompts.map((p) => ({ ...p, points: [...p.points] }))
  while (out.length <= obj) out.push({ points: [] })
  out[obj] = f(out[obj])
  return out
}

export function setBox(prompts: ObjectPrompt[], obj: number, box: Box, w: number, h: number): ObjectPrompt[] {
  return withObject(prompts, obj, (p) => ({ ...p, box: normalizeBox(box, w, h) }))
}

export function addPoint(
  prompts: ObjectPrompt[],
  obj: number,
  x: number,
  y: number,
  label: 0 | 1,
  w: number,
  h: number,
): ObjectPrompt[] {
  const pt: PromptPoint = { x: Math.round(clamp(x, 0, w - 1)), y: Math.round(clamp(y, 0, h - 1)), label }
  return withObject(prompts, obj, (p) => ({ ...p, points: [...p.points, pt] }))
}

export function movePoint(
  prompts: ObjectPrompt[],
  obj: number,
  index: number,
  x: number,
  y: number,
  w: number,
  h: number,
): ObjectPrompt[] {
  return withObject(prompts, obj, (p) => ({
    ...p,
    points: p.points.map((q, i) =>
      i === index ? { ...q, x: Math.round(clamp(x, 0, w - 1)), y: Math.round(clamp(y, 0, h - 1)) } : q,
    ),
  }))
}

export function deletePoint(prompts: ObjectPrompt[], obj: number, index: number): ObjectPrompt[] {
  return withObject(prompts, obj, (p) => ({ ...p, points: p.points.filter((_, i) => i !== index) }))
}

export function deleteBox(prompts: ObjectPrompt[], obj: number): ObjectPrompt[] {
  return withObject(prompts, obj, (p) => ({ points: p.points }))
}

/** A prompt the engine can segment: at least one object with a box or a point. */
export function isSegmentable(prompts: ObjectPrompt[]): boolean {
  return prompts.some((p) => p.box !== undefined || p.points.length > 0)
}
