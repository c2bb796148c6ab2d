/**
 * Splits a model's raw output into reasoning and answer and finds the coordinates in the answer, each
 * tied to the prompt it became (object k's bbox_2d ↔ prompts[k].box, its point_2d ↔ prompts[k].points[0];
 * the older Seg-Zero keys bbox / points_1 / points_2 map the same way). Pure string work.
 */

export interface PromptRef {
  obj: number
  kind: 'box' | 'point'
  /** Point index within the object (0 for boxes). */
  index: number
}

export type Span = { text: string; ref?: PromptRef }

export function splitOutput(
  raw: string | null,
  reasoning: string | null,
  answer: string | null,
): { reasoning: string | null; answer: string | null } {
  if (reasoning != null || answer != null) return { reasoning, answer }
  if (raw == null) return { reasoning: null, answer: null }
  const think = /<think>([\s\S]*?)(?:<\/think>|$)/.exec(raw)
  const ans = /<answer>([\s\S]*?)(?:<\/answer>|$)/.exec(raw)
  return { reasoning: think ? think[1].trim() : null, answer: ans ? ans[1].trim() : think ? null : raw }
}

const COORD_RE = /"(bbox_2d|point_2d|bbox|points_1|points_2)"\s*:\s*\[[^\]]*\]/g

/** The answer cut into plain text and coordinate spans, each coordinate span linked to its prompt. */
export function answerSpans(answer: string): Span[] {
  const spans: Span[] = []
  let last = 0
  for (const m of answer.matchAll(COORD_RE)) {
    const start = m.index ?? 0
    // Objects are the top-level {…} of the answer list; no nesting inside one object.
    const obj = Math.max(0, countChar(answer, '{', start) - 1)
    const key = m[1]
    const ref: PromptRef =
      key === 'bbox_2d' || key === 'bbox'
        ? { obj, kind: 'box', index: 0 }
        : { obj, kind: 'point', index: key === 'points_2' ? 1 : 0 }
    if (start > last) spans.push({ text: answer.slice(last, start) })
    spans.push({ text: m[0], ref })
    last = start + m[0].length
  }
  if (last < answer.length) spans.push({ text: answer.slice(last) })
  return spans
}

function countChar(s: string, c: string, end: number): number {
  let n = 0
  for (let i = 0; i < end; i++) if (s[i] === c) n++
  return n
}

export function sameRef(a: PromptRef | null | undefined, b: PromptRef | null | undefined): boolean {
  return !!a && !!b && a.obj === b.obj && a.kind === b.kind && a.index === b.index
}
