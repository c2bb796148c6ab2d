import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  readReasonSegParquet,
  type ReasonSegRow,
} from '../../../../../src/main/datasets/parquet/reasonSegParquet'
import { area, encodeRowMajor } from '../../../../../src/shared/domain/rle'
import { writeWithDuckdb, type HandRow } from '../../../../fixtures/duckdbParquet'
import {
  ellipseSpans,
  syntheticRows,
  writeReasonSegParquet,
  type FixtureRow,
} from '../../../../fixtures/reasonsegParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-parquet-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const grid = (rows: string[]): number[][] => rows.map((r) => [...r].map((c) => (c === '#' ? 1 : 0)))

/** Hand-built masks with their areas counted by hand. */
const HAND: { name: string; mask: number[][]; area: number; counts?: number[] }[] = [
  // column-major: col0 = 1,1  col1 = 0,1  col2 = 0,0  -> runs 0,2,1,1,2
  { name: 'tiny', mask: grid(['#..', '##.']), area: 3, counts: [0, 2, 1, 1, 2] },
  {
    name: 'ring with hole',
    mask: grid(['#######', '#######', '##...##', '##...##', '##...##', '#######', '#######']),
    area: 40,
  },
  {
    name: 'several components',
    mask: grid(['##......', '##...#..', '.....#..', '.#...#.#', '.......#']),
    area: 10,
  },
  { name: 'border frame', mask: grid(['######', '#....#', '#....#', '######']), area: 16 },
  { name: 'full', mask: grid(['###', '###', '###']), area: 9, counts: [0, 9] },
  { name: 'one pixel on', mask: [[1]], area: 1, counts: [0, 1] },
  { name: 'one pixel off', mask: [[0]], area: 0, counts: [1] },
  {
    name: 'very wide',
    mask: [Array.from({ length: 3000 }, (_, x) => (x < 10 || x >= 2990 ? 1 : 0))],
    area: 20,
  },
  { name: 'very tall', mask: Array.from({ length: 300 }, (_, y) => [y % 3 === 0 ? 1 : 0]), area: 100 },
]

function handRows(): HandRow[] {
  return HAND.map((m, i) => ({ imageId: `img${i}`, annId: `a${i}`, text: m.name, mask: m.mask }))
}

async function readAll(file: string): Promise<ReasonSegRow[]> {
  const out: ReasonSegRow[] = []
  for await (const r of readReasonSegParquet(file)) out.push({ ...r, imageBytes: r.imageBytes.slice() })
  return out
}

describe.each(['V1', 'V2'] as const)('DuckDB-written ReasonSeg parquet (%s pages)', (version) => {
  const file = path.join(tmp, `hand-${version}.parquet`)
  let rows: ReasonSegRow[]
  beforeAll(async () => {
    await writeWithDuckdb(file, handRows(), version)
    rows = await readAll(file)
  })

  it('reads every row', () => {
    expect(rows.map((r) => r.annId).sort()).toEqual(HAND.map((_, i) => `a${i}`).sort())
  })

  it.each(HAND.map((m, i) => [m.name, i] as const))(
    '%s: RLE equals the hand mask, area as counted',
    (_name, i) => {
      const hand = HAND[i]
      const row = rows.find((r) => r.annId === `a${i}`) as ReasonSegRow
      const h = hand.mask.length
      const w = hand.mask[0].length
      expect([row.mask.h, row.mask.w, row.imgHeight, row.imgWidth]).toEqual([h, w, h, w])
      expect(Array.from(row.mask.counts)).toEqual(Array.from(encodeRowMajor(hand.mask.flat(), h, w).counts))
      expect(area(row.mask)).toBe(hand.area)
      if (hand.counts) expect(Array.from(row.mask.counts)).toEqual(hand.counts)
      expect(row.query).toBe(hand.name)
      expect(row.imagePath).toBe(`img${i}.png`)
      expect(Buffer.from(row.imageBytes.subarray(1, 4)).toString('latin1')).toBe('PNG')
    },
  )
})

