/**
 * A page's bytes as a stream, so a page of any size (DuckDB writes one page per column chunk, hundreds
 * of MB) is decoded in bounded memory. A `ByteSource` hands out the page's uncompressed bytes one chunk
 * at a time: straight from the file for uncompressed data, through a streaming decoder for SNAPPY
 * (64 KiB window; Google's snappy, which Arrow, DuckDB and polars' `snap` use, never refers further
 * back), GZIP (fflate) and ZSTD (fzstd). Other codecs (LZ4, BROTLI) and snappy streams that refer
 * further back fall back to decompressing the whole page: only then does memory follow the page size.
 * A `ByteCursor` reads numbers and byte runs across chunk boundaries.
 */
import fs from 'node:fs'
import { Gunzip } from 'fflate'
import { Decompress as ZstdDecompress } from 'fzstd'
import type { CompressionCodec } from 'hyparquet'
import { decompress, type PageLocation } from './pageStream'

/** Sequential chunks of bytes; each chunk is valid until the next call. */
export interface ByteSource {
  next(): Uint8Array | null
}

const FILE_CHUNK = 1 << 20
const PUSH_CHUNK = 16 << 10
const OUT_CHUNK = 1 << 20
const SNAPPY_WINDOW = 64 << 10

/** Fills `dst` with the file's bytes from `at`; a file that ends first is a truncated page. */
export function readFully(fd: number, dst: Uint8Array, at: number): void {
  let got = 0
  while (got < dst.length) {
    const r = fs.readSync(fd, dst, got, dst.length - got, at + got)
    if (r === 0) throw new RangeError(`the file ends at byte ${at + got}, inside a page`)
    got += r
  }
}

/** Bytes [start, end) of an open file, read in 1 MiB windows. */
export class FileRangeSource implements ByteSource {
  private buf: Uint8Array
  constructor(
    private readonly fd: number,
    private pos: number,
    private readonly end: number,
    chunk = FILE_CHUNK,
  ) {
    this.buf = new Uint8Array(Math.max(1, Math.min(chunk, end - pos)))
  }

  next(): Uint8Array | null {
    if (this.pos >= this.end) return null
    const n = Math.min(this.buf.length, this.end - this.pos)
    readFully(this.fd, this.buf.subarray(0, n), this.pos)
    this.pos += n
    return this.buf.subarray(0, n)
  }
}

/** One buffer, handed out in chunks (whole-page fallback, and already-resident bytes). */
export class BufferSource implements ByteSource {
  private at = 0
  constructor(private readonly bytes: Uint8Array) {}
  next(): Uint8Array | null {
    if (this.at >= this.bytes.length) return null
    const n = Math.min(OUT_CHUNK, this.bytes.length - this.at)
    const out = this.bytes.subarray(this.at, this.at + n)
    this.at += n
    return out
  }
}

/** Adapts fflate's / fzstd's push-style streaming decoders: input is pushed in 16 KiB pieces. */
class PushSource implements ByteSource {
  private readonly queue: Uint8Array[] = []
  private ended = false
  private readonly decoder: { push(chunk: Uint8Array, final?: boolean): unknown }

  constructor(
    private readonly input: FileRangeSource,
    make: (ondata: (chunk: Uint8Array) => void) => { push(chunk: Uint8Array, final?: boolean): unknown },
  ) {
    this.decoder = make((chunk) => {
      if (chunk.length) this.queue.push(chunk)
    })
  }

  next(): Uint8Array | null {
    while (this.queue.length === 0) {
      if (this.ended) return null
      const chunk = this.input.next()
      if (!chunk) {
        this.ended = true
        this.decoder.push(new Uint8Array(0), true)
        continue
      }
      // Copies: a decoder may keep an incomplete block's input, and the file buffer is reused.
      for (let p = 0; p < chunk.length; p += PUSH_CHUNK) {
        this.decoder.push(chunk.slice(p, Math.min(chunk.length, p + PUSH_CHUNK)), false)
      }
    }
    return this.queue.shift() as Uint8Array
  }
}

