/**
 * Checks of the "Add images" form before anything is sent: which files are images, which queries are
 * empty, and whether a query is a sentence (ReasonSeg's `is_sentence`: a full question or instruction) or
 * a short phrase. Pure: no DOM, so the rules are unit-tested. The backend checks again (it decodes the
 * image), and its errors are shown beside the file they belong to.
 */

const IMAGE_EXT = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i

/**
 * Largest file sent: its base64 (4/3 of it) plus the JSON around it must fit the hosts' 32 MiB request
 * limit (and the contract's 32 MiB of base64 per image).
 */
export const MAX_IMAGE_BYTES = 23 * 1024 * 1024

/** Why a picked file cannot be added as an image, or null if it looks like one. */
export function fileProblem(file: { name: string; type: string; size: number }): string | null {
  const typed = file.type.startsWith('image/')
  if (!typed && !(file.type === '' && IMAGE_EXT.test(file.name)))
    return `${file.name} is not an image (${file.type || 'unknown type'})`
  if (file.size === 0) return `${file.name} is empty`
  if (file.size > MAX_IMAGE_BYTES)
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; images up to 23 MB can be added here`
  return null
}

const OPENERS =
  /^(what|which|where|who|whom|whose|how|why|when|if|can|could|would|is|are|please|find|show|segment|identify)\b/i

/**
 * A first guess at `is_sentence`, which the user can flip: a query is a sentence when it ends with ? . or !
 * or opens like a question or an instruction. ReasonSeg's "the fruit richest in vitamin C" is a phrase,
 * "What in this picture could keep the rain off?" a sentence.
 */
export function looksLikeSentence(query: string): boolean {
  const q = query.trim()
  return /[?.!]$/.test(q) || OPENERS.test(q)
}

export interface DraftQuery {
  text: string
  isSentence: boolean
}

/** Per-query problems (index → message); empty when every query can be stored. */
export function queryProblems(queries: readonly DraftQuery[]): Map<number, string> {
  const out = new Map<number, string>()
  queries.forEach((q, i) => {
    if (q.text.trim() === '') out.set(i, 'The query is empty: write a phrase or a sentence, or remove it.')
  })
  return out
}
