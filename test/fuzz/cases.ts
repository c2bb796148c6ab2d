/**
 * Seeded generator of malformed inputs for every door the tool opens to outside data: parquet files
 * (truncated, cut, bit-flipped, wrong column types, absurd image sizes, masks that disagree with the
 * image), run files (generic JSONL, VisionReasoner / Seg-Zero `output_*.json`), LISA and COCO datasets,
 * API payloads (wrong types, huge strings, deep nesting) and model folders with wrong tensor
 * signatures. Each case says what must happen: rejected (with the file / line / method it must name)
 * or either outcome (a bit flip in image bytes may still be a valid file), never a crash or a hang.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { contract } from '../../src/shared/contract'
import { seededRng, type Rng } from '../../src/shared/domain/random'
import { pngOfSize, writeWithDuckdb, type HandRow } from '../fixtures/duckdbParquet'
import { writeTinyModel } from '../fixtures/onnxModels'
import { writeReasonSegParquet, type FixtureRow } from '../fixtures/reasonsegParquet'
import type { GridSample } from '../fixtures/runProject'

export type FuzzOp =
  | { op: 'dataset'; path: string; format?: string }
  | { op: 'run'; path: string; format?: string }
  | { op: 'api'; method: string; payload: string }
  | { op: 'model'; path: string }

export interface FuzzReply {
  id: number
  outcome: 'accepted' | 'rejected'
  message: string
  /** Project database (checkpointed) and media folder byte-for-byte as before. */
  unchanged: boolean
  ms: number
}

export interface FuzzCase {
  kind: string
  op: FuzzOp
  /** 'reject': must be refused; 'any': may be accepted (e.g. a flipped bit inside image bytes). */
  expect: 'reject' | 'any'
  /** What the message must name: the file (its base name), and the line / row where one is known. */
  names: string
  line?: number
}

/** The samples of the fuzz project (run files refer to them). */
export const FUZZ_SAMPLES: GridSample[] = [
  { imageId: 'img1', annId: '1', rows: ['#..', '#..'] },
  { imageId: 'img1', annId: '2', rows: ['...', '###'] },
  { imageId: 'img2', annId: '1', rows: ['##', '..'] },
]

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
const int = (r: Rng, n: number) => Math.floor(r() * n)

// ---------------------------------------------------------------------------------------------
// JSON mutations

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** Deep nesting, kept as a marker until `stringify` (building it as objects overflows JSON.stringify). */
function deep(depth: number): Json {
  return `\u0001DEEP${depth}\u0001`
}

/** JSON text with each deep-nesting marker expanded to `depth` nested arrays. */
export function stringify(v: Json): string {
  return JSON.stringify(v).replace(/"\\u0001DEEP(\d+)\\u0001"/g, (_, d: string) => {
    const n = Number(d)
    return '['.repeat(n) + '1' + ']'.repeat(n)
  })
}

const WRONG: ((r: Rng) => Json)[] = [
  () => 'a string',
  () => -1,
  () => 1e308,
  () => 2 ** 53 + 2,
  () => 0.5,
  () => true,
  () => null,
  () => [],
  () => ({}),
  () => ({ nested: { deeper: [1, 'two', null] } }),
  () => 'x'.repeat(1 << 20),
  () => deep(5000),
  (r) => [int(r, 10), 'mixed', null],
]

/** All paths to nodes of a JSON value (for picking a random one to corrupt). */
function paths(
  v: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at)
  if (Array.isArray(v)) v.slice(0, 50).forEach((x, i) => paths(x, [...at, i], out))
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out)
  return out
}

function setAt(v: Json, p: (string | number)[], value: Json | undefined): Json {
  if (p.length === 0) return value === undefined ? null : value
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, Json>
  const [head, ...rest] = p
  if (rest.length === 0 && value === undefined) delete copy[head]
  else copy[head] = setAt(copy[head], rest, value)
  return copy as Json
}

