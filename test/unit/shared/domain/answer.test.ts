import { describe, expect, it } from 'vitest'
import { parseSegZeroOutput, pyRound } from '../../../../src/shared/domain/answer'

// Expected coordinates are worked out by hand from the reference's formula int(v * orig / 840 + 0.5)
// (and round(int(v) * orig / 840), half to even, for the first Seg-Zero release's single-object form).

const HD = { width: 1280, height: 720 }
const VR_ANSWER =
  '[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [225,296,706,786], "point_2d": [302,410]}]'
// x factor 1280/840 = 1.5238…, y factor 720/840 = 0.8571…
// 10→15.74→15, 100→86.2→86, 200→305.3→305, 210→180.5→180, 30→46.2→46, 110→94.8→94
// 225→343.4→343, 296→254.2→254, 706→1076.3→1076, 786→674.2→674, 302→460.7→460, 410→351.9→351
const VR_OBJECTS = [
  { box: [15, 86, 305, 180], points: [{ x: 46, y: 94, label: 1 }] },
  { box: [343, 254, 1076, 674], points: [{ x: 460, y: 351, label: 1 }] },
]

describe('parseSegZeroOutput: well-formed answers', () => {
  it('parses a VisionReasoner two-object answer and maps coordinates to original pixels', () => {
    const raw = `<think> The cup on the left holds water, the bottle too. </think><answer>${VR_ANSWER}</answer>`
    const r = parseSegZeroOutput(raw, HD)
    expect(r.parseError).toBeNull()
    expect(r.reasoning).toBe(' The cup on the left holds water, the bottle too. ')
    expect(r.answerText).toBe(VR_ANSWER)
    expect(r.objects).toEqual(VR_OBJECTS)
    expect(r.notes).toEqual([])
  })

  it('uses int() truncation toward zero, not floor, and +0.5', () => {
    // factor 1 (840 wide): 10 → 10.5 → 10; 10.5 → 11; -0.7 → -0.2 → 0; -2 → -1.5 → -1 (floor would give -2)
    const raw = '<answer>[{"bbox_2d": [10, 10.5, -0.7, -2], "point_2d": [839.4, 0.49]}]</answer>'
    const r = parseSegZeroOutput(raw, { width: 840, height: 840 })
    expect(r.objects).toEqual([{ box: [10, 11, 0, -1], points: [{ x: 839, y: 0, label: 1 }] }])
    expect(Object.is(r.objects[0].box?.[2], -0)).toBe(false)
  })

  it('scales x with the width and y with the height', () => {
    // 420x1680: x factor 0.5, y factor 2. x: 3 → 1.5+0.5 = 2; 1 → 1. y: 3 → 6.5 → 6; 0.3 → 1.1 → 1
    const r = parseSegZeroOutput('<answer>[{"bbox_2d":[3,3,1,0.3],"point_2d":[3,3]}]</answer>', {
      width: 420,
      height: 1680,
    })
    expect(r.objects).toEqual([{ box: [2, 6, 1, 1], points: [{ x: 2, y: 6, label: 1 }] }])
  })

  it('honours a different input size', () => {
    // input 1000, image 500x2000: x factor 0.5, y factor 2
    const r = parseSegZeroOutput(
      '<answer>[{"bbox_2d":[100,100,300,300],"point_2d":[201,151]}]</answer>',
      {
        width: 500,
        height: 2000,
      },
      { inputSize: 1000 },
    )
    expect(r.objects).toEqual([{ box: [50, 200, 150, 600], points: [{ x: 101, y: 302, label: 1 }] }])
  })

  it('accepts whitespace and newlines around the answer JSON (the reference regex trims them)', () => {
    const r = parseSegZeroOutput(`<think>a</think>\n<answer>\n  ${VR_ANSWER}\n</answer>\n`, HD)
    expect(r.objects).toEqual(VR_OBJECTS)
    expect(r.answerText).toBe(VR_ANSWER)
  })

  it('treats an empty list as a parsed answer with no objects', () => {
    const r = parseSegZeroOutput('<think>nothing matches</think><answer>[]</answer>', HD)
    expect(r).toMatchObject({ objects: [], parseError: null, answerText: '[]', reasoning: 'nothing matches' })
  })

  it('parses the first Seg-Zero single-object form with its round-half-to-even mapping', () => {
    // 420 wide / 840 → factor 0.5: bbox 3→1.5→2, 5→2.5→2 (even), 7→3.5→4, 5.9→int 5→2.5→2
    // height 1260 → factor 1.5: 10→15, 11→16.5→16 (even), 13→19.5→20
    const raw =
      "<think>the lamp</think><answer>{'bbox': [3, 10, 7, 11], 'points_1': [5, 13], 'points_2': [5.9, 10]}</answer>"
    const r = parseSegZeroOutput(raw, { width: 420, height: 1260 })
    expect(r.parseError).toBeNull()
    expect(r.objects).toEqual([
      {
        box: [2, 15, 4, 16],
        points: [
          { x: 2, y: 20, label: 1 },
          { x: 2, y: 15, label: 1 },
        ],
      },
    ])
  })

  it('pyRound rounds halves to even like Python 3', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(pyRound)).toEqual([0, 2, 2, 0, -2, 2, 3])
  })
})

