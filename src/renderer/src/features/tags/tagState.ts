/**
 * Tag chips set an explicit state on the server (`setSampleTag` with `on`), never "toggle", and the new state
 * is shown before the reply: a second click (or key press) before the first reply then asks for the opposite
 * state instead of repeating the first, so a double click lands "off", as the user sees it.
 */
export function withTag(tagIds: readonly number[], tagId: number, on: boolean): number[] {
  const rest = tagIds.filter((id) => id !== tagId)
  return on ? [...rest, tagId] : rest
}