/** One random corruption of a JSON value: a node replaced by a wrong value, or removed. */
function corrupt(r: Rng, v: Json): Json {
  const ps = paths(v).filter((p) => p.length > 0)
  const p = pick(r, ps)
  return setAt(v, p, r() < 0.2 ? undefined : pick(r, WRONG)(r))
}

/** Serialized, sometimes broken as text: truncated, a stray byte, or not JSON at all. */
function text(r: Rng, v: Json): string {
  const s = stringify(v)
  const k = r()
  if (k < 0.08) return s.slice(0, int(r, s.length))
  if (k < 0.12) {
    const at = int(r, s.length)
    return s.slice(0, at) + pick(r, ['\u0000', '}', '"', '\\', ',,', '\uFEFF']) + s.slice(at)
  }
  return s
}

// ---------------------------------------------------------------------------------------------
// run files

const GOOD_LINES: Json[] = [
  { image_id: 'img1', ann_id: '1', mask: { size: [2, 3], counts: [0, 2, 4] }, reasoning: '<think>a</think>' },
  {
    image_id: 'img1',
    ann_id: '2',
    bbox: [0, 1, 2, 1],
    points: [[1, 1]],
    mask: { size: [2, 3], counts: [2, 2, 2] },
  },
  { image_id: 'img2', ann_id: '1', mask: { size: [2, 2], counts: [0, 1, 1, 1, 1] } },
]

/** RLE mutations that keep the JSON well-typed but break the mask's arithmetic. */
const RLE_BREAKS: ((r: Rng) => Json)[] = [
  () => ({ size: [2, 3], counts: [2 ** 31, 2 ** 31] }),
  () => ({ size: [2, 3], counts: [0, 2, 5] }),
  () => ({ size: [2, 3], counts: [1, 1] }),
  () => ({ size: [2, 3], counts: [-1, 7] }),
  () => ({ size: [3, 3], counts: [0, 9] }),
  () => ({ size: [2e9, 2e9], counts: [4e18] }),
  () => ({ size: [2, 3], counts: 'not-rle~~' }),
  () => ({ size: [2, 3], counts: 'ZZZZZZZZZZZZ' }),
  () => ({ size: [-2, 3], counts: [0] }),
  () => ({ size: [2.5, 3], counts: [7.5] }),
  (r) => ({ size: [2, 3], counts: Array.from({ length: 200_000 }, () => int(r, 3)) }),
]

function runJsonl(r: Rng, dir: string, i: number): FuzzCase {
  const lines = GOOD_LINES.map((l) => l)
  const k = int(r, lines.length)
  const mode = r()
  let bad: string
  // RLE that cannot cover the sample and lines that are no record at all must be refused.
  const mustReject = mode < 0.5
  if (mode < 0.35) {
    bad = stringify(setAt(lines[k], ['mask'], pick(r, RLE_BREAKS)(r)))
  } else if (mode < 0.5) {
    bad = pick(r, ['{', '[1,2]', '"str"', 'null', '{"image_id": "img1", "ann_id": ', 'nul', '{}'])
  } else {
    bad = text(r, corrupt(r, lines[k]))
  }
  const out = lines.map((l) => JSON.stringify(l))
  out[k] = bad
  const file = path.join(dir, `run-${i}.jsonl`)
  fs.writeFileSync(file, out.join('\n') + '\n')
  return {
    kind: 'run jsonl',
    op: { op: 'run', path: file, format: 'jsonl' },
    expect: mustReject ? 'reject' : 'any',
    names: path.basename(file),
    line: k + 1,
  }
}

const GOOD_EVAL: Json = [
  { image_id: 'img1', ann_id: '1', think: 'left', intersection: 2, union: 2, bbox_iou: 1 },
  { image_id: 'img1', ann_id: '2', think: 'bottom', intersection: 1, union: 4, bbox_iou: 0.2 },
  { image_id: 'img2', ann_id: '1', think: '', intersection: 0, union: 2, bbox_iou: 0 },
]

