/**
 * Streams a parquet `list<list<bool>>` mask column (outer list = image rows, `mask[y][x]`) straight into
 * COCO run-length encoding, page by page, without ever holding a mask as booleans.
 *
 * A page is walked in batches of 1 Mi slots from three streams (repetition levels, definition levels,
 * values; pageBytes.ts), so memory does not follow the page size. Levels are read as runs (a run of "same line" repetition levels
 * costs one step, not one per pixel), values stay bit-packed, and each finished image row is XOR-ed with
 * the previous one to record, per column, the y where the value changes. At the end of a mask those
 * change points, bucketed by column, are exactly the column-major runs pycocotools wants. Memory per mask
 * is two row bitmaps plus the change points (about the mask's perimeter).
 */
import type { CompressionCodec } from 'hyparquet'
import type { Rle } from '../../../shared/domain/rle'
import { openDataPage } from './pageBytes'
import { ParquetFormatError, type PageStream } from './pageStream'
import { Growable32, HybridStream, PlainBits, copyBits } from './streamDecoders'

/** Levels layout of the mask column, derived from its schema path. */
export interface MaskLevels {
  maxRep: number
  maxDef: number
  /** Definition level of a null leaf boolean (read as background), or -1 if the leaf is required. */
  nullLeafDef: number
}

export interface MaskRowError {
  /** Row index within the column chunk. */
  row: number
  message: string
}

const U32 = (n: number) => new Uint32Array(n)

/** Accumulates one mask, image row by image row, into column-major RLE. */
export class MaskBuilder {
  width = -1
  private lines = 0
  private lineLen = 0
  private cur = new Uint8Array(256)
  private prev = new Uint8Array(256)
  private cur32 = new Int32Array(this.cur.buffer)
  private prev32 = new Int32Array(this.prev.buffer)
  private readonly tx = new Growable32()
  private readonly ty = new Growable32()
  /** Set when a line's length differs from the first line's: reported by `finish`. */
  ragged: { y: number; len: number } | null = null

  reset(): void {
    this.width = -1
    this.lines = 0
    this.lineLen = 0
    this.tx.n = 0
    this.ty.n = 0
    this.ragged = null
    this.cur.fill(0)
    this.prev.fill(0)
  }

  get height(): number {
    return this.lines
  }

  /** Appends `len` pixels, bit-packed LSB first in `src` from bit `srcBit`, to the current line. */
  append(src: Uint8Array, srcBit: number, len: number): void {
    if (len <= 0) return
    const need = (((this.lineLen + len + 31) >>> 5) << 2) + 4
    if (need > this.cur.length) this.grow(need)
    copyBits(src, srcBit, this.cur, this.lineLen, len)
    this.lineLen += len
  }

  endLine(): void {
    const w = this.lineLen
    if (this.width < 0) this.width = w
    else if (w !== this.width && !this.ragged) this.ragged = { y: this.lines, len: w }
    const y = this.lines++
    this.lineLen = 0
    if (this.ragged) return
    const words = (w + 31) >>> 5
    const a = this.cur32
    const b = this.prev32
    for (let k = 0; k < words; k++) {
      let v = a[k] ^ b[k]
      while (v !== 0) {
        const low = v & -v
        this.tx.push((k << 5) + 31 - Math.clz32(low))
        this.ty.push(y)
        v ^= low
      }
    }
    // The finished line becomes `prev`; the old `prev` is overwritten byte by byte by the next line,
    // and both share the same width, so its zero padding beyond `w` stays valid.
    const t = this.cur
    this.cur = this.prev
    this.prev = t
    const t32 = this.cur32
    this.cur32 = this.prev32
    this.prev32 = t32
  }

  /** Column-major RLE of the accumulated mask (call after the last `endLine`). */
  finish(): Rle {
    const h = this.lines
    const w = Math.max(this.width, 0)
    const total = h * w
    const nt = this.tx.n
    const tx = this.tx.a
    const ty = this.ty.a
    // Bucket change points by column (counting sort keeps y ascending within a column).
    const start = U32(w + 1)
    for (let t = 0; t < nt; t++) start[tx[t] + 1]++
    for (let x = 0; x < w; x++) start[x + 1] += start[x]
    const fill = start.slice(0, w)
    const ys = U32(nt)
    for (let t = 0; t < nt; t++) ys[fill[tx[t]]++] = ty[t]
    // Toggle positions in column-major order; a column ending in 1 toggles back to 0 at the next
    // column's top, and a toggle that lands on the previous one cancels it.
    const pos = new Growable32(nt + 2)
    const last = this.prev
    const toggle = (p: number) => {
      if (p >= total) return
      if (pos.n > 0 && pos.a[pos.n - 1] === p) pos.n--
      else pos.push(p)
    }
    for (let x = 0; x < w; x++) {
      const base = x * h
      for (let i = start[x]; i < start[x + 1]; i++) toggle(base + ys[i])
      if (h > 0 && (last[x >>> 3] >>> (x & 7)) & 1) toggle(base + h)
    }
    const counts = U32(pos.n + 1)
    let p0 = 0
    for (let i = 0; i < pos.n; i++) {
      counts[i] = pos.a[i] - p0
      p0 = pos.a[i]
    }
    counts[pos.n] = total - p0
    return { h, w, counts }
  }

