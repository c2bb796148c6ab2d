/**
 * Writes samples as ReasonSeg's Hugging Face parquet: columns `image` {bytes, path}, `text`, `mask`
 * list<list<bool>> (`mask[y][x]`), `image_id`, `ann_id`, `img_height`, `img_width`, with the schema,
 * optionality and `huggingface` feature metadata that `datasets` (pyarrow) writes; row groups of 100 rows;
 * shards of at most 500 MB.
 *
 * hyparquet-writer (maintained, pure JS) encodes the flat and struct columns, the page headers and the
 * footer. Its generic nested path materialises one JS value plus two level numbers per mask pixel (200 M
 * per row group at 2 MP: gigabytes), so the mask column chunk is assembled here from the RLE runs
 * instead: definition and repetition levels are emitted as a handful of RLE runs per image line, the
 * values as PLAIN bit-packed booleans, one data page v2 per sample, headers and footer still serialised
 * by hyparquet-writer's thrift code.
 *
 * Memory: one row group is buffered (images as read, masks as encoded pages), then written column by
 * column, since parquet stores each column of a row group contiguously.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ByteWriter } from 'hyparquet-writer'
import { writeColumn } from 'hyparquet-writer/src/column.js'
import { writePageHeader } from 'hyparquet-writer/src/datapage.js'
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js'
import { snappyCompress } from 'hyparquet-writer/src/snappy.js'
import type { ColumnEncoder } from 'hyparquet-writer/src/types.js'
import type { Rle } from '../../../shared/domain/rle'
import { forEachColumnSegment } from './columnSegments'

// hyparquet-writer pins its own hyparquet, whose metadata types are the ones its functions take.
type FileMetaData = Parameters<typeof writeMetadata>[1]
type SchemaElement = FileMetaData['schema'][number]
type RowGroup = FileMetaData['row_groups'][number]
type ColumnChunk = RowGroup['columns'][number]

export interface ParquetSample {
  image: Uint8Array
  imagePath: string | null
  text: string
  imageId: string
  annId: string
  mask: Rle
}

export const ROW_GROUP_ROWS = 100
export const MAX_SHARD_BYTES = 500 * 1000 * 1000

/** The features block of ReasonSeg's dataset card, as `datasets` stores it in the schema metadata. */
export const HF_FEATURES = {
  image: { _type: 'Image' },
  text: { dtype: 'string', _type: 'Value' },
  mask: {
    feature: { feature: { dtype: 'bool', _type: 'Value' }, _type: 'Sequence' },
    _type: 'Sequence',
  },
  image_id: { dtype: 'string', _type: 'Value' },
  ann_id: { dtype: 'string', _type: 'Value' },
  img_height: { dtype: 'int64', _type: 'Value' },
  img_width: { dtype: 'int64', _type: 'Value' },
} as const

/** pyarrow's layout for the features above (every field OPTIONAL, 3-level lists named list/element). */
const SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: 7 },
  { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8' },
  { name: 'text', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8' },
  { name: 'mask', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'image_id', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8' },
  { name: 'ann_id', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8' },
  { name: 'img_height', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'img_width', type: 'INT64', repetition_type: 'OPTIONAL' },
]
const MASK_PATH = ['mask', 'list', 'element', 'list', 'element']
const MASK_MAX_DEF = 5
const MASK_MAX_REP = 2

/** hyparquet-writer's ByteWriter, flushed to a file descriptor whenever it holds more than 4 MB. */
class FileSink extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1 << 22)
  }

  override ensure(size: number): void {
    if (this.index > 1 << 22) this.flushToFile()
    super.ensure(size)
  }

  flushToFile(): void {
    let at = 0
    while (at < this.index) at += fs.writeSync(this.fd, new Uint8Array(this.buffer, at, this.index - at))
    this.index = 0
  }

  override finish(): void {
    this.flushToFile()
  }
}

/** RLE runs of the RLE/bit-packed hybrid encoding (run header, then the value in ceil(width/8) bytes). */
function levelRun(w: ByteWriter, value: number, count: number): void {
  if (count <= 0) return
  w.appendVarInt(count * 2)
  w.appendUint8(value)
}

/**
 * PLAIN booleans (bit i of byte i >> 3, LSB first) in row-major order, straight from the column-major
 * runs without a dense pixel array: each column's runs become toggle events at the image rows where they
 * start and end; sweeping the rows top to bottom keeps the current row's bits in a w-bit set (toggled
 * at the events) that is OR-ed into the output at bit offset y * w. Cost O(runs + h * w / 8), where
 * decoding to dense row-major bytes and packing them cost O(h * w) with strided writes (4–6 ms at 2 MP).
 */
