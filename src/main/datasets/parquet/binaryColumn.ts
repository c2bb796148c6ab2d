/**
 * Reads a flat BYTE_ARRAY column (the image bytes) one value at a time from streamed pages, so a page
 * holding hundreds of images (DuckDB writes one page per column chunk) never sits in memory: peak is one
 * image plus the stream buffers. PLAIN, dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY) and
 * DELTA_LENGTH_BYTE_ARRAY values, data pages v1 and v2, every codec of pageBytes.ts.
 */
import fs from 'node:fs'
import type { ColumnDecoder } from 'hyparquet/src/types.js'
import { readPlain } from 'hyparquet/src/plain.js'
import { openDataPage, type ByteCursor } from './pageBytes'
import { ParquetFormatError, decompress, type PageStream } from './pageStream'
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
  private dictionary: Uint8Array[] | null = null
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
          const body = new Uint8Array(loc.bodyEnd - loc.bodyStart)
          readFully(this.pages.fd, body, loc.bodyStart)
          const page = decompress(body, h.uncompressed_page_size, this.decoder.codec)
          const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }
          const n = h.dictionary_page_header?.num_values ?? 0
          const plain = readPlain(reader, 'BYTE_ARRAY', n, undefined) as Uint8Array[]
          this.dictionary = plain.map((v) => v.slice())
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
      const dict = this.dictionary as Uint8Array[]
      const k = this.val.a[0]
      if (k >= dict.length) throw new RangeError(`dictionary index ${k} is past its ${dict.length} entries`)
      return dict[k]
    }
    if (st.lengths) {
      if (st.li >= st.lengths.length) throw new RangeError('more values than declared lengths')
      const len = st.lengths[st.li++]
      if (len < 0) throw new RangeError(`negative value length ${len}`)
      return st.values.take(len, 'a value')
    }
    return st.values.take(st.values.u32(), 'a value')
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

function readFully(fd: number, dst: Uint8Array, at: number): void {
  let got = 0
  while (got < dst.length) {
    const r = fs.readSync(fd, dst, got, dst.length - got, at + got)
    if (r === 0) throw new RangeError(`the file ends at byte ${at + got}, inside a page`)
    got += r
  }
}