class FarReference extends Error {}

/**
 * Streaming decoder of raw (block-format) snappy. Keeps the last 64 KiB of output for back-references;
 * a reference further back switches to whole-page decompression (`fallback`) from where it stopped.
 */
class SnappySource implements ByteSource {
  private readonly in: ByteCursor
  private readonly out = new Uint8Array(SNAPPY_WINDOW + OUT_CHUNK + 128)
  private len = 0
  private total = 0
  private readonly expected: number
  private literalLeft = 0
  private start = 0
  private whole: BufferSource | null = null

  constructor(
    input: FileRangeSource,
    private readonly fallback: () => Uint8Array,
  ) {
    this.in = new ByteCursor(input, Number.MAX_SAFE_INTEGER)
    this.expected = this.in.varint()
  }

  next(): Uint8Array | null {
    if (this.whole) return this.whole.next()
    if (this.total >= this.expected) return null
    if (this.len > SNAPPY_WINDOW) {
      this.out.copyWithin(0, this.len - SNAPPY_WINDOW, this.len)
      this.len = SNAPPY_WINDOW
    }
    const start = this.len
    this.start = start
    const limit = start + OUT_CHUNK
    try {
      while (this.len < limit && this.total + (this.len - start) < this.expected) this.step(limit)
    } catch (err) {
      if (!(err instanceof FarReference)) throw err
      // What this call decoded before the far reference is handed out from the whole page as well.
      this.whole = new BufferSource(this.fallback().subarray(this.total))
      return this.whole.next()
    }
    this.total += this.len - start
    if (this.total > this.expected) throw new RangeError('snappy data is longer than its declared size')
    return this.out.subarray(start, this.len)
  }

  private step(limit: number): void {
    const out = this.out
    const inp = this.in
    if (this.literalLeft > 0) {
      const n = Math.min(this.literalLeft, limit - this.len)
      inp.read(out, this.len, n)
      this.len += n
      this.literalLeft -= n
      return
    }
    const tag = inp.byte()
    const kind = tag & 3
    if (kind === 0) {
      let n = tag >>> 2
      if (n >= 60) {
        const bytes = n - 59
        n = 0
        for (let k = 0; k < bytes; k++) n += inp.byte() * 2 ** (8 * k)
      }
      this.literalLeft = n + 1
      return
    }
    let length: number
    let offset: number
    if (kind === 1) {
      length = ((tag >>> 2) & 7) + 4
      offset = ((tag >>> 5) << 8) | inp.byte()
    } else if (kind === 2) {
      length = (tag >>> 2) + 1
      offset = inp.byte() | (inp.byte() << 8)
    } else {
      length = (tag >>> 2) + 1
      offset = (inp.byte() | (inp.byte() << 8) | (inp.byte() << 16)) + inp.byte() * 2 ** 24
    }
    if (offset === 0) throw new RangeError('snappy copy with offset 0')
    if (offset > this.len) {
      if (offset > this.total + (this.len - this.start)) {
        throw new RangeError('snappy copy refers before the start of the data')
      }
      throw new FarReference()
    }
    let p = this.len
    const from = p - offset
    if (offset >= length) out.copyWithin(p, from, from + length)
    else for (let k = 0; k < length; k++) out[p + k] = out[from + k]
    p += length
    this.len = p
  }
}

/** The uncompressed bytes of `[start, end)` of the file, compressed with `codec`, as a stream. */
export function pageSource(
  fd: number,
  start: number,
  end: number,
  codec: CompressionCodec,
  uncompressedSize: number,
): ByteSource {
  const raw = () => new FileRangeSource(fd, start, end)
  const whole = (): Uint8Array => {
    const body = new Uint8Array(end - start)
    readFully(fd, body, start)
    return decompress(body, uncompressedSize, codec)
  }
  switch (codec) {
    case 'UNCOMPRESSED':
      return raw()
    case 'SNAPPY':
      return new SnappySource(raw(), whole)
    case 'GZIP':
      return new PushSource(raw(), (ondata) => new Gunzip((chunk) => ondata(chunk)))
    case 'ZSTD':
      return new PushSource(raw(), (ondata) => new ZstdDecompress((chunk) => ondata(chunk)))
    default:
      return new BufferSource(whole())
  }
}