export function rowMajorBits(mask: Rle): Uint8Array {
  const { h, w } = mask
  // Toggle events per image row, as CSR arrays (first pass counts, second fills).
  const perRow = new Uint32Array(h + 1)
  forEachColumnSegment(mask, (_x, y0, y1) => {
    perRow[y0]++
    if (y1 < h) perRow[y1]++
  })
  const start = new Uint32Array(h + 1)
  for (let y = 0; y < h; y++) start[y + 1] = start[y] + perRow[y]
  const cols = new Uint32Array(start[h])
  const fill = start.slice(0, h)
  forEachColumnSegment(mask, (x, y0, y1) => {
    cols[fill[y0]++] = x
    if (y1 < h) cols[fill[y1]++] = x
  })
  const rowBytes = (w + 7) >> 3
  const cur = new Uint8Array(rowBytes)
  const bits = new Uint8Array((h * w + 7) >> 3)
  for (let y = 0; y < h; y++) {
    for (let e = start[y]; e < start[y + 1]; e++) cur[cols[e] >> 3] ^= 1 << (cols[e] & 7)
    const bit = y * w
    const base = bit >> 3
    const shift = bit & 7
    if (shift === 0) {
      for (let i = 0; i < rowBytes; i++) bits[base + i] |= cur[i]
    } else {
      // Bits past w in `cur` are always 0, so the spill into the next row's first byte adds nothing.
      for (let i = 0; i < rowBytes; i++) {
        const v = cur[i]
        bits[base + i] |= (v << shift) & 0xff
        if (base + i + 1 < bits.length) bits[base + i + 1] |= v >> (8 - shift)
      }
    }
  }
  return bits
}

/**
 * One sample's mask as a complete data page v2: repetition levels (0 for the first pixel of the row, 1
 * for the first pixel of each further image line, 2 otherwise), definition levels (all 5: nothing is
 * null), values PLAIN bit-packed in row-major order, SNAPPY-compressed.
 */
export function encodeMaskPage(mask: Rle): { bytes: Uint8Array; values: number; uncompressed: number } {
  const { h, w } = mask
  if (h === 0 || w === 0) throw new Error(`mask of ${h}x${w} pixels cannot be written as list<list<bool>>`)
  const levels = new ByteWriter(64 + h * 8)
  levelRun(levels, 0, 1)
  levelRun(levels, MASK_MAX_REP, w - 1)
  for (let y = 1; y < h; y++) {
    levelRun(levels, 1, 1)
    levelRun(levels, MASK_MAX_REP, w - 1)
  }
  const repBytes = levels.offset
  levelRun(levels, MASK_MAX_DEF, h * w)
  const defBytes = levels.offset - repBytes
  const n = h * w
  const bits = rowMajorBits(mask)
  const compressed = snappyCompress(bits)
  const page = new ByteWriter(compressed.length + levels.offset + 64)
  writePageHeader(page, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levels.offset + bits.length,
    compressed_page_size: levels.offset + compressed.length,
    data_page_header_v2: {
      num_values: n,
      num_nulls: 0,
      num_rows: 1,
      encoding: 'PLAIN',
      definition_levels_byte_length: defBytes,
      repetition_levels_byte_length: repBytes,
      is_compressed: true,
    },
  })
  const headerBytes = page.offset
  page.appendBytes(levels.getBytes())
  page.appendBytes(compressed)
  return {
    bytes: page.getBytes().slice(),
    values: n,
    uncompressed: headerBytes + levels.offset + bits.length,
  }
}

interface BufferedRow {
  image: Uint8Array
  imagePath: string | null
  text: string
  imageId: string
  annId: string
  h: number
  w: number
  maskPage: { bytes: Uint8Array; values: number; uncompressed: number }
}