  private grow(bytes: number): void {
    const cap = Math.max(bytes, this.cur.length * 2)
    const c = new Uint8Array(cap)
    c.set(this.cur)
    const p = new Uint8Array(cap)
    p.set(this.prev)
    this.cur = c
    this.prev = p
    this.cur32 = new Int32Array(c.buffer)
    this.prev32 = new Int32Array(p.buffer)
  }
}

function bitWidth(v: number): number {
  return 32 - Math.clz32(v)
}

/** Slots decoded per step: bounds the scratch arrays whatever the page size. */
const BATCH = 1 << 20

/** The streams of the page being decoded and how far into it we are. */
interface PageState {
  n: number
  done: number
  offset: number
  rep: HybridStream
  def: HybridStream | null
  plain: PlainBits | null
  rle: HybridStream | null
}

/**
 * Pulls pages of one mask column chunk and hands out one RLE per parquet row. `next()` resolves with the
 * next row's mask, or throws a ParquetFormatError / a row error for malformed rows.
 */
export class MaskColumnReader {
  private readonly builder = new MaskBuilder()
  private readonly ready: Rle[] = []
  private readonly repPos = new Growable32()
  private readonly repLvl = new Growable32()
  private readonly defPos = new Growable32()
  private readonly defLvl = new Growable32()
  private bitsBuf = new Uint8Array(0)
  private spreadBuf = new Uint8Array(0)
  private page: PageState | null = null
  private inRow = false
  private rowsStarted = 0
  private finished = false
  private rowError: MaskRowError | null = null

  constructor(
    private readonly pages: PageStream,
    private readonly codec: CompressionCodec,
    private readonly levels: MaskLevels,
    private readonly file: string,
  ) {
    if (levels.maxRep !== 2) {
      throw new ParquetFormatError(
        `${file}: column 'mask' must be a list of lists (found ${levels.maxRep} list levels)`,
      )
    }
  }

  /** The mask of the next row, or the error of the first malformed row (after which it stops). */
  async next(): Promise<Rle | MaskRowError> {
    while (this.ready.length === 0) {
      if (this.rowError) return this.rowError
      if (this.page) {
        this.step(this.page)
        continue
      }
      if (this.finished)
        throw new ParquetFormatError(`${this.file}: mask column has fewer rows than the row group`)
      const loc = await this.pages.nextHeader()
      if (!loc) {
        this.closeRow()
        this.finished = true
        continue
      }
      const type = loc.header.type
      if (type === 'DICTIONARY_PAGE') {
        throw new ParquetFormatError(
          `${this.file}: mask column is dictionary-encoded, which no known writer does for booleans`,
        )
      }
      if (type !== 'DATA_PAGE' && type !== 'DATA_PAGE_V2') continue
      this.page = this.guard(loc.offset, () => this.openPage(loc))
    }
    return this.ready.shift() as Rle
  }

  private guard<T>(offset: number, f: () => T): T {
    try {
      return f()
    } catch (err) {
      if (err instanceof RangeError || (err instanceof Error && !(err instanceof ParquetFormatError))) {
        throw new ParquetFormatError(`${this.file}: corrupt mask page at byte ${offset}: ${err.message}`)
      }
      throw err
    }
  }