const EMPTY = new Uint8Array(0)

/**
 * Reads a ByteSource as one sequence: `buf[i..end)` is the current window (for tight loops), `ensure(k)`
 * makes k bytes contiguous there. Never reads past `limit` bytes (the page's declared size), so a corrupt
 * length cannot make it allocate or read without bound.
 */
export class ByteCursor {
  buf: Uint8Array = EMPTY
  i = 0
  end = 0
  private carry = new Uint8Array(64)
  private pending: Uint8Array | null = null
  /** Bytes handed out before `buf[0]`. */
  private base = 0

  constructor(
    private readonly src: ByteSource,
    private readonly limit: number,
  ) {}

  /** Bytes consumed so far. */
  get position(): number {
    return this.base + this.i
  }

  /** Bytes the page may still hold (its declared size minus what was read). */
  get left(): number {
    return this.limit - this.position
  }

  private chunk(): Uint8Array | null {
    if (this.pending) {
      const p = this.pending
      this.pending = null
      return p
    }
    return this.src.next()
  }

  /** Moves to the next chunk once the current one is used up; false at the end of the data. */
  refill(): boolean {
    while (this.i >= this.end) {
      const c = this.chunk()
      if (!c) return false
      this.base += this.end
      this.buf = c
      this.i = 0
      this.end = c.length
    }
    return true
  }

  /** Makes `k` bytes contiguous at `buf[i..]`; false if the data ends first. */
  ensure(k: number): boolean {
    if (this.end - this.i >= k) return true
    let n = this.end - this.i
    let carry = this.carry
    if (carry.length < k) carry = new Uint8Array(Math.max(k, carry.length * 2))
    if (this.buf === carry) carry.copyWithin(0, this.i, this.end)
    else carry.set(this.buf.subarray(this.i, this.end), 0)
    this.carry = carry
    this.base += this.i
    while (n < k) {
      const c = this.chunk()
      if (!c) break
      const take = Math.min(k - n, c.length)
      carry.set(c.subarray(0, take), n)
      n += take
      if (take < c.length) this.pending = c.subarray(take)
    }
    // The carry now holds bytes [base, base + n); following chunk bytes come after them.
    this.buf = carry
    this.i = 0
    this.end = n
    return n >= k
  }

  private eof(what: string): never {
    throw new RangeError(`page data ends early (reading ${what} at byte ${this.position})`)
  }

  byte(): number {
    if (this.i >= this.end && !this.refill()) this.eof('a byte')
    return this.buf[this.i++]
  }

  u32(): number {
    if (!this.ensure(4)) this.eof('a 4-byte length')
    const b = this.buf
    const i = this.i
    this.i += 4
    return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 2 ** 24
  }

  varint(): number {
    let v = 0
    let shift = 0
    for (;;) {
      const c = this.byte()
      v += (c & 0x7f) * 2 ** shift
      if ((c & 0x80) === 0) return v
      shift += 7
      if (shift > 63) throw new RangeError('varint longer than 10 bytes')
    }
  }

  zigzag(): number {
    const v = this.varint()
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2
  }

  /** Copies the next `n` bytes into `dst` at `off`. */
  read(dst: Uint8Array, off: number, n: number): void {
    while (n > 0) {
      if (this.i >= this.end && !this.refill()) this.eof(`${n} more bytes`)
      const take = Math.min(n, this.end - this.i)
      dst.set(this.buf.subarray(this.i, this.i + take), off)
      this.i += take
      off += take
      n -= take
    }
  }