/** One shard file being written. */
class ShardFile {
  private readonly fd: number
  private readonly sink: FileSink
  private readonly rowGroups: RowGroup[] = []
  private rows = 0
  private readonly resolve = schemaPathResolver(SCHEMA)

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx')
    this.sink = new FileSink(this.fd)
    this.sink.appendUint32(0x31524150) // PAR1
  }

  get bytes(): number {
    return this.sink.offset
  }

  get rowCount(): number {
    return this.rows
  }

  writeRowGroup(rows: BufferedRow[]): void {
    const start = this.sink.offset
    const columns: ColumnChunk[] = []
    const flat = (path: string[], data: unknown[], opts: Partial<ColumnEncoder> = {}) => {
      const leaf = this.resolve(path)
      const schemaPath = leaf.map((n) => n.element)
      const column: ColumnEncoder = {
        columnName: path.join('.'),
        element: schemaPath[schemaPath.length - 1],
        schemaPath,
        codec: 'SNAPPY',
        compressors: { SNAPPY: snappyCompress },
        stats: true,
        pageSize: 1 << 20,
        columnIndex: false,
        offsetIndex: false,
        ...opts,
      }
      const pageData = encodeNestedValues(leaf, data as never)
      columns.push(writeColumn({ writer: this.sink, column, pageData }).chunk)
    }
    const images = rows.map((r) => ({ bytes: r.image, path: r.imagePath }))
    // Encoded images do not compress and their min/max statistics are meaningless.
    flat(['image', 'bytes'], images, { codec: 'UNCOMPRESSED', stats: false, encoding: 'PLAIN' })
    flat(['image', 'path'], images)
    flat(
      ['text'],
      rows.map((r) => r.text),
    )
    columns.push(this.writeMask(rows))
    flat(
      ['image_id'],
      rows.map((r) => r.imageId),
    )
    flat(
      ['ann_id'],
      rows.map((r) => r.annId),
    )
    flat(
      ['img_height'],
      rows.map((r) => BigInt(r.h)),
    )
    flat(
      ['img_width'],
      rows.map((r) => BigInt(r.w)),
    )
    let totalBytes = 0n
    for (const c of columns) totalBytes += c.meta_data?.total_uncompressed_size ?? 0n
    this.rowGroups.push({
      columns,
      total_byte_size: totalBytes,
      num_rows: BigInt(rows.length),
      total_compressed_size: BigInt(this.sink.offset - start),
    })
    this.rows += rows.length
    this.sink.flushToFile()
  }

  private writeMask(rows: BufferedRow[]): ColumnChunk {
    const start = this.sink.offset
    let values = 0
    let uncompressed = 0
    for (const r of rows) {
      this.sink.appendBytes(r.maskPage.bytes)
      values += r.maskPage.values
      uncompressed += r.maskPage.uncompressed
    }
    return {
      file_offset: BigInt(start),
      meta_data: {
        type: 'BOOLEAN',
        encodings: ['PLAIN', 'RLE'],
        path_in_schema: MASK_PATH,
        codec: 'SNAPPY',
        num_values: BigInt(values),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(this.sink.offset - start),
        data_page_offset: BigInt(start),
      },
    }
  }

  close(): void {
    const metadata: FileMetaData = {
      version: 2,
      schema: SCHEMA,
      num_rows: BigInt(this.rows),
      row_groups: this.rowGroups,
      metadata_length: 0,
      key_value_metadata: [
        { key: 'huggingface', value: JSON.stringify({ info: { features: HF_FEATURES } }) },
      ],
      created_by: 'ReSeg Inspector (hyparquet-writer)',
    }
    // hyparquet-writer computes the length itself; it must not be serialised as a field.
    delete (metadata as Partial<FileMetaData>).metadata_length
    writeMetadata(this.sink, metadata)
    this.sink.appendUint32(0x31524150)
    this.sink.finish()
    fs.fsyncSync(this.fd)
    fs.closeSync(this.fd)
  }

  abort(): void {
    try {
      fs.closeSync(this.fd)
    } catch {
      // already closed
    }
  }
}

/**
 * Streams samples of one split into `dir/data/<split>-0000k-of-0000n.parquet`: rows are buffered up to a
 * row group, row groups go to the current shard until the next one would push it past `maxShardBytes` (a
 * single row group larger than that gets a shard of its own: parquet cannot split a row group).
 */
export class HfParquetDatasetWriter {
  private readonly pending: BufferedRow[] = []
  private pendingBytes = 0
  private shard: ShardFile | null = null
  private readonly shards: { file: string; rows: number }[] = []
  private readonly dataDir: string

  constructor(
    dir: string,
    private readonly split: string,
    private readonly opts: { rowGroupRows?: number; maxShardBytes?: number } = {},
  ) {
    this.dataDir = path.join(dir, 'data')
    fs.mkdirSync(this.dataDir, { recursive: true })
  }

  add(s: ParquetSample): void {
    const maskPage = encodeMaskPage(s.mask)
    this.pending.push({
      image: s.image,
      imagePath: s.imagePath,
      text: s.text,
      imageId: s.imageId,
      annId: s.annId,
      h: s.mask.h,
      w: s.mask.w,
      maskPage,
    })
    this.pendingBytes += s.image.length + maskPage.bytes.length + s.text.length + 64
    if (this.pending.length >= (this.opts.rowGroupRows ?? ROW_GROUP_ROWS)) this.flushGroup()
  }

  private flushGroup(): void {
    if (this.pending.length === 0) return
    const limit = this.opts.maxShardBytes ?? MAX_SHARD_BYTES
    if (this.shard && this.shard.rowCount > 0 && this.shard.bytes + this.pendingBytes > limit) {
      this.closeShard()
    }
    if (!this.shard) {
      this.shard = new ShardFile(path.join(this.dataDir, `.shard-${this.shards.length}.parquet`))
    }
    this.shard.writeRowGroup(this.pending)
    this.pending.length = 0
    this.pendingBytes = 0
  }

  private closeShard(): void {
    if (!this.shard) return
    this.shard.close()
    this.shards.push({ file: this.shard.file, rows: this.shard.rowCount })
    this.shard = null
  }

  /** Writes what is buffered, closes the last shard and gives the shards their final names. */
  finish(): { files: string[]; rows: number } {
    this.flushGroup()
    this.closeShard()
    const n = this.shards.length
    const pad = (k: number) => String(k).padStart(5, '0')
    const files = this.shards.map((s, k) => {
      const name = path.join(this.dataDir, `${this.split}-${pad(k)}-of-${pad(n)}.parquet`)
      fs.renameSync(s.file, name)
      return name
    })
    return { files, rows: this.shards.reduce((a, s) => a + s.rows, 0) }
  }

  /** Closes an open shard without finishing it (the caller deletes the temporary folder). */
  abort(): void {
    this.shard?.abort()
    this.shard = null
  }
}