describe.each([1, 2] as const)(
  'pyarrow-layout parquet, data page v%s (row groups, multi-page masks)',
  (pageVersion) => {
    const file = path.join(tmp, `layout-v${pageVersion}.parquet`)
    let fixture: FixtureRow[]
    beforeAll(async () => {
      const { rows } = await syntheticRows({
        rows: 11,
        images: 4,
        minPixels: 3000,
        maxPixels: 20000,
        seed: 11,
      })
      fixture = rows
      // 400-byte pages hold ~15k mask values: in v1 most masks start on one page and end on another;
      // v2 pages start at row boundaries and hold RLE-encoded booleans.
      writeReasonSegParquet(file, rows, { rowGroupSize: 4, pageBytes: 400, pageVersion })
    })

    it('DuckDB (an independent reader) sees the fixture as written', async () => {
      const inst = await DuckDBInstance.create(':memory:')
      const con = await inst.connect()
      const r = await con.runAndReadAll(
        `SELECT ann_id, len(mask), len(mask[1]),
              list_sum(list_transform(mask, r -> list_count(list_filter(r, v -> v)))) FROM '${file}' ORDER BY ann_id`,
      )
      const spansArea = (f: FixtureRow) => {
        let a = 0
        for (let y = 0; y < f.height; y++) {
          const s = f.mask(y)
          for (let k = 0; k < s.length; k += 2) a += s[k + 1] - s[k]
        }
        return a
      }
      expect(r.getRows().map((x) => x.map(Number).slice(1))).toEqual(
        fixture.map((f) => [f.height, f.width, spansArea(f)]),
      )
      con.closeSync()
    })

    it('streams every mask to the RLE of the dense mask', async () => {
      const rows = await readAll(file)
      expect(rows.map((r) => r.row)).toEqual(fixture.map((_, i) => i))
      for (const [i, r] of rows.entries()) {
        const f = fixture[i]
        const dense = new Uint8Array(f.height * f.width)
        for (let y = 0; y < f.height; y++) {
          const s = f.mask(y)
          for (let k = 0; k < s.length; k += 2) dense.fill(1, y * f.width + s[k], y * f.width + s[k + 1])
        }
        expect(Array.from(r.mask.counts)).toEqual(Array.from(encodeRowMajor(dense, f.height, f.width).counts))
        expect(Buffer.compare(Buffer.from(r.imageBytes), Buffer.from(f.image))).toBe(0)
      }
    })

    it('keeps masks whose image rows are longer than a page', async () => {
      const wide = path.join(tmp, `wide-v${pageVersion}.parquet`)
      const width = 5000
      const mask = ellipseSpans([{ cx: 2500, cy: 1.5, rx: 2400, ry: 3 }], width)
      writeReasonSegParquet(
        wide,
        [{ image: fixture[0].image, text: 't', imageId: 'w', annId: '0', height: 3, width, mask }],
        { pageBytes: 100, pageVersion },
      )
      const [r] = await readAll(wide)
      const dense = new Uint8Array(3 * width)
      for (let y = 0; y < 3; y++) {
        const s = mask(y)
        for (let k = 0; k < s.length; k += 2) dense.fill(1, y * width + s[k], y * width + s[k + 1])
      }
      expect(Array.from(r.mask.counts)).toEqual(Array.from(encodeRowMajor(dense, 3, width).counts))
    })
  },
)

describe('errors', () => {
  it('names the row, image_id and both shapes when the mask does not match img_height x img_width', async () => {
    const file = path.join(tmp, 'mismatch.parquet')
    await writeWithDuckdb(file, [
      { imageId: 'good', annId: '0', text: 'ok', mask: grid(['#.', '.#']) },
      { imageId: 'bad_one', annId: '1', text: 'bad', mask: grid(['#..', '.#.']), imgHeight: 3, imgWidth: 2 },
    ])
    await expect(readAll(file)).rejects.toThrow(
      /mismatch\.parquet: row \d \(image_id bad_one\): mask is 2x3 .* is 3x2/,
    )
  })

  it('rejects a ragged mask (rows of different lengths)', async () => {
    const file = path.join(tmp, 'ragged.parquet')
    await writeWithDuckdb(file, [
      {
        imageId: 'rg',
        annId: '0',
        text: 'r',
        mask: [
          [1, 0, 1],
          [1, 0],
        ],
      },
    ])
    await expect(readAll(file)).rejects.toThrow(
      /row 0 \(image_id rg\): mask row 1 has 2 values but row 0 has 3/,
    )
  })

  it('reports a truncated file clearly, before reading any row', async () => {
    const whole = path.join(tmp, 'whole.parquet')
    await writeWithDuckdb(whole, handRows())
    const bytes = fs.readFileSync(whole)
    const cut = path.join(tmp, 'cut.parquet')
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    await expect(readAll(cut)).rejects.toThrow(/cut\.parquet: no parquet footer .*truncated or corrupt/)
  })

  it('reports a corrupt page instead of crashing', async () => {
    const file = path.join(tmp, 'layout-corrupt.parquet')
    const { rows } = await syntheticRows({ rows: 2, images: 1, minPixels: 2000, maxPixels: 3000, seed: 5 })
    writeReasonSegParquet(file, rows, { codec: 'UNCOMPRESSED' })
    const bytes = fs.readFileSync(file)
    // Overwrite the first mask page header (after the image, path and text chunks) with garbage.
    const at = bytes.indexOf(Buffer.from(rows[1].text)) + rows[1].text.length
    bytes.fill(0xff, at, at + 32)
    fs.writeFileSync(file, bytes)
    await expect(readAll(file)).rejects.toThrow(
      /layout-corrupt\.parquet: (unreadable page header|corrupt|page at byte)/,
    )
  })

  it('rejects a parquet file that is not ReasonSeg', async () => {
    const file = path.join(tmp, 'other.parquet')
    const inst = await DuckDBInstance.create(':memory:')
    const con = await inst.connect()
    await con.run(`COPY (SELECT 1 AS a) TO '${file}' (FORMAT parquet)`)
    con.closeSync()
    await expect(readAll(file)).rejects.toThrow(/not a ReasonSeg parquet: missing column\(s\) text, mask/)
  })
})
