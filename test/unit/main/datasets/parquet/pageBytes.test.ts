/**
 * Page byte streams against whole-buffer decoders: ZSTD and GZIP pages larger than the 1 MiB file
 * window (a decoder keeps an incomplete block's input across reads), and snappy with a back-reference
 * beyond the 64 KiB streaming window, which must fall back to whole-page decoding from where it stopped.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { ByteCursor, pageSource } from '../../../../../src/main/datasets/parquet/pageBytes'
import { seededRng } from '../../../../../src/shared/domain/random'
import { compressWith } from '../../../../fixtures/reasonsegParquet'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-pagebytes-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function noise(n: number, seed: number): Uint8Array {
  const r = seededRng(seed)
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256))
}

/** Writes `body` after a 3-byte prefix (pages never start at 0) and streams it back whole. */
function roundTrip(body: Uint8Array, codec: 'ZSTD' | 'GZIP' | 'SNAPPY', size: number): Buffer {
  const file = path.join(tmp, `${codec}-${size}.bin`)
  fs.writeFileSync(file, Buffer.concat([Buffer.from('abc'), body]))
  const fd = fs.openSync(file, 'r')
  try {
    const src = pageSource(fd, 3, 3 + body.length, codec, size)
    const parts: Buffer[] = []
    for (let c = src.next(); c; c = src.next()) parts.push(Buffer.from(c))
    return Buffer.concat(parts)
  } finally {
    fs.closeSync(fd)
  }
}

describe('streamed page bytes', () => {
  it.each(['ZSTD', 'GZIP'] as const)('%s: 3 MB of incompressible bytes come back exactly', (codec) => {
    const data = noise(3_000_000, 7)
    const body = codec === 'GZIP' ? zlib.gzipSync(data) : compressWith('ZSTD', data)
    expect(body.length).toBeGreaterThan(1 << 20)
    expect(Buffer.compare(roundTrip(body, codec, data.length), Buffer.from(data))).toBe(0)
  })

  it('snappy: a copy 70,000 bytes back (past the 64 KiB window) falls back to the whole page', () => {
    const lit = noise(70_000, 3)
    // varint length 70,064; one literal of 70,000 bytes (tag 62: 3-byte length); a 64-byte copy with a
    // 4-byte offset of 70,000 (tag 3 | (63 << 2)).
    const total = 70_064
    const head = [(total & 0x7f) | 0x80, ((total >> 7) & 0x7f) | 0x80, total >> 14]
    const litLen = lit.length - 1
    const body = Buffer.concat([
      Buffer.from(head),
      Buffer.from([62 << 2, litLen & 0xff, (litLen >> 8) & 0xff, litLen >> 16]),
      lit,
      Buffer.from([3 | (63 << 2), 70_000 & 0xff, (70_000 >> 8) & 0xff, 70_000 >> 16, 0]),
    ])
    const expected = Buffer.concat([lit, lit.subarray(0, 64)])
    expect(Buffer.compare(roundTrip(body, 'SNAPPY', total), expected)).toBe(0)
  })

  it('a cursor reads numbers and runs across chunk boundaries and refuses lengths past the page', () => {
    const chunks = [
      Uint8Array.of(1),
      Uint8Array.of(0, 0),
      Uint8Array.of(0, 0x96),
      Uint8Array.of(0x01, 9, 8, 7),
    ]
    let k = 0
    const cur = new ByteCursor({ next: () => chunks[k++] ?? null }, 9)
    expect(cur.u32()).toBe(1)
    expect(cur.varint()).toBe(150)
    expect(() => cur.take(4, 'a value')).toThrow(/claims 4 bytes but the page has 3 left/)
    expect(Array.from(cur.take(3, 'a value'))).toEqual([9, 8, 7])
  })
})

describe('data page sections', () => {
  it('definition levels read from their own stream equal the ones read into memory', async () => {
    const { writeReasonSegParquet } = await import('../../../../fixtures/reasonsegParquet')
    const { readFooter } = await import('../../../../../src/main/datasets/parquet/reasonSegParquet')
    const { PageStream, columnChunkRange } =
      await import('../../../../../src/main/datasets/parquet/pageStream')
    const { openDataPage } = await import('../../../../../src/main/datasets/parquet/pageBytes')
    const file = path.join(tmp, 'sections.parquet')
    const rows = [0, 1, 2].map((i) => ({
      image: noise(100, i),
      text: `t${i}`,
      imageId: `i${i}`,
      annId: `${i}`,
      height: 40,
      width: 30 + i,
      mask: (y: number) => (y % 3 === i ? [2, 9] : []),
    }))
    writeReasonSegParquet(file, rows, { codec: 'GZIP' })
    const fh = await fs.promises.open(file, 'r')
    try {
      const { metadata, size } = await readFooter(fh, file)
      const meta = metadata.row_groups[0].columns.find(
        (c) => c.meta_data?.path_in_schema[0] === 'mask',
      )?.meta_data
      if (!meta) throw new Error('no mask column')
      const { start, end } = columnChunkRange(meta)
      const loc = await new PageStream(fh, file, size, start, end).nextHeader()
      if (!loc) throw new Error('no page')
      const drain = (c: ByteCursor | null, n: number) => {
        const out = new Uint8Array(n)
        c?.read(out, 0, n)
        return Buffer.from(out)
      }
      const resident = openDataPage(fh.fd, loc, 'GZIP', 2, 5)
      const streamed = openDataPage(fh.fd, loc, 'GZIP', 2, 5, 0)
      // Our writer's definition levels: one RLE run of 40 x (30 + 31 + 32) = 3720 fives: a 2-byte varint
      // header (7440) and the value byte.
      const def = drain(resident.def, 3)
      expect(Array.from(def)).toEqual([(7440 & 0x7f) | 0x80, 7440 >> 7, 5])
      expect(Buffer.compare(drain(streamed.def, 3), def)).toBe(0)
      expect(Buffer.compare(drain(streamed.values, 40), drain(resident.values, 40))).toBe(0)
      expect(Buffer.compare(drain(streamed.rep, 40), drain(resident.rep, 40))).toBe(0)
    } finally {
      await fh.close()
    }
  })
})