describe('parseSegZeroOutput: reasoning extraction', () => {
  it('captures exactly what <think>([^<]+)</think> captures', () => {
    const r = parseSegZeroOutput(`<think>\n step 1\n step 2 \n</think>\n<answer>${VR_ANSWER}</answer>`, HD)
    expect(r.reasoning).toBe('\n step 1\n step 2 \n')
  })

  it('falls back to the tagged text when the thinking contains "<" (reference captures nothing)', () => {
    const r = parseSegZeroOutput(`<think>width < height here</think><answer>${VR_ANSWER}</answer>`, HD)
    expect(r.reasoning).toBe('width < height here')
    expect(r.objects).toHaveLength(2)
    expect(r.notes.join(' ')).toMatch(/contains "<"/)
  })

  it('keeps an unclosed thinking block up to the answer', () => {
    const r = parseSegZeroOutput(`<think>ran out of tags <answer>${VR_ANSWER}</answer>`, HD)
    expect(r.reasoning).toBe('ran out of tags ')
    expect(r.objects).toEqual(VR_OBJECTS)
  })

  it('returns null reasoning when there is no think tag', () => {
    expect(parseSegZeroOutput(`<answer>${VR_ANSWER}</answer>`, HD).reasoning).toBeNull()
  })
})

describe('parseSegZeroOutput: tolerated deviations', () => {
  it('strips a ```json code fence inside the answer', () => {
    const r = parseSegZeroOutput('<answer>```json\n' + VR_ANSWER + '\n```</answer>', HD)
    expect(r.objects).toEqual(VR_OBJECTS)
    expect(r.notes).toContain('code fence removed')
  })

  it('ignores trailing text after the JSON', () => {
    const r = parseSegZeroOutput(`<answer>${VR_ANSWER} These are the two drinks.</answer>`, HD)
    expect(r.objects).toEqual(VR_OBJECTS)
    expect(r.notes).toContain('text after the JSON ignored')
  })

  it('ignores prose (with brackets) before the JSON', () => {
    const r = parseSegZeroOutput(`<answer>Objects [two of them]: ${VR_ANSWER}</answer>`, HD)
    expect(r.objects).toEqual(VR_OBJECTS)
  })

  it('skips a valid but object-less JSON value before the answer without searching inside it', () => {
    const r = parseSegZeroOutput(`<answer>[1] see: ${VR_ANSWER}</answer>`, HD)
    expect(r.objects).toEqual(VR_OBJECTS)
  })

  it('accepts single quotes, Python literals, unquoted keys and trailing commas', () => {
    const raw = "<answer>[{'bbox_2d': [10,100,200,210], point_2d: [30,110], 'ok': True,},]</answer>"
    const r = parseSegZeroOutput(raw, HD)
    expect(r.parseError).toBeNull()
    expect(r.objects).toEqual([VR_OBJECTS[0]])
    expect(r.notes.join(' ')).toMatch(/single quotes/)
  })

  it('accepts a single object not wrapped in a list', () => {
    const r = parseSegZeroOutput('<answer>{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}</answer>', HD)
    expect(r.objects).toEqual([VR_OBJECTS[0]])
    expect(r.notes).toContain('single object not wrapped in a list')
  })

  it('accepts numeric strings and several points per object', () => {
    const r = parseSegZeroOutput(
      '<answer>[{"bbox_2d": ["10","100","200","210"], "point_2d": [[30,110],[840,0]]}]</answer>',
      HD,
    )
    expect(r.objects).toEqual([
      {
        box: [15, 86, 305, 180],
        points: [
          { x: 46, y: 94, label: 1 },
          { x: 1280, y: 0, label: 1 },
        ],
      },
    ])
  })

  it('keeps an object with a box and no point (box-only prompt)', () => {
    const r = parseSegZeroOutput('<answer>[{"bbox_2d": [10,100,200,210]}]</answer>', HD)
    expect(r.objects).toEqual([{ box: [15, 86, 305, 180], points: [] }])
  })

  it('finds the JSON when the answer tags are missing, ignoring an example inside the thinking', () => {
    const raw =
      '<think>the format is [{"bbox_2d": [1,1,2,2], "point_2d": [1,1]}] so</think> Final: ' + VR_ANSWER
    const r = parseSegZeroOutput(raw, HD)
    expect(r.parseError).toBeNull()
    expect(r.objects).toEqual(VR_OBJECTS)
    expect(r.answerText).toBe(VR_ANSWER)
    expect(r.notes.join(' ')).toMatch(/no <answer> tag/)
  })

  it('finds the JSON with no tags at all', () => {
    const r = parseSegZeroOutput(`Sure! ${VR_ANSWER}`, HD)
    expect(r.objects).toEqual(VR_OBJECTS)
  })

  it('recovers the complete objects of a truncated answer', () => {
    const cut = VR_ANSWER.slice(0, VR_ANSWER.indexOf('[225') + 6)
    const r = parseSegZeroOutput(`<think>two drinks</think><answer>${cut}`, HD)
    expect(r.parseError).toBeNull()
    expect(r.objects).toEqual([VR_OBJECTS[0]])
    expect(r.notes.join(' ')).toMatch(/truncated.*kept 1 complete item/)
  })

  it('recovers nothing from an answer cut inside the first object', () => {
    const r = parseSegZeroOutput('<answer>[{"bbox_2d": [10,100,2', HD)
    expect(r.objects).toEqual([])
    expect(r.parseError).toMatch(/truncated/)
  })

  it('does not take a number cut at the end of the text as complete', () => {
    // "[{... "point_2d": [30,11" could be 110: the whole object must be dropped
    const r = parseSegZeroOutput('<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,11', HD)
    expect(r.objects).toEqual([])
    expect(r.parseError).toMatch(/truncated/)
  })

  it('keeps the valid objects and notes the skipped ones', () => {
    const r = parseSegZeroOutput(
      '<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [1,2]}]</answer>',
      HD,
    )
    expect(r.objects).toEqual([VR_OBJECTS[0]])
    expect(r.notes.join(' ')).toMatch(/item 1: "bbox_2d" is not 4 numbers/)
  })

  it('keeps complete objects before a syntax error later in the list', () => {
    const r = parseSegZeroOutput(
      '<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, {"bbox_2d": [1,2,3,4] "x"}]</answer>',
      HD,
    )
    expect(r.objects).toEqual([VR_OBJECTS[0]])
    expect(r.notes.join(' ')).toMatch(/JSON error/)
  })
})