function runEval(r: Rng, dir: string, i: number): FuzzCase {
  const folder = path.join(dir, `vr-${i}`)
  fs.mkdirSync(folder)
  const file = path.join(folder, 'output_0.json')
  const k = int(r, 3)
  let v = GOOD_EVAL
  const mode = r()
  // Counts no evaluation of these samples can produce must be refused.
  const mustReject = mode < 0.3
  if (mode < 0.3) {
    const breaks: Json[] = [
      { intersection: 5, union: 2 },
      { intersection: -1 },
      { union: 1e300 },
      { intersection: 2.5 },
      { union: 'many' },
      { intersection: 100, union: 100 },
    ]
    const b = pick(r, breaks) as Record<string, Json>
    for (const key of Object.keys(b)) v = setAt(v, [k, key], b[key])
  } else v = corrupt(r, v)
  fs.writeFileSync(file, text(r, v))
  return {
    kind: 'VisionReasoner output',
    op: { op: 'run', path: folder, format: 'visionreasoner' },
    expect: mustReject ? 'reject' : 'any',
    names: 'output_0.json',
  }
}

// ---------------------------------------------------------------------------------------------
// LISA and COCO

let png: { small: Buffer } | null = null

/** A PNG whose header claims width x height (the pixel data is a stub): an absurd image size. */
function pngClaiming(base: Buffer, width: number, height: number): Buffer {
  const b = Buffer.from(base)
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); the CRC is left stale on purpose.
  b.writeUInt32BE(width >>> 0, 16)
  b.writeUInt32BE(height >>> 0, 20)
  return b
}

const LISA_GOOD: Json = {
  text: ['what keeps the room warm?', 'the heater'],
  is_sentence: true,
  shapes: [
    {
      label: 'target',
      points: [
        [1, 1],
        [7, 1],
        [7, 5],
        [1, 5],
      ],
    },
    {
      label: 'ignore',
      points: [
        [2, 2],
        [3, 2],
        [3, 3],
      ],
    },
  ],
}

function lisa(r: Rng, dir: string, i: number): FuzzCase {
  const folder = path.join(dir, `lisa-${i}`)
  fs.mkdirSync(folder)
  const p = png as NonNullable<typeof png>
  const absurd = r() < 0.15
  fs.writeFileSync(
    path.join(folder, 'a.png'),
    absurd ? pngClaiming(p.small, pick(r, [0, 1e9, 2 ** 31 - 1]), 3) : p.small,
  )
  let v = LISA_GOOD
  if (!absurd) {
    v = corrupt(r, v)
    if (r() < 0.3)
      v = setAt(
        v,
        ['shapes', 0, 'points'],
        pick(r, [
          [
            [1e308, 1],
            [2, 2],
            [3, 1],
          ],
          [
            [-5e9, 0],
            [1, 1],
          ],
          [[1, 1]],
          'pts',
          [[NaN, 1]],
        ] as Json[]),
      )
  }
  fs.writeFileSync(path.join(folder, 'a.json'), text(r, v))
  return {
    kind: 'LISA json',
    op: { op: 'dataset', path: folder, format: 'lisa' },
    expect: absurd ? 'reject' : 'any',
    names: 'a.',
  }
}

const COCO_GOOD: Json = {
  images: [
    { id: 1, file_name: 'a.png', width: 9, height: 6 },
    { id: 2, file_name: 'b.png', width: 9, height: 6 },
  ],
  categories: [{ id: 7, name: 'lamp' }],
  annotations: [
    {
      id: 10,
      image_id: 1,
      category_id: 7,
      segmentation: [[2, 1, 7, 1, 7, 4, 2, 4]],
      caption: 'what gives light?',
    },
    { id: 11, image_id: 2, category_id: 7, segmentation: { size: [6, 9], counts: [0, 6, 48] } },
  ],
}

