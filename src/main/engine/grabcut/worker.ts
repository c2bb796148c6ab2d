/**
 * The GrabCut baseline's worker thread: loads OpenCV's wasm once, then answers one request at a time with
 * the mask as RLE runs (small, transferable) instead of a dense mask. It keeps the last image it was sent,
 * so the edits of one sample do not copy and transfer the whole image each time.
 */
import { parentPort } from 'node:worker_threads'
import { encodeRowMajor } from '../../../shared/domain/rle'
import { grabCutMask } from './grabcut'
import { loadOpenCv } from './opencv'
import type { RgbImage } from '../types'
import type { GrabCutReply, GrabCutRequest } from './protocol'

const port = parentPort
if (!port) throw new Error('grabcut worker must run in a worker thread')

let held: { key: string; image: RgbImage } | null = null

port.on('message', (req: GrabCutRequest) => {
  if (req.data) held = { key: req.imageKey, image: { width: req.width, height: req.height, data: req.data } }
  const image =
    held?.key === req.imageKey && held.image.width === req.width && held.image.height === req.height
      ? held.image
      : null
  loadOpenCv().then(
    ({ cv }) => {
      let reply: GrabCutReply
      try {
        // The segmenter sends the image whenever it has not sent this one last; a miss is its bug.
        if (!image) throw new Error(`image ${req.imageKey} was not sent to the GrabCut worker`)
        const mask = grabCutMask(cv, image, req.prompt, req.options)
        const rle = encodeRowMajor(mask, req.height, req.width)
        reply = { id: req.id, ok: true, h: rle.h, w: rle.w, counts: rle.counts }
        port.postMessage(reply, [rle.counts.buffer as ArrayBuffer])
        return
      } catch (err) {
        reply = { id: req.id, ok: false, message: describe(err, req) }
      }
      port.postMessage(reply)
    },
    (err: unknown) =>
      port.postMessage({ id: req.id, ok: false, message: `could not load OpenCV: ${describe(err, req)}` }),
  )
})

/** OpenCV's wasm throws bare exception pointers (numbers); give the caller something readable. */
function describe(err: unknown, req: GrabCutRequest): string {
  if (err instanceof Error) return err.message
  return `OpenCV error ${String(err)} on a ${req.width}x${req.height} image`
}
