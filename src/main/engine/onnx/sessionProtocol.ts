/**
 * Messages between the main thread and the ONNX session worker (sessionWorker.ts). Tensors travel as
 * typed arrays; the worker keeps recent images' embeddings ("pinned" by image key) so prompt edits on
 * the same image send only the small prompt tensors.
 */
import type { SessionMeta } from './flavours'

export type WireTensor =
  | { type: 'float32'; dims: number[]; data: Float32Array }
  | { type: 'int64'; dims: number[]; data: BigInt64Array }
  /** SAM 3's image input (uint8) and its masks and attention masks (bool, one byte each). */
  | { type: 'uint8' | 'bool'; dims: number[]; data: Uint8Array }

/** The sessions one worker holds: every model has an encoder and a decoder; SAM 3 a language encoder too. */
export type SessionName = 'encoder' | 'decoder' | 'language'

export type WireFeeds = Record<string, WireTensor>

export interface OpenResult {
  provider: string
  /** Providers tried before `provider`, with the reason each failed. */
  failures: { provider: string; error: string }[]
  encoder: SessionMeta
  decoder: SessionMeta
  language?: SessionMeta
}

export type WorkerRequest =
  | {
      kind: 'open'
      id: number
      encoderPath: string
      decoderPath: string
      /** SAM 3's text encoder. */
      languagePath?: string
      providers: string[]
    }
  | {
      kind: 'run'
      id: number
      session: SessionName
      feeds: WireFeeds
      /** Outputs to compute (all when omitted); ONNX Runtime skips nodes only the others need. */
      fetch?: string[]
      /** Decoder: embedding tensors to pin under `key` before running (omitted when already pinned). */
      pin?: { key: string; tensors?: WireFeeds }
      /** Encoder: pin the outputs under this key, renamed to decoder input names. */
      pinOutputs?: { key: string; rename: Record<string, string> }
    }
  | { kind: 'cancel'; id: number }
  | { kind: 'close'; id: number }

export type WorkerResponse =
  /** A queued run has begun executing (it can no longer be dropped from the queue). */
  | { id: number; started: true }
  | { id: number; ok: true; value: OpenResult | WireFeeds | null }
  | { id: number; ok: false; error: string; cancelled?: boolean; missingEmbedding?: boolean }