function coco(r: Rng, dir: string, i: number): FuzzCase {
  const folder = path.join(dir, `coco-${i}`)
  fs.mkdirSync(path.join(folder, 'images'), { recursive: true })
  const p = png as NonNullable<typeof png>
  fs.writeFileSync(path.join(folder, 'images', 'a.png'), p.small)
  fs.writeFileSync(
    path.join(folder, 'images', 'b.png'),
    r() < 0.15 ? pngClaiming(p.small, 1e9, 1e9) : p.small,
  )
  let v = COCO_GOOD
  const mode = r()
  const mustReject = mode < 0.4
  if (mode < 0.3) v = setAt(v, ['annotations', 1, 'segmentation'], pick(r, RLE_BREAKS)(r))
  else if (mode < 0.4)
    v = setAt(
      v,
      ['images', int(r, 2), pick(r, ['width', 'height'])],
      pick(r, [0, -3, 1e9, 2 ** 40, 'wide', 6.5]),
    )
  else v = corrupt(r, v)
  const file = path.join(folder, 'instances.json')
  fs.writeFileSync(file, text(r, v))
  return {
    kind: 'COCO json',
    op: { op: 'dataset', path: folder, format: 'coco' },
    expect: mustReject ? 'reject' : 'any',
    names: 'coco-',
  }
}

// ---------------------------------------------------------------------------------------------
// parquet

async function duckFile(con: DuckDBConnection, file: string, select: string): Promise<void> {
  await con.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`)
}

/** ReasonSeg rows as SQL, with per-column overrides to make the wrong-type and wrong-shape files. */
function rowsSql(pngHex: string, h: number, w: number, over: Record<string, string>): string {
  const mask = `list_transform(range(${h}), y -> list_transform(range(${w}), x -> (x + y) % 3 = 0))`
  const cols: Record<string, string> = {
    image: `{'bytes': from_hex('${pngHex}'), 'path': 'a.png'}`,
    text: `'query ' || i`,
    mask,
    image_id: `'img' || i`,
    ann_id: `i::VARCHAR`,
    img_height: `${h}::BIGINT`,
    img_width: `${w}::BIGINT`,
    ...over,
  }
  const list = Object.entries(cols)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${v} AS ${k}`)
    .join(', ')
  return `SELECT ${list} FROM range(3) t(i)`
}

const SEMANTIC: {
  what: string
  over: (hex: string, h: number, w: number) => Record<string, string>
  /** May be accepted: null mask leaves are read as background (the reader's documented rule). */
  mayPass?: true
}[] = [
  { what: 'text as integer', over: () => ({ text: 'i' }) },
  { what: 'mask as list<int>', over: () => ({ mask: 'list_transform(range(4), x -> x)' }) },
  {
    what: 'mask as list<list<int>>',
    over: (_, h, w) => ({ mask: `list_transform(range(${h}), y -> list_transform(range(${w}), x -> x))` }),
  },
  {
    what: 'mask as list<bool>',
    over: (_, h, w) => ({ mask: `list_transform(range(${h * w}), x -> x % 2 = 0)` }),
  },
  { what: 'mask as string', over: () => ({ mask: `'[[true]]'` }) },
  { what: 'mask missing', over: () => ({ mask: '' }) },
  { what: 'image missing', over: () => ({ image: '' }) },
  { what: 'image as integer', over: () => ({ image: 'i' }) },
  { what: 'image as list', over: () => ({ image: '[1, 2]' }) },
  { what: 'img_height as string', over: (_, h) => ({ img_height: `'${h}'` }) },
  { what: 'img_height absurd', over: () => ({ img_height: '2000000000::BIGINT' }) },
  { what: 'img_width negative', over: () => ({ img_width: '-5::BIGINT' }) },
  { what: 'img_width zero', over: () => ({ img_width: '0::BIGINT' }) },
  { what: 'img_height null', over: () => ({ img_height: 'NULL::BIGINT' }) },
  {
    what: 'mask taller than the image',
    over: (_, h, w) => ({
      mask: `list_transform(range(${h + 1}), y -> list_transform(range(${w}), x -> true))`,
    }),
  },
  {
    what: 'mask narrower than the image',
    over: (_, h, w) => ({
      mask: `list_transform(range(${h}), y -> list_transform(range(${w - 1}), x -> true))`,
    }),
  },
  {
    what: 'ragged mask',
    over: (_, h, w) => ({
      mask: `list_transform(range(${h}), y -> list_transform(range(${w} - (y % 2)), x -> true))`,
    }),
  },
  { what: 'empty mask', over: () => ({ mask: '[]::BOOLEAN[][]' }) },
  { what: 'null mask', over: () => ({ mask: 'CASE WHEN i = 1 THEN NULL ELSE [[true]] END::BOOLEAN[][]' }) },
  { what: 'null image bytes', over: () => ({ image: `{'bytes': NULL::BLOB, 'path': 'a.png'}` }) },
  {
    what: 'image bytes not an image',
    over: () => ({ image: `{'bytes': 'not an image'::BLOB, 'path': 'a.png'}` }),
  },
  {
    what: 'image of absurd size',
    over: (hex) => ({
      image: `{'bytes': from_hex('${hex}'), 'path': 'a.png'}`,
      img_height: '2147483647::BIGINT',
      img_width: '2147483647::BIGINT',
    }),
  },
  { what: 'image_id null', over: () => ({ image_id: 'NULL::VARCHAR' }) },
  { what: 'image_id list', over: () => ({ image_id: `['a']` }) },
  {
    what: 'mask of nulls',
    mayPass: true,
    over: (_, h, w) => ({
      mask: `list_transform(range(${h}), y -> list_transform(range(${w}), x -> NULL::BOOLEAN))`,
    }),
  },
]

