/**
 * Reads the pages of one parquet column chunk from a file handle, one page at a time, through a
 * bounded read-ahead buffer: memory stays at about one page plus the read-ahead, whatever the size of
 * the row group. Page headers are parsed with hyparquet's thrift reader; decompression uses the codec
 * named in the column metadata (hyparquet-compressors' WebAssembly snappy/zstd/... where available).
 */
import type { FileHandle } from 'node:fs/promises'
import { compressors } from 'hyparquet-compressors'
import { parquetHeader } from 'hyparquet/src/column.js'
import { decompressPage } from 'hyparquet/src/datapage.js'
import type { ColumnMetaData, CompressionCodec, PageHeader } from 'hyparquet'

const READ_AHEAD = 4 << 20
const HEADER_PROBE = 64 << 10

export interface RawPage {
  header: PageHeader
  /** The page body as stored (compressed); valid until the next `next()` call. */
  body: Uint8Array
  /** Absolute file offset of the page header, for error messages. */
  offset: number
}

/** A page header and the file range of its (still compressed) body. */
export interface PageLocation {
  header: PageHeader
  offset: number
  bodyStart: number
  bodyEnd: number
}

export class ParquetFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ParquetFormatError'
  }
}

export function columnChunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const dataStart = Number(meta.data_page_offset)
  const dictStart =
    meta.dictionary_page_offset === undefined ? dataStart : Number(meta.dictionary_page_offset)
  // Some writers set dictionary_page_offset to 0 when there is no dictionary.
  const start = dictStart > 0 && dictStart < dataStart ? dictStart : dataStart
  return { start, end: start + Number(meta.total_compressed_size) }
}

export class PageStream {
  private buf: Uint8Array = new Uint8Array(0)
  /** File offset of buf[0]. */
  private bufPos = 0
  private bufLen = 0
  /** File offset of the next page header. */
  private pos: number

  constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly fileSize: number,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start
    if (end > fileSize) {
      throw new ParquetFormatError(
        `${file}: column chunk ends at byte ${end} but the file has ${fileSize} bytes (truncated file?)`,
      )
    }
  }

  get done(): boolean {
    return this.pos >= this.end
  }

  /** The file descriptor, for the page-body streams that read a large page piece by piece. */
  get fd(): number {
    return this.fh.fd
  }

  async next(): Promise<RawPage | null> {
    const page = await this.nextHeader()
    if (!page) return null
    await this.ensure(page.bodyStart, page.bodyEnd - page.bodyStart)
    const start = page.bodyStart - this.bufPos
    return {
      header: page.header,
      body: this.buf.subarray(start, start + page.bodyEnd - page.bodyStart),
      offset: page.offset,
    }
  }

  /** The next page's header and where its body lies, without reading the body. */
  async nextHeader(): Promise<PageLocation | null> {
    if (this.pos >= this.end) return null
    const offset = this.pos
    let header: PageHeader
    let headerLen: number
    let probe = Math.min(HEADER_PROBE, this.end - offset)
    for (;;) {
      await this.ensure(offset, probe)
      const view = new DataView(this.buf.buffer, this.buf.byteOffset + (offset - this.bufPos), probe)
      const reader = { view, offset: 0 }
      try {
        header = parquetHeader(reader)
        headerLen = reader.offset
        break
      } catch (err) {
        // A header larger than the probe (huge statistics) reads past the view: retry with more bytes.
        if (probe < this.end - offset && err instanceof RangeError) {
          probe = Math.min(probe * 4, this.end - offset)
          continue
        }
        throw new ParquetFormatError(
          `${this.file}: unreadable page header at byte ${offset}: ${(err as Error).message}`,
        )
      }
    }
    const size = header.compressed_page_size
    if (!(size >= 0) || offset + headerLen + size > this.end) {
      throw new ParquetFormatError(
        `${this.file}: page at byte ${offset} claims ${size ?? 'no'} bytes` +
          (size === undefined
            ? ' (corrupt page header)'
            : ', past the end of its column chunk (corrupt file?)'),
      )
    }
    if (!(header.uncompressed_page_size >= 0)) {
      throw new ParquetFormatError(
        `${this.file}: page at byte ${offset} claims ${header.uncompressed_page_size} uncompressed bytes (corrupt file?)`,
      )
    }
    this.pos = offset + headerLen + size
    return { header, offset, bodyStart: offset + headerLen, bodyEnd: this.pos }
  }

  /** Makes [at, at+len) resident in the buffer, reading ahead up to the chunk end. */
  private async ensure(at: number, len: number): Promise<void> {
    if (at >= this.bufPos && at + len <= this.bufPos + this.bufLen) return
    const want = Math.min(Math.max(len, READ_AHEAD), this.end - at)
    const keepFrom = at - this.bufPos
    const keep = keepFrom >= 0 && keepFrom < this.bufLen ? this.bufLen - keepFrom : 0
    let target = this.buf
    if (want > target.length) target = new Uint8Array(Math.max(want, READ_AHEAD))
    if (keep > 0 && target === this.buf) target.copyWithin(0, keepFrom, keepFrom + keep)
    else if (keep > 0) target.set(this.buf.subarray(keepFrom, keepFrom + keep))
    let filled = keep
    while (filled < want) {
      const { bytesRead } = await this.fh.read(target, filled, want - filled, at + filled)
      if (bytesRead === 0) {
        throw new ParquetFormatError(
          `${this.file}: unexpected end of file at byte ${at + filled} (truncated file?)`,
        )
      }
      filled += bytesRead
    }
    this.buf = target
    this.bufPos = at
    this.bufLen = filled
  }
}

/** Decompresses a v1 page body (or a v2 page's values section) with the chunk's codec. */
export function decompress(body: Uint8Array, uncompressedSize: number, codec: CompressionCodec): Uint8Array {
  return decompressPage(body, uncompressedSize, codec, compressors)
}