  /** A fresh copy of the next `n` bytes, refusing lengths beyond the page's declared size. */
  take(n: number, what: string): Uint8Array {
    if (n > this.left) {
      throw new RangeError(`${what} claims ${n} bytes but the page has ${this.left} left`)
    }
    const out = new Uint8Array(n)
    this.read(out, 0, n)
    return out
  }

  skip(n: number): void {
    while (n > 0) {
      if (this.i >= this.end && !this.refill()) this.eof(`${n} more bytes to skip`)
      const take = Math.min(n, this.end - this.i)
      this.i += take
      n -= take
    }
  }
}

/** Level sections up to this size are read into memory; larger ones get their own stream. */
const RESIDENT_LEVELS = 4 << 20

/** The sections of one data page (v1 or v2), each as its own cursor. */
export interface DataPageSections {
  /** Slots (level entries) in the page. */
  n: number
  encoding: string
  rep: ByteCursor | null
  def: ByteCursor | null
  values: ByteCursor
}

/**
 * Opens a data page's repetition levels, definition levels and values as independent streams. In a v1
 * page the three follow each other inside one compressed stream, so each gets its own decompressor that
 * skips to its section (small definition-level sections are read into memory on the way instead); in a
 * v2 page the levels are stored uncompressed and only the values go through the codec.
 */
export function openDataPage(
  fd: number,
  loc: PageLocation,
  codec: CompressionCodec,
  maxRep: number,
  maxDef: number,
  residentLevels = RESIDENT_LEVELS,
): DataPageSections {
  const { header, bodyStart, bodyEnd } = loc
  const size = header.uncompressed_page_size
  if (header.type === 'DATA_PAGE') {
    const dph = header.data_page_header
    if (!dph) throw new RangeError('data page without a data page header')
    const open = () => new ByteCursor(pageSource(fd, bodyStart, bodyEnd, codec, size), size)
    let rep: ByteCursor | null = null
    let def: ByteCursor | null = null
    const values = open()
    let repLen = 0
    if (maxRep > 0) {
      rep = open()
      repLen = rep.u32()
      if (repLen > size)
        throw new RangeError(`repetition levels claim ${repLen} bytes of a ${size}-byte page`)
      values.skip(4 + repLen)
    }
    if (maxDef > 0) {
      const defLen = values.u32()
      if (defLen > values.left) {
        throw new RangeError(`definition levels claim ${defLen} bytes, the page has ${values.left} left`)
      }
      if (defLen <= residentLevels) {
        def = new ByteCursor(new BufferSource(values.take(defLen, 'definition levels')), defLen)
      } else {
        def = open()
        def.skip((maxRep > 0 ? 4 + repLen : 0) + 4)
        values.skip(defLen)
      }
    }
    return { n: dph.num_values, encoding: dph.encoding, rep, def, values }
  }
  if (header.type === 'DATA_PAGE_V2') {
    const h2 = header.data_page_header_v2
    if (!h2) throw new RangeError('data page v2 without its header')
    const rl = h2.repetition_levels_byte_length
    const dl = h2.definition_levels_byte_length
    if (!(rl >= 0 && dl >= 0) || bodyStart + rl + dl > bodyEnd || rl + dl > size) {
      throw new RangeError(`level lengths ${rl} + ${dl} exceed the page`)
    }
    const levels = (from: number, len: number) =>
      new ByteCursor(new FileRangeSource(fd, from, from + len, FILE_CHUNK), len)
    const vStart = bodyStart + rl + dl
    const vSize = size - rl - dl
    const values = new ByteCursor(
      pageSource(fd, vStart, bodyEnd, h2.is_compressed === false ? 'UNCOMPRESSED' : codec, vSize),
      vSize,
    )
    return {
      n: h2.num_values,
      encoding: h2.encoding,
      rep: maxRep > 0 ? levels(bodyStart, rl) : null,
      def: maxDef > 0 ? levels(bodyStart + rl, dl) : null,
      values,
    }
  }
  throw new RangeError(`page type ${header.type} is not a data page`)
}