/** Bit flips: half in the data, half in the footer (where the thrift metadata lives). */
function flip(r: Rng, bytes: Buffer): Buffer {
  const b = Buffer.from(bytes)
  const n = 1 + int(r, 16)
  const footerLen = b.readUInt32LE(b.length - 8)
  for (let k = 0; k < n; k++) {
    const at =
      r() < 0.5 ? 4 + int(r, b.length - 12 - footerLen) : b.length - 8 - footerLen + int(r, footerLen + 8)
    b[at] ^= 1 << int(r, 8)
  }
  return b
}

// ---------------------------------------------------------------------------------------------
// API payloads

interface ZodLike {
  _zod?: { def: { type: string; innerType?: ZodLike; shape?: Record<string, ZodLike> } }
  shape?: Record<string, ZodLike>
}

function zodType(s: ZodLike): string {
  let t = s._zod?.def
  while (t && (t.type === 'optional' || t.type === 'nullable' || t.type === 'default') && t.innerType) {
    t = t.innerType._zod?.def
  }
  return t?.type ?? 'unknown'
}

/** A value that cannot satisfy a schema of type `t`. */
function wrongFor(r: Rng, t: string): Json {
  const options: Record<string, Json[]> = {
    string: [12, true, [], {}, deep(3000), null],
    number: ['12', true, [], {}, 'x'.repeat(1 << 20), deep(3000)],
    int: ['1', 1.5, 1e308, [], null],
    boolean: ['yes', 1, [], {}],
    array: ['[]', 3, { length: 3 }, true],
    object: ['{}', 3, [1, 2], true],
    enum: [-1, 'no-such-value-' + 'z'.repeat(100), [], {}],
    literal: [-1, 'nope', []],
    union: [{ a: deep(100) }, true, -1e308],
  }
  return pick(r, options[t] ?? [deep(5000), { bogus: 'x'.repeat(1 << 20) }])
}

function apiCase(r: Rng): FuzzCase {
  const methods = Object.keys(contract)
  const method = pick(r, methods)
  const schema = contract[method as keyof typeof contract].input as unknown as ZodLike
  const shape = schema.shape ?? schema._zod?.def.shape ?? {}
  const keys = Object.keys(shape)
  let payload: Json
  const mode = r()
  if (keys.length === 0 || mode < 0.1) {
    payload = pick(r, [3, 'str', [1, 2], true, deep(10000), 'y'.repeat(4 << 20)] as Json[])
    if (keys.length === 0 && (payload === null || typeof payload === 'object') && !Array.isArray(payload))
      payload = 3
  } else {
    const base: Record<string, Json> = {}
    for (const k of keys) base[k] = wrongFor(r, zodType(shape[k]))
    // Keep one wrong field (and sometimes all): the payload can never validate.
    const chosen = pick(r, keys)
    payload = r() < 0.5 ? { [chosen]: base[chosen] } : base
  }
  return {
    kind: 'API payload',
    op: { op: 'api', method, payload: stringify(payload) },
    expect: 'reject',
    names: method,
  }
}

