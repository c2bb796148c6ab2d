/**
 * The few pieces of CPython behaviour the Seg-Zero reward functions depend on, emulated exactly so that a
 * reward computed here equals the trainer's: `json.loads` (which accepts `NaN`, `Infinity`, `-Infinity` and
 * keeps the insertion order of object keys, unlike `JSON.parse` which moves integer-like keys first), the
 * Unicode whitespace set of `str.isspace()` behind regex `\s` and `str.strip()` (it differs from JavaScript's:
 * Python counts U+001C–U+001F and U+0085, JavaScript counts U+FEFF), `len()` of a str (code points) and
 * `int()` of a str. Pure module.
 */

/** A value as `json.loads` returns it. Objects are Maps so key order and `__proto__` keys behave as in Python. */
export type PyValue = null | boolean | number | string | PyValue[] | PyDict
export type PyDict = Map<string, PyValue>

export class PyJsonError extends Error {}

/** Characters for which CPython's `str.isspace()` is true: what `\s` matches in a str pattern and `strip()` removes. */
export const PY_WS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_WS_RE = new RegExp(`[${PY_WS}]`)
const STRIP_RE = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g')

export function isPyDict(v: PyValue): v is PyDict {
  return v instanceof Map
}

/** `str.strip()` with Python's whitespace set. */
export function pyStrip(s: string): string {
  return s.replace(STRIP_RE, '')
}

export function isPyWhitespace(ch: string): boolean {
  return PY_WS_RE.test(ch)
}

/** `len(s)` of a Python str: code points, not UTF-16 units. */
export function pyStrLen(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

/** `len(v)`; null for types without a length (numbers, bools, None: Python raises TypeError). */
export function pyLen(v: PyValue): number | null {
  if (typeof v === 'string') return pyStrLen(v)
  if (Array.isArray(v)) return v.length
  if (isPyDict(v)) return v.size
  return null
}

/** `v[i]` for a list or str (code point indexing); undefined where Python would raise. */
export function pyIndex(v: PyValue, i: number): PyValue | undefined {
  if (Array.isArray(v)) return i < v.length ? v[i] : undefined
  if (typeof v === 'string') {
    const cps = [...v]
    return i < cps.length ? cps[i] : undefined
  }
  return undefined
}

/** A Python number (int, float or bool, which is an int subclass) as a double; null for other types. */
export function pyNumber(v: PyValue | undefined): number | null {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  return null
}

const INT_LITERAL = /^[+-]?[0-9](?:_?[0-9])*$/

/**
 * `int(v)`: floats truncate toward zero (NaN and ±inf raise), bools are 0/1, strings parse as base-10
 * integer literals with surrounding whitespace and `_` between digits allowed. Null where Python raises.
 * (Non-ASCII decimal digits, which Python's int() also accepts, are not supported: a reward then reads 0.)
 */
export function pyInt(v: PyValue | undefined): number | null {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) + 0 : null
  if (typeof v === 'string') {
    const t = pyStrip(v)
    if (!INT_LITERAL.test(t)) return null
    return Number(t.replace(/_/g, '')) + 0
  }
  return null
}

/**
 * `json.loads(text)` with CPython's default (C scanner, strict) behaviour: JSON plus `NaN`, `Infinity` and
 * `-Infinity`; whitespace is only space, tab, CR and LF; control characters inside strings are errors; a
 * leading BOM is an error; trailing data is an error; duplicate keys keep the last value at the first key's
 * position. Throws PyJsonError where Python raises JSONDecodeError.
 */
export function pyJsonLoads(text: string): PyValue {
  if (text.startsWith('\ufeff')) throw new PyJsonError('Unexpected UTF-8 BOM')
  const p = new Parser(text)
  p.ws()
  const v = p.value()
  p.ws()
  if (p.i !== text.length) throw new PyJsonError(`Extra data at ${p.i}`)
  return v
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y

class Parser {
  i = 0
  constructor(private readonly s: string) {}

  ws(): void {
    const s = this.s
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i)
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++
      else break
    }
  }

  fail(what: string): never {
    throw new PyJsonError(`${what} at ${this.i}`)
  }

  value(): PyValue {
    const s = this.s
    const c = s.charCodeAt(this.i)
    // Dispatch on the first character; numbers are by far the most common value in an answer.
    if ((c >= 0x30 && c <= 0x39) || (c === 0x2d && !s.startsWith('-Infinity', this.i))) {
      NUMBER_RE.lastIndex = this.i
      const m = NUMBER_RE.exec(s)
      if (!m) this.fail('Expecting value')
      this.i += m[0].length
      return Number(m[0]) + 0
    }
    if (c === 0x7b) return this.object()
    if (c === 0x5b) return this.array()
    if (c === 0x22) return this.string()
    if (s.startsWith('null', this.i)) return this.lit(4, null)
    if (s.startsWith('true', this.i)) return this.lit(4, true)
    if (s.startsWith('false', this.i)) return this.lit(5, false)
    if (s.startsWith('NaN', this.i)) return this.lit(3, NaN)
    if (s.startsWith('Infinity', this.i)) return this.lit(8, Infinity)
    if (s.startsWith('-Infinity', this.i)) return this.lit(9, -Infinity)
    return this.fail('Expecting value')
  }

  lit<T extends PyValue>(n: number, v: T): T {
    this.i += n
    return v
  }

  array(): PyValue[] {
    this.i++
    const out: PyValue[] = []
    this.ws()
    if (this.s[this.i] === ']') {
      this.i++
      return out
    }
    for (;;) {
      this.ws()
      out.push(this.value())
      this.ws()
      const c = this.s[this.i++]
      if (c === ']') return out
      if (c !== ',') this.fail("Expecting ',' delimiter")
    }
  }

  object(): PyDict {
    this.i++
    const out: PyDict = new Map()
    this.ws()
    if (this.s[this.i] === '}') {
      this.i++
      return out
    }
    for (;;) {
      this.ws()
      if (this.s[this.i] !== '"') this.fail('Expecting property name enclosed in double quotes')
      const key = this.string()
      this.ws()
      if (this.s[this.i++] !== ':') this.fail("Expecting ':' delimiter")
      this.ws()
      out.set(key, this.value())
      this.ws()
      const c = this.s[this.i++]
      if (c === '}') return out
      if (c !== ',') this.fail("Expecting ',' delimiter")
    }
  }

  string(): string {
    const s = this.s
    this.i++
    let out = ''
    for (;;) {
      if (this.i >= s.length) this.fail('Unterminated string')
      const c = s.charCodeAt(this.i)
      if (c === 0x22) {
        this.i++
        return out
      }
      if (c < 0x20) this.fail('Invalid control character')
      if (c !== 0x5c) {
        // Copy the run of plain characters up to the next quote, backslash or control character at once.
        let j = this.i + 1
        while (j < s.length) {
          const d = s.charCodeAt(j)
          if (d === 0x22 || d === 0x5c || d < 0x20) break
          j++
        }
        out += s.slice(this.i, j)
        this.i = j
        continue
      }
      const e = s[this.i + 1]
      this.i += 2
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case 'u': {
          const hex = s.slice(this.i, this.i + 4)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape')
          out += String.fromCharCode(parseInt(hex, 16))
          this.i += 4
          break
        }
        default:
          this.fail('Invalid \\escape')
      }
    }
  }
}
