/**
 * Parsing of Seg-Zero / VisionReasoner reasoning-model output: `<think>…</think><answer>[…]</answer>`.
 *
 * Reference behaviour (JIA-Lab-research/VisionReasoner `vision_reasoner/models/vision_reasoner_model.py`,
 * `extract_bbox_points_think`; Seg-Zero `inference_scripts/infer_multi_object.py` is the same):
 * - answer: `re.search(r'<answer>\s*(.*?)\s*</answer>', text, re.DOTALL)`, `json.loads` of the group, a list of
 *   `{"bbox_2d": [x1,y1,x2,y2], "point_2d": [x,y]}` in the model's 840×840 input space, each coordinate mapped
 *   back with `int(v * x_factor + 0.5)` where `x_factor = orig_width / 840` (y with the height);
 * - reasoning: `re.search(r'<think>([^<]+)</think>', text)`, group 1 untrimmed (no match when the thinking
 *   contains a `<`);
 * - any JSON error gives no objects at all (an empty mask).
 * The first Seg-Zero release (Seg-Zero `evaluation_scripts/evaluation.py`) answered one object
 * `{"bbox": […], "points_1": [x,y], "points_2": [x,y]}`, found with `re.search(r'{[^}]+}', text)` anywhere in
 * the text and mapped with `round(int(v) * factor)` (Python's round: half to even); that form is accepted with
 * its own rounding.
 *
 * Unlike the reference this parser is tolerant — code fences, text around the JSON, single quotes, Python
 * literals, trailing commas, a missing `</answer>` or missing tags, truncated output (complete objects are
 * kept) — and says what it tolerated in `notes`. It never throws: anything it cannot read yields zero objects,
 * the raw text stays with the caller, and `parseError` says why. Pure module (no Node, no DOM).
 */
import type { ObjectPrompt, PromptPoint } from './prompts'

export interface ParsedAnswer {
  /** The `<think>` text as the reference captures it, or a tolerant fallback; null when there is none. */
  reasoning: string | null
  /** The answer payload (inside `<answer>`, or the JSON found without tags); null when none was found. */
  answerText: string | null
  /** Objects in original-image pixels, in answer order; every point is positive (label 1). */
  objects: ObjectPrompt[]
  /** Why the answer counts as an empty prediction; null when it parsed (an empty list `[]` parses). */
  parseError: string | null
  /** What was tolerated on the way (missing tags, truncation, single quotes…); empty for a clean answer. */
  notes: string[]
}

export interface ParseOptions {
  /** Side of the square image the model saw; coordinates in the answer are in this space. Default 840. */
  inputSize?: number
}

export const SEG_ZERO_INPUT_SIZE = 840

export function parseSegZeroOutput(
  raw: string,
  size: { width: number; height: number },
  opts: ParseOptions = {},
): ParsedAnswer {
  try {
    return parse(raw, size, opts.inputSize ?? SEG_ZERO_INPUT_SIZE)
  } catch (err) {
    return {
      reasoning: null,
      answerText: null,
      objects: [],
      parseError: `internal parser error: ${err instanceof Error ? err.message : String(err)}`,
      notes: [],
    }
  }
}

function parse(raw: string, size: { width: number; height: number }, inputSize: number): ParsedAnswer {
  const notes: string[] = []
  const fail = (reasoning: string | null, answerText: string | null, parseError: string): ParsedAnswer => ({
    reasoning,
    answerText,
    objects: [],
    parseError,
    notes,
  })
  if (typeof raw !== 'string') return fail(null, null, 'model output is not text')
  if (!(size.width > 0 && size.height > 0 && inputSize > 0)) {
    return fail(null, null, `bad image size ${size.width}x${size.height} (input size ${inputSize})`)
  }

  const reasoning = extractReasoning(raw, notes)
  const located = locateAnswer(raw, notes)
  if (!located) {
    return fail(
      reasoning,
      null,
      raw.trim() === '' ? 'empty model output' : 'no <answer> tag and no JSON in the output',
    )
  }
  const answerText = located.text
  const body = stripFences(answerText, notes)
  // Try each "[" or "{" in turn: prose before the JSON may itself contain brackets.
  let firstError: string | null = null
  const factors = { x: size.width / inputSize, y: size.height / inputSize }
  let attempts = 0
  // A value that parses but holds no objects is skipped whole, never searched inside.
  let start = nextJsonStart(body, 0)
  while (start >= 0 && attempts < 50) {
    attempts++
    const tried: string[] = []
    const parsed = parseLenient(body, start, tried)
    const resumeAt = parsed.value !== undefined ? Math.max(start + 1, parsed.end) : start + 1
    let error = parsed.error ?? null
    if (parsed.value !== undefined) {
      const converted = toObjects(parsed.value, factors, tried)
      if (converted.objects.length > 0 || converted.emptyList) {
        if (start > 0) notes.push('text before the JSON in the answer ignored')
        notes.push(...tried)
        return { reasoning, answerText, objects: converted.objects, parseError: null, notes }
      }
      error = converted.error ?? error
    }
    firstError ??= error
    start = nextJsonStart(body, resumeAt)
  }
  if (attempts === 0) return fail(reasoning, answerText, `answer is not JSON: ${clip(body)}`)
  return fail(reasoning, answerText, firstError ?? 'answer is not JSON')
}

