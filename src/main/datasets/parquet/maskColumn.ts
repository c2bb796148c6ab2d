/**
 * Streams a parquet `list<list<bool>>` mask column (outer list = image rows, `mask[y][x]`) straight into
 * COCO run-length encoding, page by page, without ever holding a mask as booleans.
 *
 * Levels are read from the RLE/bit-packed hybrid stream as runs (a run of "same line" repetition levels
 * costs one step, not one per pixel), values stay bit-packed, and each finished image row is XOR-ed with
 * the previous one to record, per column, the y where the value changes. At the end of a mask those
 * change points, bucketed by column, are exactly the column-major runs pycocotools wants. Memory per mask
 * is two row bitmaps plus the change points (about the mask's perimeter).
 */
import type { Rle } from '../../../shared/domain/rle'
import type { PageHeader } from 'hyparquet'
import { decompress, ParquetFormatError, type PageStream } from './pageStream'
import type { CompressionCodec } from 'hyparquet'

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

/** Growable scratch arrays, reused across pages and masks. */
class Growable32 {
  a: Uint32Array
  n = 0
  constructor(cap = 1024) {
    this.a = U32(cap)
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = U32(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.n++] = v
  }
}

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

/** Copies `len` bits (LSB-first packing) from src at bit `sb` to dst at bit `db`. */
export function copyBits(src: Uint8Array, sb: number, dst: Uint8Array, db: number, len: number): void {
  while (len > 0 && (db & 7) !== 0) {
    const bit = (src[sb >>> 3] >>> (sb & 7)) & 1
    const m = 1 << (db & 7)
    dst[db >>> 3] = bit ? dst[db >>> 3] | m : dst[db >>> 3] & ~m
    sb++
    db++
    len--
  }
  if (len === 0) return
  const nBytes = len >>> 3
  const rem = len & 7
  const s = sb & 7
  const si = sb >>> 3
  const di = db >>> 3
  if (s === 0) {
    dst.set(src.subarray(si, si + nBytes), di)
    if (rem) dst[di + nBytes] = src[si + nBytes] & ((1 << rem) - 1)
    return
  }
  const r = 8 - s
  for (let i = 0; i < nBytes; i++) dst[di + i] = (src[si + i] >>> s) | (src[si + i + 1] << r)
  if (rem)
    dst[di + nBytes] = ((src[si + nBytes] >>> s) | ((src[si + nBytes + 1] ?? 0) << r)) & ((1 << rem) - 1)
}

/** Reads an unsigned LEB128 varint at `p`; returns value and next position. */
function varint(b: Uint8Array, p: number, end: number): [number, number] {
  let v = 0
  let shift = 0
  for (;;) {
    if (p >= end) throw new RangeError('varint runs past the end of the level data')
    const c = b[p++]
    v += (c & 0x7f) * 2 ** shift
    if ((c & 0x80) === 0) return [v, p]
    shift += 7
  }
}

/**
 * Walks a hybrid-encoded level stream of `n` values and records every position whose level is below
 * `skipLevel` (for repetition levels: the start of a new list at some depth). Runs of `skipLevel` are
 * skipped in one step.
 */
function scanLevels(
  b: Uint8Array,
  p: number,
  end: number,
  width: number,
  n: number,
  skipLevel: number,
  outPos: Growable32,
  outLevel: Growable32,
): void {
  let i = 0
  const byteWidth = (width + 7) >>> 3
  const mask = (1 << width) - 1
  while (i < n) {
    let header: number
    ;[header, p] = varint(b, p, end)
    if ((header & 1) === 0) {
      const count = Math.floor(header / 2)
      let v = 0
      for (let k = 0; k < byteWidth; k++) v |= b[p + k] << (8 * k)
      p += byteWidth
      if (v !== skipLevel) {
        const stop = Math.min(n, i + count)
        for (let j = i; j < stop; j++) {
          outPos.push(j)
          outLevel.push(v)
        }
      }
      i += count
    } else {
      const values = Math.floor(header / 2) * 8
      if (p + (values * width) / 8 > end)
        throw new RangeError('bit-packed levels run past the end of the level data')
      for (let k = 0; k < values && i < n; k++, i++) {
        const bit = k * width
        const byte = p + (bit >>> 3)
        const v = ((b[byte] | (b[byte + 1] << 8)) >>> (bit & 7)) & mask
        if (v !== skipLevel) {
          outPos.push(i)
          outLevel.push(v)
        }
      }
      p += (values * width) / 8
    }
  }
}

