/**
 * ReasonSeg parquet as each writer lays it out, read back exactly: DuckDB (one row group, one page per
 * column chunk, every codec, V1 PLAIN / V2 DELTA_LENGTH_BYTE_ARRAY, image struct or BLOB), pyarrow (64 MiB
 * pages, data page v2 with uncompressed levels and RLE booleans, dictionary-encoded strings, the image
 * dictionary fallback) and polars (ZSTD, 1 MiB pages, one row group). Expected values come from the
 * generators' own inputs (span lists, hand grids, the image bytes), never from the reader; DuckDB, an
 * independent reader, confirms our writer's files hold what we meant.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readReasonSegParquet } from '../../../../../src/main/datasets/parquet/reasonSegParquet'
import { encodeRowMajor } from '../../../../../src/shared/domain/rle'
import { seededRng } from '../../../../../src/shared/domain/random'
import { writeWithDuckdb, type DuckdbWriteOptions, type HandRow } from '../../../../fixtures/duckdbParquet'
import {
  ellipseSpans,
  writeReasonSegParquet,
  type FixtureRow,
  type WriteOptions,
} from '../../../../fixtures/reasonsegParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-layouts-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** Bytes that compress somewhat (repeated blocks with noise), so snappy/zstd emit back-references. */
function imageBytes(n: number, seed: number): Uint8Array {
  const r = seededRng(seed)
  const block = Uint8Array.from({ length: 997 }, () => Math.floor(r() * 256))
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = r() < 0.05 ? Math.floor(r() * 256) : block[i % block.length]
  return out
}

function dense(f: { height: number; width: number; mask: (y: number) => number[] }): Uint8Array {
  const d = new Uint8Array(f.height * f.width)
  for (let y = 0; y < f.height; y++) {
    const s = f.mask(y)
    for (let k = 0; k < s.length; k += 2) d.fill(1, y * f.width + s[k], y * f.width + s[k + 1])
  }
  return d
}

interface Got {
  row: number
  imageId: string
  annId: string
  query: string
  image: Uint8Array
  h: number
  w: number
  counts: number[]
}

async function readAll(file: string): Promise<Got[]> {
  const out: Got[] = []
  for await (const r of readReasonSegParquet(file)) {
    out.push({
      row: r.row,
      imageId: r.imageId,
      annId: r.annId,
      query: r.query,
      image: r.imageBytes.slice(),
      h: r.imgHeight,
      w: r.imgWidth,
      counts: Array.from(r.mask.counts),
    })
  }
  return out
}

/** Rows whose masks span several 1 Mi-slot batches and whose images cross 1 MiB stream chunks. */
function bigRows(): FixtureRow[] {
  const sizes: [number, number, number][] = [
    [1200, 1000, 1_500_000],
    [37, 53, 2_000],
    [900, 1400, 700_000],
    [1, 1, 10],
    [1100, 1100, 1_200_000],
  ]
  return sizes.map(([height, width, bytes], i) => ({
    image: imageBytes(bytes, i + 1),
    imagePath: `p${i}.jpg`,
    text: `query ${i}: ${'é'.repeat(i)}`,
    imageId: `img${i % 3}`,
    annId: `ann${i}`,
    height,
    width,
    mask: ellipseSpans(
      [
        { cx: width * 0.4, cy: height * 0.5, rx: width * 0.3 + 1, ry: height * 0.35 + 1 },
        { cx: width * 0.4, cy: height * 0.5, rx: width * 0.1, ry: height * 0.1, hole: true },
        { cx: width * 0.85, cy: height * 0.2, rx: width * 0.1, ry: height * 0.15 },
      ],
      width,
    ),
  }))
}

const OURS: [string, WriteOptions][] = [
  ['pyarrow, 64 MiB pages, data page v1, SNAPPY', { pageBytes: 64 << 20, rowGroupSize: 1 << 20 }],
  [
    'pyarrow, 64 MiB pages, data page v2, SNAPPY',
    { pageBytes: 64 << 20, rowGroupSize: 1 << 20, pageVersion: 2 },
  ],
  [
    'pyarrow defaults: dictionary strings, image dictionary fallback at 1 MiB, 1 MiB pages',
    { dictionaryStrings: true, imageDictionaryLimit: 1 << 20, rowGroupSize: 1 << 20 },
  ],
  [
    'polars defaults: ZSTD, 1 MiB pages, one row group, dictionary strings',
    { codec: 'ZSTD', dictionaryStrings: true, rowGroupSize: 512 * 512 },
  ],
  ['GZIP, data page v1, row groups of 2', { codec: 'GZIP', rowGroupSize: 2 }],
  ['GZIP, data page v2', { codec: 'GZIP', pageVersion: 2 }],
  ['ZSTD, data page v2, small pages', { codec: 'ZSTD', pageVersion: 2, pageBytes: 50_000 }],
  [
    'UNCOMPRESSED, data page v2, image as plain binary',
    { codec: 'UNCOMPRESSED', pageVersion: 2, imageAs: 'binary' },
  ],
  [
    'UNCOMPRESSED v1, image as plain binary with dictionary',
    { codec: 'UNCOMPRESSED', imageAs: 'binary', imageDictionaryLimit: 1 },
  ],
]