function extractReasoning(raw: string, notes: string[]): string | null {
  const exact = /<think>([^<]+)<\/think>/.exec(raw)
  if (exact) return exact[1]
  const withTags = /<think>([\s\S]*?)<\/think>/.exec(raw)
  if (withTags) {
    notes.push('thinking contains "<" (the reference regex would capture nothing)')
    return withTags[1]
  }
  const open = /<think>([\s\S]*?)(?=<answer>|$)/.exec(raw)
  if (open) {
    notes.push('no </think> tag')
    return open[1]
  }
  return null
}

/** The answer payload: a closed `<answer>` block, an unclosed one (truncated), or JSON found without tags. */
function locateAnswer(raw: string, notes: string[]): { text: string } | null {
  const closed = /<answer>\s*([\s\S]*?)\s*<\/answer>/.exec(raw)
  if (closed) return { text: closed[1] }
  const open = /<answer>\s*([\s\S]*)$/.exec(raw)
  if (open) {
    notes.push('no </answer> tag (output truncated?)')
    return { text: open[1].trim() }
  }
  // Without tags, look after the thinking so that an example inside it is not taken for the answer.
  const thinkEnd = raw.lastIndexOf('</think>')
  const tail = thinkEnd >= 0 ? raw.slice(thinkEnd + '</think>'.length) : raw
  const m = /[[{][\s\S]*?(?:bbox|point)/i.exec(tail)
  if (!m) return null
  notes.push('no <answer> tag: JSON searched in the text')
  return { text: tail.slice(m.index).trim() }
}

function stripFences(text: string, notes: string[]): string {
  const fence = /```[A-Za-z0-9_-]*[ \t]*\r?\n?([\s\S]*?)(?:```|$)/.exec(text)
  if (!fence) return text
  notes.push('code fence removed')
  return fence[1]
}

function nextJsonStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (text[i] === '[' || text[i] === '{') return i
  return -1
}

function clip(s: string, n = 60): string {
  const t = s.trim().replace(/\s+/g, ' ')
  return t.length > n ? `${t.slice(0, n)}…` : t
}

// ---------------------------------------------------------------------------------------------------------
// Lenient JSON: double- or single-quoted strings, unquoted keys, Python literals, trailing commas. The first
// complete value is returned and text after it ignored. A top-level array keeps the elements completed
// before a truncation or a syntax error, so a cut-off answer still yields its finished objects.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

class LenientError extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message)
  }
}

function parseLenient(
  text: string,
  start: number,
  notes: string[],
): { value?: Json; error?: string; end: number } {
  // Fast path: most answers are plain JSON with nothing after it.
  try {
    return { value: JSON.parse(text.slice(start)) as Json, end: text.length }
  } catch {
    // fall through to the lenient parser, which also reports what it tolerated
  }
  const p = new LenientParser(text, start)
  const ws = () => p.skipWs()
  ws()
  if (text[p.pos] === '[') {
    // Top-level list: parse element by element so complete elements survive a later failure.
    p.pos++
    const items: Json[] = []
    for (;;) {
      ws()
      if (p.pos >= text.length) {
        return partial(items, 'answer truncated inside the list', notes, p.pos)
      }
      if (text[p.pos] === ']') {
        p.pos++
        break
      }
      try {
        items.push(p.value())
      } catch (err) {
        const e = err as LenientError
        const what = e.truncated ? 'answer truncated' : `answer JSON error: ${e.message}`
        return partial(items, what, notes, p.pos)
      }
      ws()
      if (text[p.pos] === ',') {
        p.pos++
        continue
      }
      if (text[p.pos] === ']') {
        p.pos++
        break
      }
      if (p.pos >= text.length) return partial(items, 'answer truncated inside the list', notes, p.pos)
      return partial(items, `answer JSON error: expected "," or "]" at offset ${p.pos}`, notes, p.pos)
    }
    const end = p.pos
    noteRest(p, notes)
    return { value: items, end }
  }
  try {
    const value = p.value()
    const end = p.pos
    noteRest(p, notes)
    return { value, end }
  } catch (err) {
    const e = err as LenientError
    return {
      error: e.truncated
        ? 'answer truncated before the JSON was complete'
        : `answer JSON error: ${e.message}`,
      end: start + 1,
    }
  }
}

