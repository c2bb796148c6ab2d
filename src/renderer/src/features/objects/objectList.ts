/**
 * The object list of a multi-object answer as pure operations on (prompts, ids): the ids are stable per
 * object (the server keeps each object's refinement state under its id), so deleting object 1 of 3 leaves
 * objects 0 and 2 with their own ids, colours and state. Ids are decimal strings: the model's objects are
 * "0", "1", … (what the server uses when no ids are sent) and an added object takes the next unused number.
 */
import type { ObjectResult } from '../../../../shared/contract/samples'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'

/**
 * Object colours: distinct hues away from the GT (yellow), the model's prediction (magenta) and the
 * comparison run (orange) overlays. The first is the live-edit cyan, so a one-object answer looks as before.
 */
export const OBJECT_PALETTE = ['#00d1ff', '#7cff4f', '#b36bff', '#ff5c5c', '#3d7bff', '#2ee6a8', '#ff9de2']

/** An object's colour follows its id (not its position), so deleting an object recolours no other. */
export function objectColor(id: string, position: number): string {
  const n = /^\d+$/.test(id) ? Number(id) : position
  return OBJECT_PALETTE[n % OBJECT_PALETTE.length]
}

/** The server's default ids: the positions. */
export const positionalIds = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i))

/**
 * The ids of the prompts on screen: those of the edit they belong to when it kept its objects (and they
 * pair with the prompts), else the positions.
 */
export function idsOfEdit(
  prompts: readonly ObjectPrompt[],
  objects: readonly ObjectResult[] | null,
): string[] {
  return objects && objects.length === prompts.length
    ? objects.map((o) => o.id)
    : positionalIds(prompts.length)
}

/** The smallest decimal id above every numeric id in `ids` and above `floor` (a high-water mark). */
export function freshId(ids: readonly string[], floor = -1): string {
  let max = floor
  for (const id of ids) if (/^\d+$/.test(id)) max = Math.max(max, Number(id))
  return String(max + 1)
}

/**
 * Ids for a new prompt list of `nextLen` objects made from one with `prev` ids by editing in place or
 * appending (the canvas' operations): kept by position, new ones fresh.
 */
export function reconcileIds(prev: readonly string[], nextLen: number, floor = -1): string[] {
  const out = prev.slice(0, nextLen)
  while (out.length < nextLen) out.push(freshId([...prev, ...out], floor))
  return out
}

/** Removes object `index` from the prompts and their ids alike. */
export function removeObject(
  prompts: readonly ObjectPrompt[],
  ids: readonly string[],
  index: number,
): { prompts: ObjectPrompt[]; ids: string[] } {
  return {
    prompts: prompts.filter((_, i) => i !== index),
    ids: ids.filter((_, i) => i !== index),
  }
}

/** The next (dir = 1) or previous (dir = -1) of `n` objects after `at`, wrapping; null without objects. */
export function cycleObject(at: number | null, n: number, dir: 1 | -1): number | null {
  if (n === 0) return null
  if (at == null || at < 0 || at >= n) return dir === 1 ? 0 : n - 1
  return (at + dir + n) % n
}

export const isEmptyObject = (p: ObjectPrompt): boolean => !p.box && p.points.length === 0

/**
 * What an edit on the canvas sends when an added ("draft") object is shown after the `committed` objects:
 * the draft goes along once it holds a prompt, and is left out (still shown) while it is empty.
 */
export function commitWithDraft(
  next: readonly ObjectPrompt[],
  ids: readonly string[],
  committed: number,
): { prompts: ObjectPrompt[]; ids: string[]; draftUsed: boolean } {
  const draft = next[committed]
  const draftUsed = draft !== undefined && !isEmptyObject(draft)
  const n = draftUsed ? committed + 1 : committed
  return { prompts: next.slice(0, n), ids: ids.slice(0, n), draftUsed }
}

/** One row of the object list. */
export interface ObjectRow {
  id: string
  /** Position in the prompt list (what PromptRef.obj and the canvas use). */
  index: number
  color: string
  prompt: ObjectPrompt
  /** Per-object result of the edit shown, or null (the model's own prediction keeps only the union). */
  result: ObjectResult | null
  /** An added object without prompts yet (not sent to the engine). */
  draft: boolean
}

/** The rows for the prompts on screen, their ids, the per-object results of the shown edit and a draft. */
export function objectRows(
  prompts: readonly ObjectPrompt[],
  ids: readonly string[],
  objects: readonly ObjectResult[] | null,
  draftId: string | null,
): ObjectRow[] {
  const byId = new Map((objects ?? []).map((o) => [o.id, o]))
  const rows: ObjectRow[] = prompts.map((prompt, index) => {
    const id = ids[index] ?? String(index)
    return { id, index, color: objectColor(id, index), prompt, result: byId.get(id) ?? null, draft: false }
  })
  if (draftId != null) {
    const index = rows.length
    rows.push({
      id: draftId,
      index,
      color: objectColor(draftId, index),
      prompt: { points: [] },
      result: null,
      draft: true,
    })
  }
  return rows
}

/**
 * The answer object (position in the model's output) that an object id stands for: the model's objects keep
 * their positions as ids, so deleting an earlier object does not move this link; added objects have none.
 */
export function answerObjectOf(id: string | undefined, answerObjects: number): number | null {
  if (id == null || !/^\d+$/.test(id)) return null
  const n = Number(id)
  return n < answerObjects ? n : null
}

/** The position in the prompt list of the answer's object `obj`, or null when it was deleted. */
export function indexOfAnswerObject(ids: readonly string[], obj: number): number | null {
  const i = ids.indexOf(String(obj))
  return i < 0 ? null : i
}