function bitWidth(v: number): number {
  return 32 - Math.clz32(v)
}

/** Decodes the boolean RLE encoding (hybrid, width 1) into packed bits. */
function rleBooleansToBits(b: Uint8Array, p: number, end: number, n: number, out: Uint8Array): void {
  out.fill(0, 0, (n + 7) >>> 3)
  let i = 0
  while (i < n) {
    let header: number
    ;[header, p] = varint(b, p, end)
    if ((header & 1) === 0) {
      const count = Math.min(Math.floor(header / 2), n - i)
      const v = b[p++] & 1
      if (v) for (let j = i; j < i + count; j++) out[j >>> 3] |= 1 << (j & 7)
      i += count
    } else {
      const values = Math.min(Math.floor(header / 2) * 8, n - i)
      copyBits(b, p * 8, out, i, values)
      p += Math.floor(header / 2)
      i += values
    }
  }
}

/**
 * Pulls pages of one mask column chunk and hands out one RLE per parquet row. `next()` resolves with the
 * next row's mask, or throws a ParquetFormatError / a row error for malformed rows.
 */
export class MaskColumnReader {
  private readonly builder = new MaskBuilder()
  private readonly ready: Rle[] = []
  private readonly pos = new Growable32()
  private readonly lvl = new Growable32()
  private bitsBuf = new Uint8Array(0)
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
      if (this.finished)
        throw new ParquetFormatError(`${this.file}: mask column has fewer rows than the row group`)
      const page = await this.pages.next()
      if (!page) {
        this.closeRow()
        this.finished = true
        continue
      }
      this.onPage(page.header, page.body, page.offset)
    }
    return this.ready.shift() as Rle
  }

  private onPage(header: PageHeader, body: Uint8Array, offset: number): void {
    const { maxRep, maxDef } = this.levels
    let n: number
    let repBytes: Uint8Array
    let repStart: number
    let repEnd: number
    let defStart: number
    let defEnd: number
    let values: Uint8Array
    let valuesStart: number
    let encoding: string
    if (header.type === 'DATA_PAGE') {
      const dph = header.data_page_header
      if (!dph) throw new ParquetFormatError(`${this.file}: data page at byte ${offset} has no header`)
      n = dph.num_values
      encoding = dph.encoding
      const page = decompress(body, header.uncompressed_page_size, this.codec)
      const view = new DataView(page.buffer, page.byteOffset, page.byteLength)
      let p = 0
      const repLen = view.getUint32(p, true)
      repStart = p + 4
      repEnd = repStart + repLen
      p = repEnd
      const defLen = maxDef > 0 ? view.getUint32(p, true) : 0
      defStart = p + (maxDef > 0 ? 4 : 0)
      defEnd = defStart + defLen
      repBytes = page
      values = page
      valuesStart = defEnd
      if (repEnd > page.length || defEnd > page.length) {
        throw new ParquetFormatError(`${this.file}: data page at byte ${offset} has level data past its end`)
      }
    } else if (header.type === 'DATA_PAGE_V2') {
      const h2 = header.data_page_header_v2
      if (!h2) throw new ParquetFormatError(`${this.file}: data page v2 at byte ${offset} has no header`)
      n = h2.num_values
      encoding = h2.encoding
      repBytes = body
      repStart = 0
      repEnd = h2.repetition_levels_byte_length
      defStart = repEnd
      defEnd = defStart + h2.definition_levels_byte_length
      const rest = body.subarray(defEnd)
      const restSize = header.uncompressed_page_size - defEnd
      values = h2.is_compressed !== false && restSize > 0 ? decompress(rest, restSize, this.codec) : rest
      valuesStart = 0
    } else if (header.type === 'DICTIONARY_PAGE') {
      throw new ParquetFormatError(
        `${this.file}: mask column is dictionary-encoded, which no known writer does for booleans`,
      )
    } else {
      return
    }
    try {
      this.decodePage(
        n,
        repBytes,
        repStart,
        repEnd,
        defStart,
        defEnd,
        values,
        valuesStart,
        encoding,
        maxRep,
        maxDef,
      )
    } catch (err) {
      if (err instanceof RangeError) {
        throw new ParquetFormatError(`${this.file}: corrupt mask page at byte ${offset}: ${err.message}`)
      }
      throw err
    }
  }

  private decodePage(
    n: number,
    page: Uint8Array,
    repStart: number,
    repEnd: number,
    defStart: number,
    defEnd: number,
    values: Uint8Array,
    valuesStart: number,
    encoding: string,
    maxRep: number,
    maxDef: number,
  ): void {
    // Definition levels: the common case is "every slot holds a value", found by a run scan that
    // records nothing. Anything else is decoded per slot.
    this.pos.n = 0
    this.lvl.n = 0
    if (maxDef > 0) scanLevels(page, defStart, defEnd, bitWidth(maxDef), n, maxDef, this.pos, this.lvl)
    const nonValues = this.pos.n
    const nValues = n - nonValues
    let bits: Uint8Array
    let bitStart: number
    if (encoding === 'PLAIN') {
      if (valuesStart + ((nValues + 7) >>> 3) > values.length) {
        throw new RangeError(
          `page holds ${values.length - valuesStart} value bytes, needs ${(nValues + 7) >>> 3}`,
        )
      }
      bits = values
      bitStart = valuesStart * 8
    } else if (encoding === 'RLE') {
      const len = new DataView(values.buffer, values.byteOffset, values.byteLength).getUint32(
        valuesStart,
        true,
      )
      bits = this.scratchBits(nValues)
      rleBooleansToBits(values, valuesStart + 4, valuesStart + 4 + len, nValues, bits)
      bitStart = 0
    } else {
      throw new ParquetFormatError(
        `${this.file}: mask values use encoding ${encoding}, expected PLAIN or RLE`,
      )
    }
    if (nonValues > 0) {
      // Spread values over slots: null leaves become background; a null or empty list is a row error.
      const defs = this.defLevels(nonValues)
      const spread = new Uint8Array((n + 7) >>> 3)
      let v = 0
      for (let i = 0, k = 0; i < n; i++) {
        if (k < defs.length && defs[k][0] === i) {
          const d = defs[k++][1]
          if (d !== this.levels.nullLeafDef) this.markStructuralNull(i, page, repStart, repEnd, n)
          continue
        }
        const sbit = bitStart + v++
        if ((bits[sbit >>> 3] >>> (sbit & 7)) & 1) spread[i >>> 3] |= 1 << (i & 7)
      }
      bits = spread
      bitStart = 0
    }
    // Repetition levels: positions where a new image row (level 1) or a new parquet row (level 0) starts.
    this.pos.n = 0
    this.lvl.n = 0
    scanLevels(page, repStart, repEnd, bitWidth(maxRep), n, maxRep, this.pos, this.lvl)
    let cursor = 0
    const b = this.builder
    for (let k = 0; k < this.pos.n; k++) {
      const at = this.pos.a[k]
      if (at > cursor) b.append(bits, bitStart + cursor, at - cursor)
      if (this.lvl.a[k] === 0) {
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
    if (n > cursor) b.append(bits, bitStart + cursor, n - cursor)
  }

  private defLevels(count: number): [number, number][] {
    const out: [number, number][] = []
    for (let i = 0; i < count; i++) out.push([this.pos.a[i], this.lvl.a[i]])
    return out
  }

  private markStructuralNull(
    slot: number,
    page: Uint8Array,
    repStart: number,
    repEnd: number,
    n: number,
  ): void {
    if (this.rowError) return
    const p = new Growable32()
    const l = new Growable32()
    scanLevels(page, repStart, repEnd, bitWidth(this.levels.maxRep), n, this.levels.maxRep, p, l)
    let rows = this.rowsStarted - 1
    for (let k = 0; k < p.n && p.a[k] <= slot; k++) if (l.a[k] === 0) rows++
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
