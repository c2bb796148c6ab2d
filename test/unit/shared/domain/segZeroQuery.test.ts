import { describe, expect, it } from 'vitest'
import { normalizeQuery } from '../../../../src/shared/domain/segZeroQuery'
import { DEFAULT_TEMPLATES, renderTemplate } from '../../../../src/shared/domain/reasonTemplates'

describe('normalizeQuery (Python str.lower().strip(chars))', () => {
  it('lower-cases and strips ."?! from both ends only', () => {
    expect(normalizeQuery('"What can I drink?!"')).toBe('what can i drink')
    expect(normalizeQuery('...The cup. On the left?')).toBe('the cup. on the left')
    expect(normalizeQuery("Mr. Bean's hat!")).toBe("mr. bean's hat")
  })
  it('strips only "." for Seg-Zero', () => {
    expect(normalizeQuery('What can I drink?.', '.')).toBe('what can i drink?')
  })
  it('keeps whitespace (str.strip(chars) does not strip spaces)', () => {
    expect(normalizeQuery(' the cup. ')).toBe(' the cup. ')
  })
  it('can strip to empty', () => {
    expect(normalizeQuery('?!."')).toBe('')
  })
})

describe('default templates', () => {
  const vr = DEFAULT_TEMPLATES.find((t) => t.name === 'visionreasoner')!
  const v1 = DEFAULT_TEMPLATES.find((t) => t.name === 'segzero-v1')!
  it('renders the VisionReasoner instruction exactly as the Python concatenation produces it', () => {
    expect(renderTemplate(vr, 'What can I have if I am thirsty?')).toBe(
      'Please find "what can i have if i am thirsty" with bboxs and points.Compare the difference between object(s) ' +
        'and find the most closely matched object(s).Output the thinking process in <think> </think> and final answer ' +
        'in <answer> </answer> tags.Output the bbox(es) and point(s) inside the interested object(s) in JSON format.' +
        'i.e., <think> thinking process here </think><answer>[{"bbox_2d": [10,100,200,210], "point_2d": [30,110]}, ' +
        '{"bbox_2d": [225,296,706,786], "point_2d": [302,410]}]</answer>',
    )
  })
  it('renders the first Seg-Zero instruction with its single-quoted question and example', () => {
    expect(renderTemplate(v1, 'The lamp.')).toBe(
      "Please find 'the lamp' with bbox and points.Compare the difference between objects and find the most closely " +
        'matched one.Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.' +
        'Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format.' +
        "i.e., <think> thinking process here </think><answer>{'bbox': [10,100,200,210], 'points_1': [30,110], " +
        "'points_2': [35,180]}</answer>",
    )
  })
  it('inserts a query containing $ and braces literally', () => {
    expect(renderTemplate({ text: '<{Question}>', queryStrip: '.' }, 'a $& {b}')).toBe('<a $& {b}>')
  })
})
