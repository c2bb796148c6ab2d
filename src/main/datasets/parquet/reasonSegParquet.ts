/**
 * Streaming reader for ReasonSeg in Hugging Face parquet (`image` struct {bytes, path}, `text`, `mask`
 * list<list<bool>>, `image_id`, `ann_id`, `img_height`, `img_width`). Reads the footer, then walks each
 * row group with one page stream per column: the small columns are decoded whole (a few KB), the image
 * column one page at a time, the mask column straight into RLE (maskColumn.ts). Peak memory is a few
 * pages, whatever the file or row-group size.
 */
import fs from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { parquetMetadata, parquetSchema } from 'hyparquet'
import type {
  ColumnChunk,
  ColumnDecoder,
  DecodedArray,
  FileMetaData,
  SchemaTree,
} from 'hyparquet/src/types.js'
import { DEFAULT_PARSERS, convert, convertWithDictionary } from 'hyparquet/src/convert.js'
import { readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js'
import { readPlain } from 'hyparquet/src/plain.js'
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getTreePath } from 'hyparquet/src/schema.js'
import { compressors } from 'hyparquet-compressors'
import type { Rle } from '../../../shared/domain/rle'
import { BinaryColumnReader } from './binaryColumn'
import { MaskColumnReader } from './maskColumn'
import { PageStream, ParquetFormatError, columnChunkRange, decompress } from './pageStream'

export interface ReasonSegRow {
  /** Row index in the file (0-based), for error messages. */
  row: number
  imageId: string
  annId: string
  query: string
  /** Encoded image (JPEG/PNG); a view that is only valid until the next row is requested. */
  imageBytes: Uint8Array
  imagePath: string | null
  imgHeight: number
  imgWidth: number
  mask: Rle
}

export interface ParquetRowError {
  row: number
  imageId: string | null
  message: string
}

export { ParquetFormatError }

/** Reads and parses the footer through a file handle (never the whole file). */
export async function readFooter(
  fh: FileHandle,
  file: string,
): Promise<{ metadata: FileMetaData; size: number }> {
  const { size } = await fh.stat()
  if (size < 12) throw new ParquetFormatError(`${file}: ${size} bytes is too short for a parquet file`)
  const head = Buffer.alloc(4)
  await fh.read(head, 0, 4, 0)
  const tail = Buffer.alloc(8)
  await fh.read(tail, 0, 8, size - 8)
  if (head.toString('latin1') !== 'PAR1')
    throw new ParquetFormatError(`${file}: not a parquet file (no PAR1 magic at the start)`)
  if (tail.toString('latin1', 4) !== 'PAR1') {
    throw new ParquetFormatError(
      `${file}: no parquet footer (PAR1 missing at the end): the file is truncated or corrupt`,
    )
  }
  const metaLen = tail.readUInt32LE(0)
  if (metaLen + 12 > size) {
    throw new ParquetFormatError(
      `${file}: footer claims ${metaLen} bytes of metadata, more than the file holds (corrupt)`,
    )
  }
  const footer = Buffer.alloc(metaLen + 8)
  await fh.read(footer, 0, metaLen + 8, size - 8 - metaLen)
  let metadata: FileMetaData
  try {
    // No GeoParquet pass: hyparquet's loops forever on a negative child count in a corrupt schema.
    metadata = parquetMetadata(footer, { geoparquet: false })
  } catch (err) {
    throw new ParquetFormatError(`${file}: unreadable parquet footer: ${(err as Error).message}`)
  }
  checkSchemaShape(metadata, file)
  return { metadata, size }
}

/**
 * The flattened schema must describe one tree: every child count a non-negative integer and the
 * children of each node present. hyparquet assumes so and fails obscurely (or not at all) otherwise.
 */