describe('parseSegZeroOutput: unparseable output is an empty prediction with a reason', () => {
  const cases: [string, string, RegExp][] = [
    ['empty output', '', /empty model output/],
    ['prose only', 'I cannot see any cup in this image.', /no <answer> tag and no JSON/],
    ['answer is prose', '<think>hmm</think><answer>the red cup</answer>', /answer is not JSON/],
    ['broken JSON', '<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]]</answer>', /JSON error/],
    ['wrong keys', '<answer>[{"label": "cup", "score": 0.9}]</answer>', /no bbox_2d or point_2d/],
    ['a number', '<answer>42</answer>', /answer is not JSON/],
    ['a bare string', '<answer>"cup"</answer>', /answer is not JSON/],
    [
      'bad bbox',
      '<answer>[{"bbox_2d": [10, "a", 200, 210], "point_2d": [30,110]}]</answer>',
      /not 4 numbers/,
    ],
    [
      'bad point',
      '<answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30]}]</answer>',
      /not an \[x, y\] point/,
    ],
    ['null item', '<answer>[null]</answer>', /a null, not an object/],
    ['deep nesting', '<answer>' + '['.repeat(200) + '</answer>', /nesting too deep/],
    [
      'nested lists',
      '<answer>' + '['.repeat(5) + ']'.repeat(5) + '</answer>',
      /neither an object nor a bbox list/,
    ],
    ['bad escape', '<answer>[{"bbox_2d\\uZZZZ": 1}]</answer>', /bad \\u escape/],
  ]
  for (const [name, raw, why] of cases) {
    it(name, () => {
      const r = parseSegZeroOutput(raw, HD)
      expect(r.objects).toEqual([])
      expect(r.parseError).toMatch(why)
    })
  }

  it('keeps the answer text of an unparseable answer', () => {
    const r = parseSegZeroOutput('<think>x</think><answer>the red cup</answer>', HD)
    expect(r.answerText).toBe('the red cup')
    expect(r.reasoning).toBe('x')
  })

  it('never throws, whatever it gets', () => {
    const weird: unknown[] = [
      null,
      undefined,
      42,
      {},
      '<answer>',
      '<answer></answer>',
      '<think>',
      '```',
      '[{',
      "{'",
      '\\',
    ]
    for (const w of weird) {
      expect(() => parseSegZeroOutput(w as string, HD)).not.toThrow()
      expect(parseSegZeroOutput(w as string, HD).objects).toEqual([])
      expect(parseSegZeroOutput(w as string, HD).parseError).not.toBeNull()
    }
  })

  it('rejects a zero image size instead of producing NaN coordinates', () => {
    const r = parseSegZeroOutput(`<answer>${VR_ANSWER}</answer>`, { width: 0, height: 10 })
    expect(r.objects).toEqual([])
    expect(r.parseError).toMatch(/bad image size/)
  })

  it('survives random garbage and truncations of a valid answer', () => {
    const full = `<think>reason</think><answer>${VR_ANSWER}</answer>`
    for (let n = 0; n <= full.length; n++) {
      const r = parseSegZeroOutput(full.slice(0, n), HD)
      expect(r.objects.length).toBeLessThanOrEqual(2)
      // every object recovered from a prefix is one of the real objects, never a partial one
      for (const o of r.objects) expect(VR_OBJECTS).toContainEqual(o)
    }
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const alphabet = '<>/[]{}"\':,. 0123456789thinkanswerbox_2dpoint'
    for (let i = 0; i < 300; i++) {
      const s = Array.from(
        { length: Math.floor(rand() * 80) },
        () => alphabet[Math.floor(rand() * alphabet.length)],
      ).join('')
      expect(() => parseSegZeroOutput(s, HD)).not.toThrow()
    }
  })
})