// ---------------------------------------------------------------------------------------------
// model folders

function modelCase(r: Rng, dir: string, i: number): FuzzCase {
  const folder = path.join(dir, `model-${i}`)
  fs.mkdirSync(folder)
  const mode = i % 6
  // Families whose encoders differ: an encoder of one never pairs with a decoder of another.
  const families = [['sam', 'sam-single'], ['sam2'], ['hf-sam'], ['hf-sam2']] as const
  const fa = int(r, families.length)
  const fb = (fa + 1 + int(r, families.length - 1)) % families.length
  const a = pick(r, families[fa])
  const b = pick(r, families[fb])
  const tmpA = path.join(folder, 'a')
  const tmpB = path.join(folder, 'b')
  if (mode === 0) {
    // encoder of one flavour, decoder of another
    const x = writeTinyModel(tmpA, a)
    const y = writeTinyModel(tmpB, b)
    fs.renameSync(path.join(tmpA, x.encoder), path.join(folder, 'encoder.onnx'))
    fs.renameSync(path.join(tmpB, y.decoder), path.join(folder, 'decoder.onnx'))
  } else if (mode === 1) {
    const x = writeTinyModel(tmpA, a)
    fs.renameSync(path.join(tmpA, x.decoder), path.join(folder, 'decoder.onnx'))
  } else if (mode === 2) {
    const x = writeTinyModel(tmpA, a)
    fs.renameSync(path.join(tmpA, x.encoder), path.join(folder, 'encoder.onnx'))
  } else if (mode === 3) {
    const x = writeTinyModel(tmpA, a)
    const bytes = fs.readFileSync(path.join(tmpA, x.decoder))
    fs.renameSync(path.join(tmpA, x.encoder), path.join(folder, 'encoder.onnx'))
    fs.writeFileSync(path.join(folder, 'decoder.onnx'), bytes.subarray(0, int(r, bytes.length)))
  } else if (mode === 4) {
    const x = writeTinyModel(tmpA, a)
    fs.renameSync(path.join(tmpA, x.encoder), path.join(folder, 'encoder.onnx'))
    fs.writeFileSync(path.join(folder, 'decoder.onnx'), pick(r, ['', 'not onnx at all', '\u0000'.repeat(64)]))
  } else {
    const x = writeTinyModel(tmpA, a)
    const bytes = Buffer.from(fs.readFileSync(path.join(tmpA, x.decoder)))
    for (let k = 0; k < 8; k++) bytes[int(r, bytes.length)] ^= 1 << int(r, 8)
    fs.renameSync(path.join(tmpA, x.encoder), path.join(folder, 'encoder.onnx'))
    fs.writeFileSync(path.join(folder, 'decoder.onnx'), bytes)
  }
  fs.rmSync(tmpA, { recursive: true, force: true })
  fs.rmSync(tmpB, { recursive: true, force: true })
  return {
    kind: 'model folder',
    op: { op: 'model', path: folder },
    expect: mode === 5 ? 'any' : 'reject',
    names: 'model-',
  }
}

// ---------------------------------------------------------------------------------------------