describe.each(OURS)('%s', (_name, opts) => {
  const file = path.join(tmp, `ours-${OURS.findIndex((o) => o[1] === opts)}.parquet`)
  const rows = bigRows()
  let got: Got[]
  beforeAll(async () => {
    writeReasonSegParquet(file, rows, opts)
    got = await readAll(file)
  }, 60_000)

  it('DuckDB reads the file as written (the fixture writer is valid parquet)', async () => {
    const inst = await DuckDBInstance.create(':memory:')
    const con = await inst.connect()
    const img = opts.imageAs === 'binary' ? 'image' : 'image.bytes'
    const r = await con.runAndReadAll(
      `SELECT ann_id, text, octet_length(${img}), len(mask), len(mask[1]),
         list_sum(list_transform(mask, r -> list_count(list_filter(r, v -> v)))) FROM '${file}'`,
    )
    const area = (f: FixtureRow) => dense(f).reduce((s, v) => s + v, 0)
    expect(r.getRows().map((x) => [String(x[0]), String(x[1]), ...x.slice(2).map(Number)])).toEqual(
      rows.map((f) => [f.annId, f.text, f.image.length, f.height, f.width, area(f)]),
    )
    con.closeSync()
  })

  it('every row, image and mask is read back exactly', () => {
    expect(got.map((g) => g.row)).toEqual(rows.map((_, i) => i))
    for (const [i, g] of got.entries()) {
      const f = rows[i]
      expect([g.imageId, g.annId, g.query, g.h, g.w]).toEqual([f.imageId, f.annId, f.text, f.height, f.width])
      expect(Buffer.compare(Buffer.from(g.image), Buffer.from(f.image))).toBe(0)
      expect(g.counts).toEqual(Array.from(encodeRowMajor(dense(f), f.height, f.width).counts))
    }
  })
})

const grid = (h: number, w: number, f: (y: number, x: number) => boolean): number[][] =>
  Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => (f(y, x) ? 1 : 0)))

function handRows(): HandRow[] {
  return [
    {
      imageId: 'a',
      annId: '0',
      text: 'disc',
      mask: grid(40, 60, (y, x) => (y - 20) ** 2 + (x - 30) ** 2 < 200),
    },
    { imageId: 'b', annId: '1', text: 'stripes', mask: grid(33, 17, (y, x) => (x + y) % 5 < 2) },
    { imageId: 'a', annId: '2', text: 'empty', mask: grid(5, 9, () => false) },
    { imageId: 'c', annId: '3', text: 'full', mask: grid(8, 3, () => true) },
  ].map((r, i) => ({ ...r, image: imageBytes([300_000, 1_200_000, 1000, 70_000][i], 40 + i) }))
}

const DUCK: [string, 'V1' | 'V2', DuckdbWriteOptions][] = []
for (const compression of ['snappy', 'zstd', 'gzip', 'uncompressed'] as const) {
  for (const version of ['V1', 'V2'] as const) DUCK.push([compression, version, { compression }])
}
DUCK.push(['snappy, image BLOB', 'V1', { imageAs: 'binary' }])
DUCK.push(['zstd, image BLOB', 'V2', { compression: 'zstd', imageAs: 'binary' }])

describe.each(DUCK)('DuckDB-written, %s, PARQUET_VERSION %s', (name, version, opts) => {
  const file = path.join(tmp, `duck-${name.replace(/\W+/g, '-')}-${version}.parquet`)
  const hand = handRows()
  let got: Got[]
  beforeAll(async () => {
    await writeWithDuckdb(file, hand, version, opts)
    got = await readAll(file)
  }, 60_000)

  it('every row, image and mask is read back exactly', () => {
    expect(got.map((g) => g.annId).sort()).toEqual(hand.map((h) => h.annId).sort())
    for (const g of got) {
      const h = hand.find((x) => x.annId === g.annId) as HandRow
      const H = h.mask.length
      const W = h.mask[0].length
      expect([g.imageId, g.query, g.h, g.w]).toEqual([h.imageId, h.text, H, W])
      expect(Buffer.compare(Buffer.from(g.image), Buffer.from(h.image as Uint8Array))).toBe(0)
      expect(g.counts).toEqual(Array.from(encodeRowMajor(h.mask.flat(), H, W).counts))
    }
  })
})

describe('an image dictionary over 16 MiB (DuckDB with repeated images) is spilled and read back', () => {
  const file = path.join(tmp, 'big-dictionary.parquet')
  const images = [0, 1, 2].map((i) => imageBytes(6_500_000 + i * 1000, 90 + i))
  const rows: FixtureRow[] = [0, 1, 2, 1, 0, 2, 2].map((k, i) => ({
    image: images[k],
    text: `t${i}`,
    imageId: `img${k}`,
    annId: `a${i}`,
    height: 3 + i,
    width: 5,
    mask: (y) => (y % 2 === 0 ? [1, 3] : []),
  }))

  it('every row gets its own image back, masks exact', async () => {
    writeReasonSegParquet(file, rows, { imageDictionaryLimit: 64 << 20, codec: 'GZIP' })
    const got = await readAll(file)
    expect(got.map((g) => g.annId)).toEqual(rows.map((r) => r.annId))
    for (const [i, g] of got.entries()) {
      expect(Buffer.compare(Buffer.from(g.image), Buffer.from(rows[i].image))).toBe(0)
      expect(g.counts).toEqual(Array.from(encodeRowMajor(dense(rows[i]), rows[i].height, 5).counts))
    }
    const left = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('reseg-dict-'))
    expect(left).toEqual([])
  })
})
