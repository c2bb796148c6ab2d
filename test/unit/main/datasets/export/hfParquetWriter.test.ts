/**
 * hf-parquet export read back by three independent readers: our streaming importer (into a new project),
 * DuckDB, and hyparquet's own row reader. Expected masks and fields come from the fixture's shape
 * formulas, not from the writer.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importDataset } from '../../../../../src/main/datasets/importDataset'
import { exportDataset } from '../../../../../src/main/datasets/export/exportDataset'
import { rowMajorBits } from '../../../../../src/main/datasets/export/hfParquetWriter'
import { openProject, type Project } from '../../../../../src/main/store/project'
import { decodeRowMajor, encodeRowMajor, fromCoco } from '../../../../../src/shared/domain/rle'
import {
  bulkSamples,
  makeExportProject,
  shapeSamples,
  type ExpectedSample,
} from '../../../../fixtures/exportProject'
import { tempDir } from '../../../../fixtures/runProject'

const expected: ExpectedSample[] = [...shapeSamples(), ...bulkSamples(225)]
let project: Project
let tmp: string
let out: string
let files: string[]

beforeAll(async () => {
  project = await makeExportProject(expected)
  tmp = tempDir('reseg-export-hf-')
  out = path.join(tmp, 'rs-hf')
  const r = await exportDataset(project, {
    dataset: 'rs',
    format: 'hf-parquet',
    out,
    // Small shards so that the split spans several files (ReasonSeg's limit is 500 MB).
    parquet: { maxShardBytes: 30_000 },
  })
  files = r.files
})
afterAll(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

const maskString = (s: ExpectedSample) => {
  const rows: string[] = []
  for (let y = 0; y < s.h; y++) rows.push(Array.from(s.mask.subarray(y * s.w, (y + 1) * s.w)).join(''))
  return rows.join('|')
}

const shardFiles = () =>
  fs
    .readdirSync(path.join(out, 'data'))
    .sort()
    .map((f) => path.join(out, 'data', f))

describe('hf-parquet export', () => {
  it('packs mask bits row-major, LSB first, for every fixture mask (odd widths, runs across columns)', () => {
    for (const e of expected) {
      const want = new Uint8Array((e.h * e.w + 7) >> 3)
      e.mask.forEach((v, i) => {
        if (v) want[i >> 3] |= 1 << (i & 7)
      })
      expect(Buffer.from(rowMajorBits(encodeRowMajor(e.mask, e.h, e.w))).equals(Buffer.from(want))).toBe(true)
    }
  })

  it('writes data/<split>-0000k-of-0000n.parquet shards with row groups of 100 rows and a dataset card', () => {
    const names = fs.readdirSync(path.join(out, 'data')).sort()
    expect(names.length).toBeGreaterThan(1)
    const n = String(names.length).padStart(5, '0')
    expect(names).toEqual(names.map((_, k) => `val-${String(k).padStart(5, '0')}-of-${n}.parquet`))
    expect(files).toEqual(expect.arrayContaining(['README.md', ...names.map((f) => `data/${f}`)]))
    const groups: number[] = []
    for (const f of shardFiles()) {
      const buf = fs.readFileSync(f)
      const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
      for (const g of meta.row_groups) groups.push(Number(g.num_rows))
      const hf = meta.key_value_metadata?.find((kv) => kv.key === 'huggingface')
      expect(JSON.parse(hf?.value ?? '{}').info.features.mask).toEqual({
        feature: { feature: { dtype: 'bool', _type: 'Value' }, _type: 'Sequence' },
        _type: 'Sequence',
      })
    }
    // Every row group but each shard's last is full; 235 rows in all.
    expect(groups.reduce((a, b) => a + b, 0)).toBe(expected.length)
    expect(groups.every((g) => g <= 100)).toBe(true)
    expect(groups.filter((g) => g === 100).length).toBeGreaterThanOrEqual(1)
    const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8')
    expect(readme).toContain('  - name: mask\n    sequence:\n      sequence: bool\n')
    expect(readme).toContain(`    num_examples: ${expected.length}\n`)
    expect(readme).toContain('    path: data/val-*\n')
  })

  it('re-imports through our importer into a new project with identical masks, fields and image bytes', async () => {
    const back = openProject(path.join(tmp, 'back'), { create: true })
    try {
      const r = await importDataset(back, out, { name: 'back' })
      expect(r).toMatchObject({ format: 'hf-parquet', split: 'val', samples: expected.length })
      const rows = back.db
        .prepare('SELECT image_id, ann_id, query, width, height, gt_rle, media_hash FROM samples ORDER BY id')
        .all() as {
        image_id: string
        ann_id: string
        query: string
        width: number
        height: number
        gt_rle: string
        media_hash: string
      }[]
      const origMedia = project.db.prepare('SELECT media_hash FROM samples ORDER BY id').all() as {
        media_hash: string
      }[]
      expect(rows.length).toBe(expected.length)
      rows.forEach((row, i) => {
        const e = expected[i]
        expect([row.image_id, row.ann_id, row.query, row.height, row.width]).toEqual([
          e.imageId,
          e.annId,
          e.query,
          e.h,
          e.w,
        ])
        expect(Array.from(decodeRowMajor(fromCoco({ size: [e.h, e.w], counts: row.gt_rle })))).toEqual(
          Array.from(e.mask),
        )
        // Same bytes → same content hash.
        expect(row.media_hash).toBe(origMedia[i].media_hash)
      })
    } finally {
      back.close()
    }
  })

  it('DuckDB reads the shards: schema types, row count, fields and every mask bit', async () => {
    const inst = await DuckDBInstance.create(':memory:')
    const con = await inst.connect()
    const glob = path.join(out, 'data', 'val-*.parquet')
    const desc = await con.runAndReadAll(`DESCRIBE SELECT * FROM '${glob}'`)
    expect(desc.getRows().map((r) => [r[0], r[1]])).toEqual([
      ['image', 'STRUCT(bytes BLOB, path VARCHAR)'],
      ['text', 'VARCHAR'],
      ['mask', 'BOOLEAN[][]'],
      ['image_id', 'VARCHAR'],
      ['ann_id', 'VARCHAR'],
      ['img_height', 'BIGINT'],
      ['img_width', 'BIGINT'],
    ])
    const r = await con.runAndReadAll(
      `SELECT image_id, ann_id, text, img_height, img_width, image.path,
              array_to_string(list_transform(mask, r -> array_to_string(list_transform(r, v -> v::INT), '')), '|')
       FROM read_parquet('${glob}', filename = true) ORDER BY filename, file_row_number`,
    )
    const rows = r.getRows()
    expect(rows.length).toBe(expected.length)
    rows.forEach((row, i) => {
      const e = expected[i]
      expect(row).toEqual([
        e.imageId,
        e.annId,
        e.query,
        BigInt(e.h),
        BigInt(e.w),
        `${e.imageId}.png`,
        maskString(e),
      ])
    })
    con.closeSync()
  })

  it("hyparquet's own reader gets the same rows (mask as nested booleans, image struct)", async () => {
    const got: Record<string, unknown>[] = []
    for (const f of shardFiles()) {
      const buf = fs.readFileSync(f)
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
      got.push(...(await parquetReadObjects({ file, compressors, utf8: false })))
    }
    expect(got.length).toBe(expected.length)
    got.forEach((row, i) => {
      const e = expected[i]
      const mask = row.mask as boolean[][]
      expect(mask.map((line) => line.map((v) => (v ? 1 : 0)).join('')).join('|')).toBe(maskString(e))
      expect(row).toMatchObject({
        text: e.query,
        image_id: e.imageId,
        ann_id: e.annId,
        img_height: BigInt(e.h),
        img_width: BigInt(e.w),
      })
      const image = row.image as { bytes: Uint8Array; path: string }
      expect(image.path).toBe(`${e.imageId}.png`)
      expect(Buffer.from(image.bytes).subarray(1, 4).toString()).toBe('PNG')
    })
  })
})
