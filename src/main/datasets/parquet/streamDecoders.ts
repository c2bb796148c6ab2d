/**
 * Parquet's level and value encodings decoded incrementally from a `ByteCursor`, so a page is walked
 * in bounded batches instead of being expanded whole: the RLE/bit-packed hybrid (levels, RLE booleans,
 * dictionary indices), bit-packed PLAIN booleans, and DELTA_BINARY_PACKED (the lengths of
 * DELTA_LENGTH_BYTE_ARRAY, which DuckDB writes for binary columns with PARQUET_VERSION V2).
 */
import type { ByteCursor } from './pageBytes'

/** Growable Uint32 scratch array, reused across batches. */
export class Growable32 {
  a: Uint32Array
  n = 0
  constructor(cap = 1024) {
    this.a = new Uint32Array(cap)
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Uint32Array(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.n++] = v
  }
}

/** Resumable decoder of one RLE/bit-packed hybrid stream of `width`-bit values. */
export class HybridStream {
  private runLeft = 0
  private runValue = 0
  /** Values left in the current bit-packed run (a multiple of 8 at group boundaries). */
  private packedLeft = 0
  private readonly group = new Uint32Array(8)
  private groupAt = 8
  private readonly byteWidth: number
  private readonly mask: number

  constructor(
    private readonly cur: ByteCursor,
    private readonly width: number,
  ) {
    if (width > 32) throw new RangeError(`bit width ${width} is over 32`)
    this.byteWidth = (width + 7) >>> 3
    this.mask = width === 32 ? 0xffffffff : (1 << width) - 1
  }

  private header(): void {
    const h = this.cur.varint()
    if (h % 2 === 1) {
      this.packedLeft = Math.floor(h / 2) * 8
    } else {
      this.runLeft = h / 2
      let v = 0
      for (let k = 0; k < this.byteWidth; k++) v += this.cur.byte() * 2 ** (8 * k)
      if (v > this.mask) throw new RangeError(`run value ${v} does not fit in ${this.width} bits`)
      this.runValue = v
    }
  }

  private unpackGroup(): void {
    const w = this.width
    const cur = this.cur
    if (!cur.ensure(w)) throw new RangeError('bit-packed run ends early')
    const b = cur.buf
    const base = cur.i
    for (let k = 0; k < 8; k++) {
      let v = 0
      for (let bit = 0; bit < w; bit++) {
        const p = k * w + bit
        v |= ((b[base + (p >>> 3)] >>> (p & 7)) & 1) << bit
      }
      this.group[k] = v >>> 0
    }
    cur.i += w
    this.packedLeft -= 8
    this.groupAt = 0
  }

  /**
   * Decodes the next `count` values and records each one that differs from `skip` as
   * (`base` + its index, value) — one step per run of `skip`, so long runs cost nothing.
   */
  scan(count: number, skip: number, outPos: Growable32, outVal: Growable32, base: number): void {
    let j = 0
    const w = this.width
    const cur = this.cur
    // The byte pattern of a bit-packed group of eight `skip` values (w ≤ 8), to step over it whole.
    let pattern = 0
    if (w <= 8 && skip >= 0) for (let k = 0; k < 8; k++) pattern += skip * 2 ** (k * w)
    while (j < count) {
      if (this.groupAt < 8) {
        const v = this.group[this.groupAt++]
        if (v !== skip) {
          outPos.push(base + j)
          outVal.push(v)
        }
        j++
        continue
      }
      if (this.runLeft > 0) {
        const n = Math.min(this.runLeft, count - j)
        if (this.runValue !== skip) {
          for (let k = 0; k < n; k++) {
            outPos.push(base + j + k)
            outVal.push(this.runValue)
          }
        }
        j += n
        this.runLeft -= n
        continue
      }
      if (this.packedLeft > 0) {
        while (this.packedLeft >= 8 && count - j >= 8 && w <= 8 && skip >= 0) {
          if (!cur.ensure(w)) throw new RangeError('bit-packed run ends early')
          const b = cur.buf
          const i = cur.i
          let word = 0
          for (let k = 0; k < w; k++) word += b[i + k] * 2 ** (8 * k)
          if (word !== pattern) break
          cur.i += w
          this.packedLeft -= 8
          j += 8
        }
        if (this.packedLeft > 0 && j < count) this.unpackGroup()
        continue
      }
      this.header()
    }
  }

