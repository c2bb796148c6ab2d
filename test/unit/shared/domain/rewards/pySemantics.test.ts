import { describe, expect, it } from 'vitest'
import {
  PyJsonError,
  pyInt,
  pyJsonLoads,
  pyLen,
  pyStrip,
} from '../../../../../src/shared/domain/rewards/pySemantics'

describe('pyJsonLoads (CPython json.loads)', () => {
  it('accepts NaN and ±Infinity and keeps key insertion order, integer-like keys included', () => {
    const v = pyJsonLoads('{"b": NaN, "1": Infinity, "a": -Infinity, "b": 2}') as Map<string, number>
    expect([...v.keys()]).toEqual(['b', '1', 'a'])
    expect(v.get('b')).toBe(2)
    expect(v.get('1')).toBe(Infinity)
    expect(v.get('a')).toBe(-Infinity)
    expect(Number.isNaN(pyJsonLoads('NaN'))).toBe(true)
  })
  it('rejects what Python rejects: trailing commas, single quotes, raw control characters, a BOM, extra data', () => {
    for (const bad of ['[1,]', "['a']", '"a\u0001"', '\ufeff[]', '[] x', '01', '.5', '-', '{"a" 1}'])
      expect(() => pyJsonLoads(bad), bad).toThrow(PyJsonError)
  })
  it('allows only JSON whitespace around values', () => {
    expect(pyJsonLoads(' \t\r\n[1, 2]\n')).toEqual([1, 2])
    expect(() => pyJsonLoads('\u00a0[1]')).toThrow(PyJsonError)
  })
})

describe('Python str and int semantics', () => {
  it('strips Python whitespace (U+001C–U+001F, U+0085) but not U+FEFF', () => {
    expect(pyStrip('\x1c\x85 a \u3000')).toBe('a')
    expect(pyStrip('\ufeffa')).toBe('\ufeffa')
  })
  it('counts code points for len() of a str', () => {
    expect(pyLen('ab😀')).toBe(3)
    expect(pyLen(new Map([['a', 1]]))).toBe(1)
    expect(pyLen(5)).toBeNull()
  })
  it('int(): truncates floats, parses digit strings with underscores, refuses NaN, inf and decimals', () => {
    expect(pyInt(-2.7)).toBe(-2)
    expect(pyInt(true)).toBe(1)
    expect(pyInt(' 1_000 ')).toBe(1000)
    expect(pyInt('1.5')).toBeNull()
    expect(pyInt(NaN)).toBeNull()
    expect(pyInt(Infinity)).toBeNull()
    expect(pyInt('_1')).toBeNull()
  })
})