function checkSchemaShape(metadata: FileMetaData, file: string): void {
  const schema = metadata.schema
  if (!Array.isArray(schema) || schema.length === 0) {
    throw new ParquetFormatError(`${file}: corrupt parquet footer: the schema is empty`)
  }
  // Children still expected at each open level, walked iteratively (no recursion on untrusted depth).
  const open: number[] = []
  for (let i = 0; i < schema.length; i++) {
    const n = schema[i].num_children ?? 0
    if (!Number.isInteger(n) || n < 0 || n > schema.length) {
      throw new ParquetFormatError(
        `${file}: corrupt parquet footer: schema element ${i} (${String(schema[i].name)}) claims ${n} children`,
      )
    }
    if (i > 0) {
      if (open.length === 0) {
        throw new ParquetFormatError(
          `${file}: corrupt parquet footer: schema element ${i} is outside the tree`,
        )
      }
      open[open.length - 1]--
    }
    if (n > 0) open.push(n)
    while (open.length > 0 && open[open.length - 1] === 0) open.pop()
  }
  if (open.length > 0) {
    throw new ParquetFormatError(
      `${file}: corrupt parquet footer: the schema ends before all of its children (${open.join(', ')} missing)`,
    )
  }
}

const REQUIRED = ['text', 'mask', 'image_id', 'ann_id', 'img_height', 'img_width'] as const

interface ColumnInfo {
  chunkIndex: number
  decoder: ColumnDecoder
  maxDef: number
  maxRep: number
}

/** Physical types each column may have (strings and image bytes are byte arrays, sizes integers). */
const PHYSICAL: Record<string, string[]> = {
  text: ['BYTE_ARRAY'],
  image_id: ['BYTE_ARRAY'],
  ann_id: ['BYTE_ARRAY', 'INT32', 'INT64'],
  img_height: ['INT32', 'INT64'],
  img_width: ['INT32', 'INT64'],
  image: ['BYTE_ARRAY'],
  image_path: ['BYTE_ARRAY'],
}

/** Locates the leaf columns we need and checks their shapes against the ReasonSeg schema. */
function resolveColumns(metadata: FileMetaData, file: string): Record<string, ColumnInfo> {
  try {
    return resolveColumnsUnchecked(metadata, file)
  } catch (err) {
    if (err instanceof ParquetFormatError) throw err
    // A footer that parses but does not hold together (a flipped bit in a path or a type).
    throw new ParquetFormatError(`${file}: corrupt parquet footer: ${(err as Error).message}`)
  }
}

function resolveColumnsUnchecked(metadata: FileMetaData, file: string): Record<string, ColumnInfo> {
  const tree = parquetSchema(metadata)
  const top = new Set(tree.children.map((c) => c.element.name))
  const missing = [...REQUIRED, 'image'].filter((c) => !top.has(c))
  if (missing.length) {
    throw new ParquetFormatError(
      `${file}: not a ReasonSeg parquet: missing column(s) ${missing.join(', ')} (has ${[...top].join(', ')})`,
    )
  }
  const leaves: Record<string, string[]> = {
    text: ['text'],
    image_id: ['image_id'],
    ann_id: ['ann_id'],
    img_height: ['img_height'],
    img_width: ['img_width'],
  }
  const image = tree.children.find((c) => c.element.name === 'image') as SchemaTree
  if (image.children.length) {
    leaves.image = ['image', 'bytes']
    if (image.children.some((c) => c.element.name === 'path')) leaves.image_path = ['image', 'path']
  } else leaves.image = ['image']
  const mask = firstLeaf(tree.children.find((c) => c.element.name === 'mask') as SchemaTree)
  leaves.mask = mask.path
  const columns = metadata.row_groups[0]?.columns ?? []
  const out: Record<string, ColumnInfo> = {}
  for (const [key, leafPath] of Object.entries(leaves)) {
    const chunkIndex = columns.findIndex((c) => c.meta_data?.path_in_schema.join('.') === leafPath.join('.'))
    if (chunkIndex < 0 && metadata.row_groups.length > 0) {
      throw new ParquetFormatError(`${file}: no column chunk for ${leafPath.join('.')}`)
    }
    const schemaPath = getTreePath(tree, leafPath)
    const element = schemaPath[schemaPath.length - 1].element
    out[key] = {
      chunkIndex,
      maxDef: getMaxDefinitionLevel(schemaPath),
      maxRep: getMaxRepetitionLevel(schemaPath),
      decoder: {
        pathInSchema: leafPath,
        type: element.type as ColumnDecoder['type'],
        element,
        schemaPath,
        codec: 'UNCOMPRESSED',
        parsers: DEFAULT_PARSERS,
        compressors,
        // Image bytes must stay binary; strings are decoded here (asString), whatever their annotation.
        utf8: false,
      },
    }
    if (key !== 'mask' && out[key].maxRep !== 0) {
      throw new ParquetFormatError(
        `${file}: column ${leafPath.join('.')} is a list, expected one value per row`,
      )
    }
    const allowed = PHYSICAL[key]
    if (allowed && !allowed.includes(String(element.type))) {
      throw new ParquetFormatError(
        `${file}: column ${leafPath.join('.')} holds ${String(element.type)}, expected ${allowed.join(' or ')}`,
      )
    }
  }
  if (out.mask.decoder.type !== 'BOOLEAN') {
    throw new ParquetFormatError(
      `${file}: column mask holds ${out.mask.decoder.type}, expected list<list<bool>>`,
    )
  }
  return out
}

