import { describe, expect, it } from 'vitest'
import { answerSpans, splitOutput } from '../../../../../src/renderer/src/features/reasoning/answerSpans'

describe('splitOutput', () => {
  it('splits Seg-Zero style raw output', () => {
    expect(splitOutput('<think> look left </think>\n<answer>[1]</answer>', null, null)).toEqual({
      reasoning: 'look left',
      answer: '[1]',
    })
  })
  it('prefers stored fields, and treats untagged text as the answer', () => {
    expect(splitOutput('x', 'r', 'a')).toEqual({ reasoning: 'r', answer: 'a' })
    expect(splitOutput('plain', null, null)).toEqual({ reasoning: null, answer: 'plain' })
    expect(splitOutput('<think>cut off', null, null)).toEqual({ reasoning: 'cut off', answer: null })
  })
})

describe('answerSpans', () => {
  it('links each coordinate to its object and prompt, keeping every character', () => {
    const ans = '[{"bbox_2d": [1,2,3,4], "point_2d": [2,3]}, {"bbox_2d":[5,6,7,8],"point_2d":[6,7]}]'
    const spans = answerSpans(ans)
    expect(spans.map((s) => s.text).join('')).toBe(ans)
    expect(spans.filter((s) => s.ref).map((s) => [s.text, s.ref])).toEqual([
      ['"bbox_2d": [1,2,3,4]', { obj: 0, kind: 'box', index: 0 }],
      ['"point_2d": [2,3]', { obj: 0, kind: 'point', index: 0 }],
      ['"bbox_2d":[5,6,7,8]', { obj: 1, kind: 'box', index: 0 }],
      ['"point_2d":[6,7]', { obj: 1, kind: 'point', index: 0 }],
    ])
  })
  it('maps the older bbox / points_1 / points_2 keys', () => {
    const refs = answerSpans('{"bbox": [1,1,2,2], "points_1": [1,1], "points_2": [2,2]}')
      .filter((s) => s.ref)
      .map((s) => s.ref)
    expect(refs).toEqual([
      { obj: 0, kind: 'box', index: 0 },
      { obj: 0, kind: 'point', index: 0 },
      { obj: 0, kind: 'point', index: 1 },
    ])
  })
})
