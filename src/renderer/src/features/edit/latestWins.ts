/**
 * Client-side latest-wins for live re-segmentation: every request gets a ticket; a response (or error)
 * is applied only if no newer request was issued since. The backend also cancels superseded work, but
 * responses can still arrive out of order over the wire.
 */
export class LatestWins {
  private seq = 0

  /** Runs `task`; resolves `{ stale: true }` when a later call (or invalidate) happened before it finished. */
  async run<T>(task: () => Promise<T>): Promise<{ stale: false; value: T } | { stale: true }> {
    const ticket = ++this.seq
    try {
      const value = await task()
      return ticket === this.seq ? { stale: false, value } : { stale: true }
    } catch (err) {
      if (ticket !== this.seq) return { stale: true }
      throw err
    }
  }

  /** Makes every in-flight request stale (e.g. when the sample changes). */
  invalidate(): void {
    this.seq++
  }
}

/**
 * One LatestWins per key (the sample view a request was made on): a request on another sample never makes
 * this one's stale, so a response for a sample the user has left still lands in that sample's state.
 */
export class KeyedLatestWins {
  private byKey = new Map<string, LatestWins>()

  for(key: string): LatestWins {
    let lw = this.byKey.get(key)
    if (!lw) {
      lw = new LatestWins()
      this.byKey.set(key, lw)
    }
    return lw
  }
}