function firstLeaf(node: SchemaTree): SchemaTree {
  return node.children.length ? firstLeaf(node.children[0]) : node
}

/** Decodes a column with at most one value per row, page by page. Values are hyparquet's rich types. */
class FlatColumnReader {
  private dictionary: DecodedArray | undefined
  private queue: unknown[] = []
  private qi = 0

  constructor(
    private readonly pages: PageStream,
    private readonly decoder: ColumnDecoder,
    private readonly maxDef: number,
    private readonly file: string,
  ) {}

  async next(): Promise<unknown> {
    while (this.qi >= this.queue.length) {
      const page = await this.pages.next()
      if (!page)
        throw new ParquetFormatError(`${this.file}: column ${this.decoder.pathInSchema.join('.')} ends early`)
      this.queue = this.decodePage(page.header, page.body, page.offset)
      this.qi = 0
    }
    return this.queue[this.qi++]
  }

  async all(rows: number): Promise<unknown[]> {
    const out: unknown[] = []
    for (let i = 0; i < rows; i++) out.push(await this.next())
    return out
  }

  private decodePage(header: import('hyparquet').PageHeader, body: Uint8Array, offset: number): unknown[] {
    const d = this.decoder
    try {
      if (header.type === 'DICTIONARY_PAGE') {
        const page = decompress(body, header.uncompressed_page_size, d.codec)
        const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }
        const n = header.dictionary_page_header?.num_values ?? 0
        // Copied: the page buffer is reused once the next page is read.
        const plain = readPlain(reader, d.type, n, d.element.type_length)
        const owned = Array.isArray(plain)
          ? plain.map((v) => (v instanceof Uint8Array ? v.slice() : v))
          : plain
        this.dictionary = convert(owned as DecodedArray, d)
        return []
      }
      let levels: { definitionLevels: number[] | undefined; dataPage: DecodedArray }
      let encoding: string
      if (header.type === 'DATA_PAGE') {
        const dph = header.data_page_header
        if (!dph) throw new Error('missing data page header')
        const page = decompress(body, header.uncompressed_page_size, d.codec)
        levels = readDataPage(page, dph, d)
        encoding = dph.encoding
      } else if (header.type === 'DATA_PAGE_V2') {
        levels = readDataPageV2(body, header, d)
        encoding = header.data_page_header_v2?.encoding ?? 'PLAIN'
      } else {
        return []
      }
      const values = convertWithDictionary(levels.dataPage, this.dictionary, encoding as never, d)
      const defs = levels.definitionLevels
      if (!defs || defs.length === 0) return Array.from(values as ArrayLike<unknown>)
      const out: unknown[] = []
      let v = 0
      for (const def of defs) out.push(def === this.maxDef ? values[v++] : null)
      return out
    } catch (err) {
      if (err instanceof ParquetFormatError) throw err
      throw new ParquetFormatError(
        `${this.file}: corrupt page at byte ${offset} in column ${d.pathInSchema.join('.')}: ${(err as Error).message}`,
      )
    }
  }
}

function asString(v: unknown): string | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'string') return v
  if (v instanceof Uint8Array) return new TextDecoder().decode(v)
  return String(v)
}

