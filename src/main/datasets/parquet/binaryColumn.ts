/**
 * Reads a flat BYTE_ARRAY column (the image bytes) one value at a time from streamed pages, so a page
 * holding hundreds of images (DuckDB writes one page per column chunk) never sits in memory: peak is one
 * image plus the stream buffers. PLAIN, dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY) and
 * DELTA_LENGTH_BYTE_ARRAY values, data pages v1 and v2, every codec of pageBytes.ts. DuckDB
 * dictionary-encodes an image column with repeated images, putting every distinct image in one
 * dictionary page: a large dictionary is spilled to a temporary file and read back entry by entry.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ColumnDecoder } from 'hyparquet/src/types.js'
import { ByteCursor, openDataPage, pageSource, readFully } from './pageBytes'
import { ParquetFormatError, type PageLocation, type PageStream } from './pageStream'
import { Growable32, HybridStream, readDeltaBinaryPacked } from './streamDecoders'

interface PageState {
  offset: number
  /** Value slots left in the page. */
  left: number
  def: HybridStream | null
  values: ByteCursor
  encoding: string
  indices: HybridStream | null
  lengths: number[] | null
  li: number
}

export class BinaryColumnReader {
  private page: PageState | null = null
  private dictionary: Dictionary | null = null
  private readonly pos = new Growable32(8)
  private readonly val = new Growable32(8)

  constructor(
    private readonly pages: PageStream,
    private readonly decoder: ColumnDecoder,
    private readonly maxDef: number,
    private readonly file: string,
  ) {}

  private get column(): string {
    return this.decoder.pathInSchema.join('.')
  }

  /** The next row's value (a fresh copy), or null where the row holds none. */
  async next(): Promise<Uint8Array | null> {
    while (!this.page || this.page.left === 0) {
      const loc = await this.pages.nextHeader()
      if (!loc) throw new ParquetFormatError(`${this.file}: column ${this.column} ends early`)
      this.guard(loc.offset, () => {
        const h = loc.header
        if (h.type === 'DICTIONARY_PAGE') {
          this.dictionary?.close()
          this.dictionary = null
          this.dictionary = readDictionary(this.pages.fd, loc, this.decoder.codec)
          this.page = null
        } else if (h.type === 'DATA_PAGE' || h.type === 'DATA_PAGE_V2') {
          this.page = this.open(loc)
        }
      })
    }
    const st = this.page
    return this.guard(st.offset, () => this.value(st))
  }

  private open(loc: Parameters<typeof openDataPage>[1]): PageState {
    const s = openDataPage(this.pages.fd, loc, this.decoder.codec, 0, this.maxDef)
    const st: PageState = {
      offset: loc.offset,
      left: s.n,
      def: s.def ? new HybridStream(s.def, 32 - Math.clz32(this.maxDef)) : null,
      values: s.values,
      encoding: s.encoding,
      indices: null,
      lengths: null,
      li: 0,
    }
    if (s.encoding === 'PLAIN_DICTIONARY' || s.encoding === 'RLE_DICTIONARY') {
      if (!this.dictionary) throw new RangeError('dictionary-encoded page without a dictionary page')
      st.indices = new HybridStream(s.values, s.values.byte())
    } else if (s.encoding === 'DELTA_LENGTH_BYTE_ARRAY') {
      st.lengths = readDeltaBinaryPacked(s.values, s.n)
    } else if (s.encoding !== 'PLAIN') {
      throw new RangeError(`values use encoding ${s.encoding}, expected PLAIN, dictionary or DELTA_LENGTH`)
    }
    return st
  }

  private value(st: PageState): Uint8Array | null {
    st.left--
    if (st.def) {
      this.pos.n = 0
      this.val.n = 0
      st.def.scan(1, this.maxDef, this.pos, this.val, 0)
      if (this.pos.n > 0) return null
    }
    if (st.indices) {
      this.pos.n = 0
      this.val.n = 0
      st.indices.scan(1, -1, this.pos, this.val, 0)
      return (this.dictionary as Dictionary).get(this.val.a[0])
    }
    if (st.lengths) {
      if (st.li >= st.lengths.length) throw new RangeError('more values than declared lengths')
      const len = st.lengths[st.li++]
      if (len < 0) throw new RangeError(`negative value length ${len}`)
      return st.values.take(len, 'a value')
    }
    return st.values.take(st.values.u32(), 'a value')
  }

  /** Removes the spilled dictionary, if any. */
  close(): void {
    this.dictionary?.close()
    this.dictionary = null
  }

  private guard<T>(offset: number, f: () => T): T {
    try {
      return f()
    } catch (err) {
      if (err instanceof ParquetFormatError) throw err
      throw new ParquetFormatError(
        `${this.file}: corrupt page at byte ${offset} in column ${this.column}: ${(err as Error).message}`,
      )
    }
  }
}

/** Dictionaries up to this size stay in memory; larger ones go to a temporary file. */
const RESIDENT_DICTIONARY = 16 << 20

interface Dictionary {
  get(k: number): Uint8Array
  close(): void
}

/** Streams a PLAIN byte-array dictionary page into memory or, when large, into a temporary file. */
function readDictionary(fd: number, loc: PageLocation, codec: ColumnDecoder['codec']): Dictionary {
  const size = loc.header.uncompressed_page_size
  const n = loc.header.dictionary_page_header?.num_values ?? 0
  const cur = new ByteCursor(pageSource(fd, loc.bodyStart, loc.bodyEnd, codec, size), size)
  if (n < 0 || n > size / 4) throw new RangeError(`dictionary of ${n} entries in ${size} bytes`)
  if (size <= RESIDENT_DICTIONARY) {
    const entries: Uint8Array[] = []
    for (let k = 0; k < n; k++) entries.push(cur.take(cur.u32(), 'a dictionary entry'))
    return {
      get: (k) => {
        if (k >= entries.length)
          throw new RangeError(`dictionary index ${k} is past its ${entries.length} entries`)
        return entries[k]
      },
      close: () => undefined,
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-dict-'))
  const file = path.join(dir, 'dictionary.bin')
  const out = fs.openSync(file, 'w+')
  const remove = () => {
    fs.closeSync(out)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    const offsets = new Float64Array(n + 1)
    let pos = 0
    for (let k = 0; k < n; k++) {
      let len = cur.u32()
      if (len > cur.left)
        throw new RangeError(`dictionary entry ${k} claims ${len} bytes, the page has ${cur.left} left`)
      offsets[k] = pos
      while (len > 0) {
        if (cur.i >= cur.end && !cur.refill()) throw new RangeError('dictionary page ends early')
        const take = Math.min(len, cur.end - cur.i)
        fs.writeSync(out, cur.buf, cur.i, take, pos)
        cur.i += take
        pos += take
        len -= take
      }
    }
    offsets[n] = pos
    return {
      get: (k) => {
        if (k >= n) throw new RangeError(`dictionary index ${k} is past its ${n} entries`)
        const b = new Uint8Array(offsets[k + 1] - offsets[k])
        readFully(out, b, offsets[k])
        return b
      },
      close: remove,
    }
  } catch (err) {
    remove()
    throw err
  }
}
