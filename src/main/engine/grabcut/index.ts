/**
 * The offline default segmenter: GrabCut (OpenCV wasm) behind the `Segmenter` interface, for installs
 * without SAM weights. Always labelled as a baseline. The work runs in one worker thread, one request at
 * a time; requests wait here, so a request aborted while waiting never reaches the worker, and one aborted
 * while running is answered at once and its late result dropped. The worker keeps the last image it was
 * sent: an image key names the pixels (the sample's media hash), so further edits of that image send only
 * the prompt. The pixels are read (copied) when a request is sent to the worker, not when it is queued.
 */
import type { Worker } from 'node:worker_threads'
import { ApiError } from '../../../shared/contract/define'
import type { ObjectPrompt } from '../../../shared/domain/prompts'
import type { ModelInfo, RgbImage, SegmentResult, Segmenter } from '../types'
import type { GrabCutOptions } from './grabcut'
import type { GrabCutReply, GrabCutRequest } from './protocol'
import { spawnGrabCutWorker } from './spawn'

export const GRABCUT_MODEL_ID = 'grabcut-baseline'

export const GRABCUT_INFO: ModelInfo = {
  id: GRABCUT_MODEL_ID,
  label: 'GrabCut baseline (not SAM)',
  family: 'grabcut',
  isBaseline: true,
  provider: 'wasm',
}

interface Job {
  /** The request without its pixels: `pump` adds them unless the worker holds this image already. */
  req: GrabCutRequest
  image: RgbImage
  settled: boolean
  resolve(r: SegmentResult): void
  reject(e: Error): void
  cleanup(): void
}

export function cancelledError(): ApiError {
  return new ApiError('cancelled', 'segmentation request cancelled')
}

export function createGrabCutSegmenter(opts: { options?: GrabCutOptions } = {}): Segmenter {
  let worker: Worker | null = null
  /** The image the current worker holds (the last one sent to it). */
  let held: { key: string; width: number; height: number } | null = null
  let inFlight: Job | null = null
  let nextId = 1
  let disposed = false
  const queue: Job[] = []

  const settle = (job: Job, outcome: { result: SegmentResult } | { error: Error }) => {
    if (job.settled) return
    job.settled = true
    job.cleanup()
    if ('result' in outcome) job.resolve(outcome.result)
    else job.reject(outcome.error)
  }

  const ensureWorker = (): Worker => {
    if (worker) return worker
    const w = spawnGrabCutWorker()
    held = null
    w.on('message', (reply: GrabCutReply) => {
      const job = inFlight
      if (!job || job.req.id !== reply.id) return
      inFlight = null
      if (reply.ok)
        settle(job, { result: { mask: { h: reply.h, w: reply.w, counts: reply.counts }, score: 0 } })
      else settle(job, { error: new ApiError('internal', `GrabCut baseline failed: ${reply.message}`) })
      pump()
    })
    // A crashed worker fails only the request it was running; the next request starts a fresh one.
    const lost = (why: string) => {
      if (worker !== w) return
      worker = null
      const job = inFlight
      inFlight = null
      if (job) settle(job, { error: new ApiError('internal', `GrabCut worker stopped: ${why}`) })
      pump()
    }
    w.on('error', (err) => lost(err.message))
    w.on('exit', (code) => lost(`exit code ${code}`))
    worker = w
    return w
  }

  const pump = () => {
    if (inFlight || disposed) return
    let job = queue.shift()
    while (job && job.settled) job = queue.shift()
    if (!job) {
      // An idle worker must not keep a CLI process alive.
      worker?.unref()
      return
    }
    let w: Worker
    try {
      w = ensureWorker()
    } catch (err) {
      settle(job, {
        error: new ApiError('unavailable', `GrabCut worker could not start: ${(err as Error).message}`),
      })
      pump()
      return
    }
    inFlight = job
    w.ref()
    const { req, image } = job
    if (held?.key === req.imageKey && held.width === req.width && held.height === req.height) {
      w.postMessage(req)
    } else {
      // A copy: the buffer is transferred to the worker and the caller may keep using its image.
      const data = image.data.slice()
      held = { key: req.imageKey, width: req.width, height: req.height }
      w.postMessage({ ...req, data }, [data.buffer])
    }
  }

  return {
    info: GRABCUT_INFO,
    segment(
      imageKey: string,
      image: RgbImage,
      prompt: ObjectPrompt,
      signal?: AbortSignal,
    ): Promise<SegmentResult> {
      if (disposed)
        return Promise.reject(new ApiError('unavailable', 'the GrabCut baseline has been disposed'))
      if (signal?.aborted) return Promise.reject(cancelledError())
      if (image.data.length !== image.width * image.height * 3) {
        return Promise.reject(
          new ApiError(
            'bad_request',
            `image data has ${image.data.length} bytes, expected ${image.width}x${image.height}x3`,
          ),
        )
      }
      return new Promise<SegmentResult>((resolve, reject) => {
        const onAbort = () => settle(job, { error: cancelledError() })
        const job: Job = {
          req: {
            id: nextId++,
            imageKey,
            width: image.width,
            height: image.height,
            prompt,
            options: opts.options,
          },
          image,
          settled: false,
          resolve,
          reject,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        queue.push(job)
        pump()
      })
    },
    async dispose() {
      disposed = true
      for (const job of queue.splice(0)) settle(job, { error: cancelledError() })
      if (inFlight) settle(inFlight, { error: cancelledError() })
      inFlight = null
      const w = worker
      worker = null
      if (w) await w.terminate()
    },
  }
}