function asInt(v: unknown): number | null {
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number') return v
  return null
}

export interface ParquetScanInfo {
  rows: number
  bytes: number
}

/** Row count and size without reading data (for progress). */
export async function scanParquet(file: string): Promise<ParquetScanInfo> {
  const fh = await fs.open(file, 'r')
  try {
    const { metadata, size } = await readFooter(fh, file)
    return { rows: Number(metadata.num_rows), bytes: size }
  } finally {
    await fh.close()
  }
}

/**
 * Yields the rows of one file in order. Throws ParquetFormatError for a corrupt/truncated file and a
 * plain Error naming the row and image_id for a malformed row.
 */
export async function* readReasonSegParquet(file: string): AsyncGenerator<ReasonSegRow> {
  const fh = await fs.open(file, 'r')
  try {
    const { metadata, size } = await readFooter(fh, file)
    const cols = resolveColumns(metadata, file)
    let rowBase = 0
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows)
      const stream = (key: string): { pages: PageStream; decoder: ColumnDecoder; maxDef: number } => {
        const info = cols[key]
        const chunk = group.columns[info.chunkIndex] as ColumnChunk
        const meta = chunk.meta_data
        if (!meta || meta.path_in_schema.join('.') !== info.decoder.pathInSchema.join('.')) {
          throw new ParquetFormatError(`${file}: row groups have different column layouts`)
        }
        const { start, end } = columnChunkRange(meta)
        return {
          pages: new PageStream(fh, file, size, start, end),
          decoder: { ...info.decoder, codec: meta.codec },
          maxDef: info.maxDef,
        }
      }
      const flat = (key: string) => {
        const s = stream(key)
        return new FlatColumnReader(s.pages, s.decoder, s.maxDef, file)
      }
      const small: Record<string, unknown[]> = {}
      for (const key of ['text', 'image_id', 'ann_id', 'img_height', 'img_width', 'image_path']) {
        if (cols[key]) small[key] = await flat(key).all(rows)
      }
      const img = stream('image')
      const images = new BinaryColumnReader(img.pages, img.decoder, img.maxDef, file)
      const m = stream('mask')
      const maskInfo = cols.mask
      const leaf = maskInfo.decoder.element
      const masks = new MaskColumnReader(
        m.pages,
        m.decoder.codec,
        {
          maxRep: maskInfo.maxRep,
          maxDef: maskInfo.maxDef,
          nullLeafDef: leaf.repetition_type === 'OPTIONAL' ? maskInfo.maxDef - 1 : -1,
        },
        file,
      )
      try {
        for (let r = 0; r < rows; r++) {
          const row = rowBase + r
          const imageId = asString(small.image_id[r])
          const fail = (message: string): never => {
            throw new Error(`${file}: row ${row} (image_id ${imageId ?? 'null'}): ${message}`)
          }
          const image = await images.next()
          const mask = await masks.next()
          if ('message' in mask) {
            const badRow = rowBase + mask.row
            throw new Error(
              `${file}: row ${badRow} (image_id ${asString(small.image_id[mask.row]) ?? 'null'}): ${mask.message}`,
            )
          }
          const annId = asString(small.ann_id[r])
          const query = asString(small.text[r])
          const h = asInt(small.img_height[r])
          const w = asInt(small.img_width[r])
          if (imageId === null) fail('image_id is null')
          if (annId === null) fail('ann_id is null')
          if (query === null) fail('text is null')
          if (h === null || w === null) fail('img_height/img_width is null')
          if (!(image instanceof Uint8Array) || image.length === 0) fail('image bytes are missing')
          if (mask.h !== h || mask.w !== w) {
            fail(`mask is ${mask.h}x${mask.w} (rows x columns) but img_height x img_width is ${h}x${w}`)
          }
          yield {
            row,
            imageId: imageId as string,
            annId: annId as string,
            query: query as string,
            imageBytes: image as Uint8Array,
            imagePath: small.image_path ? asString(small.image_path[r]) : null,
            imgHeight: h as number,
            imgWidth: w as number,
            mask,
          }
        }
      } finally {
        images.close()
      }
      rowBase += rows
    }
  } finally {
    await fh.close()
  }
}
