/**
 * A debounced saver for notes: `push` schedules a save after a quiet period, `flush` saves now (sample
 * change, blur, page hide), and a value equal to the last one saved is never sent twice.
 */
export class DebouncedSaver<K> {
  private timer: ReturnType<typeof setTimeout> | null = null
  private pending: { key: K; value: string } | null = null
  private saved = new Map<string, string>()

  constructor(
    private readonly save: (key: K, value: string) => Promise<unknown>,
    private readonly delayMs: number,
    private readonly keyOf: (key: K) => string,
  ) {}

  /** Records the value last loaded from the backend, so re-typing it is not a change. */
  markSaved(key: K, value: string): void {
    this.saved.set(this.keyOf(key), value)
  }

  push(key: K, value: string): void {
    if (this.pending && this.keyOf(this.pending.key) !== this.keyOf(key)) void this.flush()
    this.pending = { key, value }
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.flush(), this.delayMs)
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const p = this.pending
    this.pending = null
    if (!p) return
    const k = this.keyOf(p.key)
    if (this.saved.get(k) === p.value) return
    this.saved.set(k, p.value)
    await this.save(p.key, p.value)
  }
}