function partial(
  items: Json[],
  what: string,
  notes: string[],
  pos: number,
): { value?: Json; error?: string; end: number } {
  if (items.length === 0) return { error: what, end: pos }
  notes.push(`${what}: kept ${items.length} complete item${items.length === 1 ? '' : 's'}`)
  return { value: items, error: what, end: pos }
}

function noteRest(p: LenientParser, notes: string[]): void {
  p.skipWs()
  if (p.pos < p.text.length) notes.push('text after the JSON ignored')
  if (p.lenient.size > 0) notes.push(`non-standard JSON accepted (${[...p.lenient].sort().join(', ')})`)
}

class LenientParser {
  /** Which non-JSON liberties were taken, for the notes. */
  readonly lenient = new Set<string>()
  private depth = 0

  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++
  }

  value(): Json {
    this.skipWs()
    if (this.pos >= this.text.length) throw new LenientError('unexpected end', true)
    const c = this.text[this.pos]
    if (c === '{') return this.nested(() => this.object())
    if (c === '[') return this.nested(() => this.array())
    if (c === '"' || c === "'") return this.string()
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) return this.number()
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 16))
    if (word) {
      const w = word[0]
      const literals: Record<string, Json> = {
        true: true,
        false: false,
        null: null,
        True: true,
        False: false,
        None: null,
      }
      if (w in literals) {
        if (w === 'True' || w === 'False' || w === 'None') this.lenient.add('Python literals')
        this.pos += w.length
        return literals[w]
      }
      if (this.pos + w.length >= this.text.length) throw new LenientError('unexpected end', true)
      throw new LenientError(`unexpected word "${w}" at offset ${this.pos}`, false)
    }
    throw new LenientError(`unexpected "${c}" at offset ${this.pos}`, false)
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > 64) throw new LenientError('nesting too deep', false)
    try {
      return fn()
    } finally {
      this.depth--
    }
  }

  private object(): { [key: string]: Json } {
    const out: { [key: string]: Json } = {}
    this.items('}', () => {
      const key = this.key()
      this.skipWs()
      if (this.pos >= this.text.length) throw new LenientError('unexpected end', true)
      if (this.text[this.pos] !== ':') throw new LenientError(`expected ":" at offset ${this.pos}`, false)
      this.pos++
      out[key] = this.value()
    })
    return out
  }

  /**
   * The comma-separated items of an object or array, from its opening bracket (at `pos`) through `close`;
   * a trailing comma is tolerated and noted.
   */
  private items(close: '}' | ']', item: () => void): void {
    this.pos++
    for (;;) {
      this.skipWs()
      if (this.pos >= this.text.length) throw new LenientError('unexpected end', true)
      if (this.text[this.pos] === close) {
        this.pos++
        return
      }
      item()
      this.skipWs()
      if (this.pos >= this.text.length) throw new LenientError('unexpected end', true)
      const c = this.text[this.pos]
      if (c === ',') {
        this.pos++
        this.skipWs()
        if (this.text[this.pos] === close) this.lenient.add('trailing comma')
        continue
      }
      if (c === close) {
        this.pos++
        return
      }
      throw new LenientError(`expected "," or "${close}" at offset ${this.pos}`, false)
    }
  }

  private key(): string {
    const c = this.text[this.pos]
    if (c === '"' || c === "'") return this.string()
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64))
    if (!m) throw new LenientError(`expected a key at offset ${this.pos}`, false)
    if (this.pos + m[0].length >= this.text.length) throw new LenientError('unexpected end', true)
    this.lenient.add('unquoted keys')
    this.pos += m[0].length
    return m[0]
  }

  private array(): Json[] {
    const out: Json[] = []
    this.items(']', () => out.push(this.value()))
    return out
  }

  private string(): string {
    const quote = this.text[this.pos]
    if (quote === "'") this.lenient.add('single quotes')
    this.pos++
    let out = ''
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]
      if (c === quote) return out
      if (c === '\\') {
        if (this.pos >= this.text.length) break
        const e = this.text[this.pos++]
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/' }
        if (e === 'u') {
          const hex = this.text.slice(this.pos, this.pos + 4)
          if (hex.length < 4) break
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            throw new LenientError(`bad \\u escape at offset ${this.pos}`, false)
          out += String.fromCharCode(parseInt(hex, 16))
          this.pos += 4
        } else {
          out += simple[e] ?? e
        }
        continue
      }
      out += c
    }
    throw new LenientError('unexpected end inside a string', true)
  }

  private number(): number {
    const m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64))
    if (!m) throw new LenientError(`bad number at offset ${this.pos}`, false)
    // A number running into the end of the text may have lost digits: treat it as truncated.
    if (this.pos + m[0].length >= this.text.length) throw new LenientError('unexpected end', true)
    this.pos += m[0].length
    return Number(m[0])
  }
}