/** Writes every input under `dir` and returns the cases, in a fixed order for a given seed. */
export async function generateCases(dir: string, seed: number): Promise<FuzzCase[]> {
  const r = seededRng(seed)
  png = { small: Buffer.from(await pngOfSize(9, 6)) }
  const cases: FuzzCase[] = []

  // Parquet bases: DuckDB (V1 SNAPPY struct, V2 ZSTD BLOB) and our pyarrow-style writer (v2 GZIP, dictionaries).
  const hand = (k: number): HandRow[] =>
    [0, 1, 2, 3].map((i) => ({
      imageId: `b${k}i${i}`,
      annId: `${i}`,
      text: `base ${k} query ${i}`,
      mask: Array.from({ length: 6 }, (_, y) =>
        Array.from({ length: 9 }, (_, x) => ((x * y + i) % 4 === 0 ? 1 : 0)),
      ),
      image: png?.small,
    }))
  const bases: string[] = []
  const b0 = path.join(dir, 'base0.parquet')
  await writeWithDuckdb(b0, hand(0), 'V1')
  const b1 = path.join(dir, 'base1.parquet')
  await writeWithDuckdb(b1, hand(1), 'V2', { compression: 'zstd', imageAs: 'binary' })
  const b2 = path.join(dir, 'base2.parquet')
  const rows: FixtureRow[] = hand(2).map((h) => ({
    image: png?.small as Buffer,
    text: h.text,
    imageId: h.imageId,
    annId: h.annId,
    height: 6,
    width: 9,
    mask: (y) => {
      const s: number[] = []
      for (let x = 0; x < 9; x++) if (h.mask[y][x]) s.push(x, x + 1)
      return s
    },
  }))
  writeReasonSegParquet(b2, rows, { pageVersion: 2, codec: 'GZIP', dictionaryStrings: true, pageBytes: 200 })
  bases.push(b0, b1, b2)
  const baseBytes = bases.map((b) => fs.readFileSync(b))

  let n = 0
  const pq = (bytes: Buffer, kind: string, expect: FuzzCase['expect']) => {
    const file = path.join(dir, `pq-${n++}.parquet`)
    fs.writeFileSync(file, bytes)
    cases.push({
      kind,
      op: { op: 'dataset', path: file, format: 'hf-parquet' },
      expect,
      names: path.basename(file),
    })
  }
  for (let i = 0; i < 100; i++) {
    const b = pick(r, baseBytes)
    pq(b.subarray(0, int(r, b.length)), 'parquet truncated', 'reject')
  }
  for (let i = 0; i < 80; i++) {
    // Bytes cut from the middle, footer kept: offsets now point past the data.
    const b = pick(r, baseBytes)
    const footer = b.readUInt32LE(b.length - 8) + 8
    const from = 4 + int(r, b.length - footer - 4)
    const len = 1 + int(r, b.length - footer - from)
    pq(Buffer.concat([b.subarray(0, from), b.subarray(from + len)]), 'parquet cut, footer kept', 'reject')
  }
  for (let i = 0; i < 280; i++) pq(flip(r, pick(r, baseBytes)), 'parquet bit-flipped', 'any')

  const inst = await DuckDBInstance.create(':memory:')
  const con = await inst.connect()
  const hex = (png?.small as Buffer).toString('hex')
  for (const [k, s] of SEMANTIC.entries()) {
    for (const [h, w] of [
      [6, 9],
      [2, 3],
    ]) {
      const file = path.join(dir, `sem-${k}-${h}x${w}.parquet`)
      try {
        await duckFile(con, file, rowsSql(hex, h, w, s.over(hex, h, w)))
      } catch (err) {
        throw new Error(`fuzz generator: DuckDB could not write '${s.what}': ${(err as Error).message}`, {
          cause: err,
        })
      }
      cases.push({
        kind: `parquet ${s.what}`,
        op: { op: 'dataset', path: file, format: 'hf-parquet' },
        expect: s.mayPass ? 'any' : 'reject',
        names: path.basename(file),
      })
    }
  }
  con.closeSync()

  for (let i = 0; i < 170; i++) cases.push(runJsonl(r, dir, i))
  for (let i = 0; i < 70; i++) cases.push(runEval(r, dir, i))
  for (let i = 0; i < 60; i++) cases.push(lisa(r, dir, i))
  for (let i = 0; i < 60; i++) cases.push(coco(r, dir, i))
  for (let i = 0; i < 150; i++) cases.push(apiCase(r))
  for (let i = 0; i < 24; i++) cases.push(modelCase(r, dir, i))
  return cases
}