  /** Decodes `count` values of a width-1 stream (RLE booleans) into bits of `dst` from bit `at`. */
  bits(count: number, dst: Uint8Array, at: number): void {
    let j = 0
    const cur = this.cur
    while (j < count) {
      if (this.groupAt < 8) {
        if (this.group[this.groupAt++]) dst[(at + j) >>> 3] |= 1 << ((at + j) & 7)
        j++
        continue
      }
      if (this.runLeft > 0) {
        const n = Math.min(this.runLeft, count - j)
        if (this.runValue) for (let k = at + j; k < at + j + n; k++) dst[k >>> 3] |= 1 << (k & 7)
        j += n
        this.runLeft -= n
        continue
      }
      if (this.packedLeft > 0) {
        // Whole groups are whole bytes at width 1: copy them as bits.
        if (this.packedLeft >= 8 && count - j >= 8) {
          if (cur.i >= cur.end && !cur.refill()) throw new RangeError('bit-packed run ends early')
          const bytes = Math.min(cur.end - cur.i, this.packedLeft >>> 3, (count - j) >>> 3)
          copyBits(cur.buf, cur.i * 8, dst, at + j, bytes * 8)
          cur.i += bytes
          this.packedLeft -= bytes * 8
          j += bytes * 8
        } else this.unpackGroup()
        continue
      }
      this.header()
    }
  }
}

/** Reader of bit-packed PLAIN booleans, continuing where the last call stopped. */
export class PlainBits {
  private bit = 0
  constructor(private readonly cur: ByteCursor) {}

  read(count: number, dst: Uint8Array, at: number): void {
    const cur = this.cur
    while (count > 0) {
      if (cur.i >= cur.end && !cur.refill()) throw new RangeError('boolean values end early')
      const avail = (cur.end - cur.i) * 8 - this.bit
      const take = Math.min(count, avail)
      copyBits(cur.buf, cur.i * 8 + this.bit, dst, at, take)
      const total = this.bit + take
      cur.i += total >>> 3
      this.bit = total & 7
      at += take
      count -= take
    }
  }
}

/** Decodes a whole DELTA_BINARY_PACKED block of integers (used for byte-array lengths: few values). */
export function readDeltaBinaryPacked(cur: ByteCursor, maxCount: number): number[] {
  const blockSize = cur.varint()
  const miniblocks = cur.varint()
  const count = cur.varint()
  let value = cur.zigzag()
  if (miniblocks === 0 || blockSize % miniblocks !== 0 || (blockSize / miniblocks) % 8 !== 0) {
    throw new RangeError(`bad DELTA_BINARY_PACKED header (block ${blockSize}, miniblocks ${miniblocks})`)
  }
  if (count > maxCount) throw new RangeError(`${count} lengths declared, the page has ${maxCount} values`)
  const perMini = blockSize / miniblocks
  const out: number[] = []
  if (count > 0) out.push(value)
  const widths = new Uint8Array(miniblocks)
  while (out.length < count) {
    const minDelta = cur.zigzag()
    for (let m = 0; m < miniblocks; m++) widths[m] = cur.byte()
    for (let m = 0; m < miniblocks && out.length < count; m++) {
      const w = widths[m]
      if (w > 53) throw new RangeError(`delta bit width ${w} is too large`)
      const bytes = (perMini * w) / 8
      if (!cur.ensure(bytes)) throw new RangeError('delta miniblock ends early')
      const b = cur.buf
      const i0 = cur.i
      for (let k = 0; k < perMini && out.length < count; k++) {
        let d = 0
        for (let bit = 0; bit < w; bit++) {
          const p = k * w + bit
          if ((b[i0 + (p >>> 3)] >>> (p & 7)) & 1) d += 2 ** bit
        }
        value += minDelta + d
        out.push(value)
      }
      cur.i += bytes
    }
  }
  return out
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