// ---------------------------------------------------------------------------------------------------------
// From parsed JSON to prompts in original pixels.

interface Factors {
  x: number
  y: number
}

/** `int(v * factor + 0.5)`: Python's int() truncates toward zero; `+ 0` turns -0 into 0. */
function mapModern(v: number, factor: number): number {
  return Math.trunc(v * factor + 0.5) + 0
}

/** `round(int(v) * factor)` with Python 3's round-half-to-even, as the first Seg-Zero release did. */
function mapLegacy(v: number, factor: number): number {
  return pyRound(Math.trunc(v) * factor) + 0
}

export function pyRound(x: number): number {
  const f = Math.floor(x)
  const d = x - f
  if (d > 0.5) return f + 1
  if (d < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

function toObjects(
  value: Json,
  factors: Factors,
  notes: string[],
): { objects: ObjectPrompt[]; error?: string; emptyList?: boolean } {
  let items: Json[]
  if (Array.isArray(value)) {
    items = value
    if (items.length === 0) return { objects: [], emptyList: true }
  } else if (value !== null && typeof value === 'object') {
    notes.push('single object not wrapped in a list')
    items = [value]
  } else {
    return {
      objects: [],
      error: `answer JSON is a ${value === null ? 'null' : typeof value}, not a list of objects`,
    }
  }
  const objects: ObjectPrompt[] = []
  const problems: string[] = []
  items.forEach((item, i) => {
    const r = toObject(item, factors)
    if (typeof r === 'string') problems.push(`item ${i}: ${r}`)
    else objects.push(r)
  })
  if (problems.length > 0) {
    if (objects.length > 0) notes.push(`skipped ${problems.join('; ')}`)
    else return { objects, error: `no usable object in the answer (${problems.join('; ')})` }
  }
  return { objects }
}

function num(v: Json | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(v)) return Number(v)
  return null
}

function numbers(v: Json | undefined, n: number): number[] | null {
  if (!Array.isArray(v) || v.length !== n) return null
  const out = v.map(num)
  return out.every((x) => x !== null) ? (out as number[]) : null
}

function toObject(item: Json, f: Factors): ObjectPrompt | string {
  if (Array.isArray(item)) {
    const box = numbers(item, 4)
    if (!box) return 'neither an object nor a bbox list'
    return { box: mapBox(box, f, mapModern), points: [] }
  }
  if (item === null || typeof item !== 'object')
    return `a ${item === null ? 'null' : typeof item}, not an object`
  const keys = Object.keys(item)
  const legacy = !('bbox_2d' in item) && !('point_2d' in item) && keys.some((k) => /points?_\d+/i.test(k))
  const map = legacy ? mapLegacy : mapModern

  const boxKey = 'bbox_2d' in item ? 'bbox_2d' : keys.find((k) => /bbox|^box$/i.test(k))
  let box: ObjectPrompt['box']
  if (boxKey !== undefined) {
    const b = numbers(item[boxKey], 4)
    if (!b) return `"${boxKey}" is not 4 numbers`
    box = mapBox(b, f, map)
  }

  const points: PromptPoint[] = []
  const pointKeys = legacy
    ? keys.filter((k) => /points/i.test(k)).slice(0, 2)
    : keys.filter((k) => /^(point_2d|points?_2d|points?)$/i.test(k))
  for (const k of pointKeys) {
    const v = item[k]
    const single = numbers(v, 2)
    if (single) {
      points.push(mapPoint(single, f, map))
      continue
    }
    if (Array.isArray(v) && v.length > 0 && v.every((p) => numbers(p, 2))) {
      for (const p of v) points.push(mapPoint(numbers(p, 2) as number[], f, map))
      continue
    }
    return `"${k}" is not an [x, y] point`
  }
  if (!box && points.length === 0) return 'no bbox_2d or point_2d'
  return box ? { box, points } : { points }
}

function mapBox(
  b: number[],
  f: Factors,
  map: (v: number, factor: number) => number,
): [number, number, number, number] {
  return [map(b[0], f.x), map(b[1], f.y), map(b[2], f.x), map(b[3], f.y)]
}

function mapPoint(p: number[], f: Factors, map: (v: number, factor: number) => number): PromptPoint {
  return { x: map(p[0], f.x), y: map(p[1], f.y), label: 1 }
}
