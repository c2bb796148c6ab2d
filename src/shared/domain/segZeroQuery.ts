/**
 * Query normalization before the query goes into the instruction template, as the reference pipelines do it:
 * Python's `text.lower().strip(chars)`. VisionReasoner strips `."?!`
 * (JIA-Lab-research/VisionReasoner `vision_reasoner/models/vision_reasoner_model.py` and
 * `evaluation/evaluation_segmentation.py`: `.lower().strip(".\"?!")`); Seg-Zero's scripts strip only `.`
 * (`inference_scripts/infer_multi_object.py`, `evaluation_scripts/evaluation.py`: `.lower().strip(".")`).
 * Pure module.
 */

export const VISION_REASONER_STRIP = '."?!'
export const SEG_ZERO_STRIP = '.'

/** `query.lower().strip(chars)`: lower-case, then remove any of `chars` from both ends (nothing else). */
export function normalizeQuery(query: string, stripChars: string = VISION_REASONER_STRIP): string {
  const lower = query.toLowerCase()
  const set = new Set(stripChars)
  let start = 0
  let end = lower.length
  while (start < end && set.has(lower[start])) start++
  while (end > start && set.has(lower[end - 1])) end--
  return lower.slice(start, end)
}