  private openPage(loc: Parameters<typeof openDataPage>[1]): PageState {
    const { maxRep, maxDef } = this.levels
    const s = openDataPage(this.pages.fd, loc, this.codec, maxRep, maxDef)
    let plain: PlainBits | null = null
    let rle: HybridStream | null = null
    if (s.encoding === 'PLAIN') plain = new PlainBits(s.values)
    else if (s.encoding === 'RLE') {
      s.values.u32() // length of the RLE stream: it is read to its end anyway
      rle = new HybridStream(s.values, 1)
    } else {
      throw new ParquetFormatError(
        `${this.file}: mask values use encoding ${s.encoding}, expected PLAIN or RLE`,
      )
    }
    return {
      n: s.n,
      done: 0,
      offset: loc.offset,
      rep: new HybridStream(s.rep as NonNullable<typeof s.rep>, bitWidth(maxRep)),
      def: maxDef > 0 && s.def ? new HybridStream(s.def, bitWidth(maxDef)) : null,
      plain,
      rle,
    }
  }

  /** Decodes the next batch of the current page. */
  private step(st: PageState): void {
    const count = Math.min(BATCH, st.n - st.done)
    if (count <= 0) {
      this.page = null
      return
    }
    this.guard(st.offset, () => this.batch(st, count))
    st.done += count
    if (st.done >= st.n) this.page = null
  }

  private batch(st: PageState, n: number): void {
    const { maxRep, maxDef } = this.levels
    // Repetition levels: positions where a new image row (level 1) or a new parquet row (level 0) starts.
    this.repPos.n = 0
    this.repLvl.n = 0
    st.rep.scan(n, maxRep, this.repPos, this.repLvl, 0)
    // Definition levels: the common case is "every slot holds a value", a run scan that records nothing.
    this.defPos.n = 0
    this.defLvl.n = 0
    if (st.def) st.def.scan(n, maxDef, this.defPos, this.defLvl, 0)
    const nonValues = this.defPos.n
    const nValues = n - nonValues
    let bits = this.scratchBits(nValues)
    bits.fill(0, 0, (nValues + 7) >>> 3)
    if (st.plain) st.plain.read(nValues, bits, 0)
    else (st.rle as HybridStream).bits(nValues, bits, 0)
    if (nonValues > 0) {
      // Spread values over slots: null leaves become background; a null or empty list is a row error.
      const bytes = (n + 7) >>> 3
      if (this.spreadBuf.length < bytes) this.spreadBuf = new Uint8Array(bytes)
      const spread = this.spreadBuf
      spread.fill(0, 0, bytes)
      let v = 0
      let k = 0
      for (let i = 0; i < n; i++) {
        if (k < nonValues && this.defPos.a[k] === i) {
          const d = this.defLvl.a[k++]
          if (d !== this.levels.nullLeafDef) this.markStructuralNull(i)
          continue
        }
        if ((bits[v >>> 3] >>> (v & 7)) & 1) spread[i >>> 3] |= 1 << (i & 7)
        v++
      }
      bits = spread
    }
    let cursor = 0
    const b = this.builder
    for (let k = 0; k < this.repPos.n; k++) {
      const at = this.repPos.a[k]
      const level = this.repLvl.a[k]
      if (level > maxRep) throw new RangeError(`repetition level ${level} is over the maximum ${maxRep}`)
      if (at > cursor) b.append(bits, cursor, at - cursor)
      if (level === 0) {
        this.closeRow()
        this.inRow = true
        this.rowsStarted++
      } else if (this.inRow) {
        b.endLine()
      } else {
        throw new RangeError('the first value of the column chunk does not start a row')
      }
      cursor = at
    }
    if (n > cursor) {
      if (!this.inRow) throw new RangeError('the first value of the column chunk does not start a row')
      b.append(bits, cursor, n - cursor)
    }
  }

  /** Records a null/empty list at `slot` of the current batch as the error of its row. */
  private markStructuralNull(slot: number): void {
    if (this.rowError) return
    let rows = this.rowsStarted - 1
    for (let k = 0; k < this.repPos.n && this.repPos.a[k] <= slot; k++) if (this.repLvl.a[k] === 0) rows++
    this.rowError = { row: rows, message: 'mask is null or holds a null/empty list' }
  }

  private closeRow(): void {
    if (!this.inRow) return
    const b = this.builder
    b.endLine()
    if (b.ragged) {
      this.rowError ??= {
        row: this.rowsStarted - 1,
        message: `mask row ${b.ragged.y} has ${b.ragged.len} values but row 0 has ${b.width} (ragged mask)`,
      }
    }
    if (!this.rowError) this.ready.push(b.finish())
    b.reset()
    this.inRow = false
  }

  private scratchBits(n: number): Uint8Array {
    const bytes = ((n + 7) >>> 3) + 8
    if (this.bitsBuf.length < bytes) this.bitsBuf = new Uint8Array(bytes)
    return this.bitsBuf
  }
}
