/**
 * Latest-wins scheduling for interactive segmentation. Dragging a box sends a request per mouse move;
 * only the newest request per key (run + sample) matters. A new request aborts the previous one's
 * AbortSignal, and at most one computation per key runs at a time: a request that arrives while one
 * runs waits for it to stop, then starts only if nothing newer came meanwhile. So a burst of any length
 * costs at most two computations (the one already running, then the last), and nothing queues up.
 *
 * A superseded request's promise rejects with ApiError('cancelled') — chosen over resolving with a
 * "superseded" value so callers cannot mistake a stale mask for a current one. Errors of the latest
 * request reach its caller unchanged; the scheduler and the segmenter stay usable.
 */
import { ApiError } from '../../shared/contract/define'

interface Slot {
  /** Number of the newest request for the key. */
  latest: number
  controller: AbortController | null
  running: Promise<unknown> | null
}

export class LatestWinsScheduler {
  private readonly slots = new Map<string, Slot>()
  private computations = 0

  /** How many times `work` has been started (for diagnostics and tests). */
  get started(): number {
    return this.computations
  }

  run<T>(key: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let slot = this.slots.get(key)
    if (!slot) {
      slot = { latest: 0, controller: null, running: null }
      this.slots.set(key, slot)
    }
    slot.controller?.abort()
    const controller = new AbortController()
    slot.controller = controller
    const seq = ++slot.latest
    return this.execute(key, slot, seq, controller, work)
  }

  /** Aborts whatever runs or waits for `key`. */
  cancel(key: string): void {
    const slot = this.slots.get(key)
    if (!slot) return
    slot.latest++
    slot.controller?.abort()
    slot.controller = null
    if (!slot.running) this.slots.delete(key)
  }

  cancelAll(): void {
    for (const key of [...this.slots.keys()]) this.cancel(key)
  }

  private async execute<T>(
    key: string,
    slot: Slot,
    seq: number,
    controller: AbortController,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const superseded = () => slot.latest !== seq || controller.signal.aborted
    while (slot.running) {
      await slot.running.then(
        () => undefined,
        () => undefined,
      )
      if (superseded()) throw cancelled()
    }
    if (superseded()) throw cancelled()
    this.computations++
    // Wrapped so a synchronous throw in `work` still clears the slot below.
    const p = (async () => work(controller.signal))()
    slot.running = p
    try {
      const result = await p
      if (superseded()) throw cancelled()
      return result
    } catch (err) {
      if (superseded()) throw cancelled()
      throw err
    } finally {
      if (slot.running === p) slot.running = null
      if (slot.latest === seq && this.slots.get(key) === slot) this.slots.delete(key)
    }
  }
}

function cancelled(): ApiError {
  return new ApiError('cancelled', 'superseded by a newer segmentation request')
}
