/** Messages between the GrabCut segmenter (main side) and its worker thread. */
import type { ObjectPrompt } from '../../../shared/domain/prompts'
import type { GrabCutOptions } from './grabcut'

export interface GrabCutRequest {
  id: number
  /** Names the image's content (the sample's media hash): the worker keeps the last image it was sent. */
  imageKey: string
  width: number
  height: number
  /** RGB bytes, row-major; transferred, not copied. Absent when the worker already holds this image. */
  data?: Uint8Array
  prompt: ObjectPrompt
  options?: GrabCutOptions
}

export type GrabCutReply =
  | { id: number; ok: true; h: number; w: number; counts: Uint32Array }
  | { id: number; ok: false; message: string }
