/**
 * Segmentation prompts in original-image pixels: what a reasoning model answers with, what the user edits
 * on the canvas, and what the engine consumes.
 */

export interface PromptPoint {
  x: number
  y: number
  /** 1 = positive (foreground), 0 = negative (background). */
  label: 0 | 1
}

/** One object's prompt: an optional box [x1, y1, x2, y2] and any number of points. */
export interface ObjectPrompt {
  box?: [number, number, number, number]
  points: PromptPoint[]
}
