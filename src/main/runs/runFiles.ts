/**
 * Reading model-run files into per-sample records, before they are matched against a dataset:
 * - generic JSONL (`image_id`, `ann_id`, optional `reasoning`, `bbox`, `points`, `mask` | `mask_png`);
 * - raw reasoning-model outputs JSONL (`image_id`, `ann_id`, `output`), parsed later with the image size;
 * - Seg-Zero / VisionReasoner evaluation output: `output_*.json` files, each a JSON list of
 *   `{image_id, ann_id, think, intersection, union, bbox_iou}` (no masks, no prompts).
 * Every problem becomes a `LineError` naming the file and line, so an import can abort or skip precisely.
 */
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import type { ObjectPrompt, PromptPoint } from '../../shared/domain/prompts'
import type { Rle } from '../../shared/domain/rle'
import { parseCocoMask, readMaskPng } from './predictionMask'

export type RunFileFormat = 'jsonl' | 'raw' | 'eval'
export type RunFormatOption = 'auto' | 'jsonl' | 'segzero' | 'visionreasoner'
export const RUN_FORMAT_OPTIONS: readonly RunFormatOption[] = ['auto', 'jsonl', 'segzero', 'visionreasoner']

export class LineError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.file}:${this.line}: ${this.message}`
  }
}

export interface RunRecord {
  file: string
  line: number
  imageId: string
  annId: string
  /** The model's full generated text, when the file has it. */
  rawOutput: string | null
  reasoning: string | null
  answer: string | null
  /** Prompts in original pixels (generic JSONL); raw outputs get theirs when matched to a sample. */
  prompts: ObjectPrompt[] | null
  mask: Rle | null
  /** I and U as an evaluation file states them. */
  counts: { intersection: number; union: number } | null
  bboxIou: number | null
}

export interface ReadResult {
  format: RunFileFormat
  files: string[]
  records: RunRecord[]
  errors: LineError[]
}

/** Which reader a path needs. `segzero`/`visionreasoner` cover both their evaluation folder and raw outputs. */
export async function detectRunFormat(p: string, option: RunFormatOption): Promise<RunFileFormat> {
  const stat = fs.statSync(p, { throwIfNoEntry: false })
  if (!stat) throw new Error(`${p}: no such file or folder`)
  if (stat.isDirectory() || p.toLowerCase().endsWith('.json')) {
    if (option === 'jsonl') throw new Error(`${p}: --format jsonl needs a .jsonl file`)
    return 'eval'
  }
  if (option === 'jsonl') return 'jsonl'
  const first = await firstRecord(p)
  const looksRaw =
    first !== null && typeof first.output === 'string' && !('mask' in first) && !('mask_png' in first)
  if (option === 'segzero' || option === 'visionreasoner') {
    if (!looksRaw && first !== null) {
      throw new Error(
        `${p}: --format ${option} expects an output_*.json folder or a JSONL with an "output" field per line`,
      )
    }
    return 'raw'
  }
  return looksRaw ? 'raw' : 'jsonl'
}

export async function readRunFiles(p: string, format: RunFileFormat): Promise<ReadResult> {
  const out: ReadResult = { format, files: [], records: [], errors: [] }
  if (format === 'eval') {
    const files = fs.statSync(p).isDirectory() ? evalFiles(p) : [p]
    for (const f of files) readEvalFile(f, out)
    out.files = files
    return out
  }
  out.files = [p]
  await forEachJsonLine(p, out.errors, (obj, line) => {
    const rec = format === 'raw' ? rawRecord(obj, p, line) : genericRecord(obj, p, line)
    if (rec instanceof LineError) out.errors.push(rec)
    else out.records.push(rec)
  })
  return out
}

/** `output_*.json` in a folder, sorted as their `calculate_iou_with_bbox.py` globs them. */
function evalFiles(dir: string): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((n) => /^output_.*\.json$/.test(n))
    .sort()
    .map((n) => path.join(dir, n))
  if (files.length === 0)
    throw new Error(`${dir}: no output_*.json files (Seg-Zero / VisionReasoner evaluation output)`)
  return files
}

async function firstRecord(file: string): Promise<Record<string, unknown> | null> {
  const input = fs.createReadStream(file, 'utf8')
  const rl = readline.createInterface({ input, crlfDelay: Infinity })
  try {
    for await (const text of rl) {
      if (text.trim() === '') continue
      try {
        const v: unknown = JSON.parse(text.replace(/^\uFEFF/, ''))
        return isObject(v) ? v : null
      } catch {
        return null
      }
    }
    return null
  } finally {
    // Closing readline does not close its input: stopping after the first line would leak the descriptor.
    rl.close()
    input.destroy()
  }
}

async function forEachJsonLine(
  file: string,
  errors: LineError[],
  fn: (obj: Record<string, unknown>, line: number) => void,
): Promise<void> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity })
  let line = 0
  for await (const text of rl) {
    line++
    if (text.trim() === '') continue
    let v: unknown
    try {
      v = JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text)
    } catch (err) {
      errors.push(new LineError(file, line, `not valid JSON (${(err as Error).message})`))
      continue
    }
    if (!isObject(v)) {
      errors.push(new LineError(file, line, 'expected a JSON object per line'))
      continue
    }
    fn(v, line)
  }
}

function readEvalFile(file: string, out: ReadResult): void {
  const text = fs.readFileSync(file, 'utf8')
  let items: unknown
  try {
    items = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    const msg = (err as Error).message
    const at = /at position (\d+)/.exec(msg)
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1
    out.errors.push(new LineError(file, line, `not valid JSON (${msg})`))
    return
  }
  if (!Array.isArray(items)) {
    out.errors.push(
      new LineError(file, 1, 'expected a JSON list of {image_id, ann_id, intersection, union, …}'),
    )
    return
  }
  const lines = arrayItemLines(text)
  items.forEach((item, k) => {
    const line = lines[k] ?? 1
    const err = (m: string) => out.errors.push(new LineError(file, line, `item ${k}: ${m}`))
    if (!isObject(item)) return err('expected an object')
    const ids = sampleIds(item)
    if (typeof ids === 'string') return err(ids)
    const { intersection, union } = item
    if (!isCount(intersection)) return err('"intersection" must be a non-negative integer')
    if (!isCount(union)) return err('"union" must be a non-negative integer')
    if (intersection > union) return err(`intersection ${intersection} is larger than union ${union}`)
    const bboxIou = item.bbox_iou
    if (bboxIou !== undefined && bboxIou !== null && typeof bboxIou !== 'number')
      return err('"bbox_iou" must be a number')
    const think = item.think
    if (think !== undefined && think !== null && typeof think !== 'string')
      return err('"think" must be a string (the model\'s reasoning)')
    out.records.push({
      file,
      line,
      imageId: ids.imageId,
      annId: ids.annId,
      rawOutput: null,
      reasoning: typeof think === 'string' && think !== '' ? think : null,
      answer: null,
      prompts: null,
      mask: null,
      counts: { intersection, union },
      bboxIou: typeof bboxIou === 'number' ? bboxIou : null,
    })
  })
}

function rawRecord(obj: Record<string, unknown>, file: string, line: number): RunRecord | LineError {
  const ids = sampleIds(obj)
  if (typeof ids === 'string') return new LineError(file, line, ids)
  if (typeof obj.output !== 'string')
    return new LineError(file, line, '"output" (the generated text) must be a string')
  return {
    file,
    line,
    ...ids,
    rawOutput: obj.output,
    reasoning: null,
    answer: null,
    prompts: null,
    mask: null,
    counts: null,
    bboxIou: null,
  }
}

function genericRecord(obj: Record<string, unknown>, file: string, line: number): RunRecord | LineError {
  const fail = (m: string) => new LineError(file, line, m)
  const ids = sampleIds(obj)
  if (typeof ids === 'string') return fail(ids)
  let rawOutput: string | null = null
  if (obj.reasoning !== undefined && obj.reasoning !== null) {
    if (typeof obj.reasoning !== 'string') return fail('"reasoning" must be a string (the raw model output)')
    rawOutput = obj.reasoning
  }
  const prompts = promptsOf(obj)
  if (typeof prompts === 'string') return fail(prompts)
  if (obj.mask != null && obj.mask_png != null) return fail('give either "mask" or "mask_png", not both')
  let mask: Rle | null = null
  try {
    if (obj.mask != null) mask = parseCocoMask(obj.mask)
    else if (obj.mask_png != null) {
      if (typeof obj.mask_png !== 'string')
        return fail('"mask_png" must be a path relative to the JSONL file')
      const png = path.resolve(path.dirname(file), obj.mask_png)
      if (!fs.existsSync(png)) return fail(`mask_png ${obj.mask_png}: file not found (looked at ${png})`)
      mask = readMaskPng(png)
    }
  } catch (err) {
    return fail((err as Error).message)
  }
  return {
    file,
    line,
    ...ids,
    rawOutput,
    reasoning: rawOutput === null ? null : (tagText(rawOutput, 'think') ?? rawOutput),
    answer: rawOutput === null ? null : tagText(rawOutput, 'answer'),
    prompts,
    mask,
    counts: null,
    bboxIou: null,
  }
}

function sampleIds(obj: Record<string, unknown>): { imageId: string; annId: string } | string {
  const id = (k: string) =>
    typeof obj[k] === 'string' ? (obj[k] as string) : typeof obj[k] === 'number' ? String(obj[k]) : null
  const imageId = id('image_id')
  const annId = id('ann_id')
  if (imageId === null) return '"image_id" is missing (a string matching the dataset)'
  if (annId === null) return '"ann_id" is missing (a string matching the dataset)'
  return { imageId, annId }
}

/**
 * `bbox` is one box [x1,y1,x2,y2] or a list of boxes; `points` a list of [x,y] (or [x,y,label]).
 * One box: one object holding every point. Several boxes: one point per box (VisionReasoner pairs them
 * this way) or no points.
 */
function promptsOf(obj: Record<string, unknown>): ObjectPrompt[] | null | string {
  const { bbox, points } = obj
  if (bbox == null && points == null) return null
  let boxes: [number, number, number, number][] = []
  if (bbox != null) {
    if (isBox(bbox)) boxes = [bbox]
    else if (Array.isArray(bbox) && bbox.every(isBox)) boxes = bbox as [number, number, number, number][]
    else {
      return '"bbox" must be [x1, y1, x2, y2] with x1 <= x2 and y1 <= y2, or a list of such boxes (numbers within ±1e7, original pixels)'
    }
  }
  const pts: PromptPoint[] = []
  if (points != null) {
    if (!Array.isArray(points)) return '"points" must be a list of [x, y] or [x, y, label]'
    for (const p of points) {
      const ok = Array.isArray(p) && (p.length === 2 || p.length === 3) && p.slice(0, 2).every(isNum)
      if (!ok || (p.length === 3 && p[2] !== 0 && p[2] !== 1)) {
        return '"points" must be a list of [x, y] or [x, y, label] with label 0 or 1 (numbers within ±1e7)'
      }
      pts.push({ x: p[0], y: p[1], label: p.length === 3 ? (p[2] as 0 | 1) : 1 })
    }
  }
  if (boxes.length <= 1) return [{ ...(boxes.length === 1 ? { box: boxes[0] } : {}), points: pts }]
  if (pts.length === 0) return boxes.map((box) => ({ box, points: [] }))
  if (pts.length !== boxes.length) {
    return `"bbox" has ${boxes.length} boxes but "points" has ${pts.length} points; give one point per box or none`
  }
  return boxes.map((box, i) => ({ box, points: [pts[i]] }))
}

function tagText(raw: string, tag: string): string | null {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(raw)
  return m ? m[1].trim() : null
}

/** Line (1-based) where each top-level element of a JSON array starts. */
export function arrayItemLines(text: string): number[] {
  const lines: number[] = []
  let line = 1
  let depth = 0
  let inString = false
  let expectItem = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\n') line++
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
      continue
    }
    if (depth === 1 && expectItem && !/\s/.test(ch) && ch !== ']') {
      lines.push(line)
      expectItem = false
    }
    if (ch === '"') inString = true
    else if (ch === '[' || ch === '{') {
      depth++
      if (depth === 1) expectItem = true
    } else if (ch === ']' || ch === '}') depth--
    else if (ch === ',' && depth === 1) expectItem = true
  }
  return lines
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Prompt coordinates beyond this many pixels are absurd (no image is ten million pixels wide). */
const MAX_COORD = 1e7

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_COORD
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0
}

function isBox(v: unknown): v is [number, number, number, number] {
  return Array.isArray(v) && v.length === 4 && v.every(isNum) && v[0] <= v[2] && v[1] <= v[3]
}
