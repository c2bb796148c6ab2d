import { expect, it } from 'vitest'
import {
  fileProblem,
  looksLikeSentence,
  queryProblems,
} from '../../../../../src/renderer/src/features/authoring/authoringPlan'

it('accepts images by MIME type, or by extension when the browser gives no type', () => {
  expect(fileProblem({ name: 'a.jpg', type: 'image/jpeg', size: 10 })).toBeNull()
  expect(fileProblem({ name: 'b.PNG', type: '', size: 10 })).toBeNull()
  expect(fileProblem({ name: 'notes.txt', type: 'text/plain', size: 10 })).toBe(
    'notes.txt is not an image (text/plain)',
  )
  expect(fileProblem({ name: 'blob', type: '', size: 10 })).toBe('blob is not an image (unknown type)')
  expect(fileProblem({ name: 'empty.png', type: 'image/png', size: 0 })).toBe('empty.png is empty')
  expect(fileProblem({ name: 'huge.png', type: 'image/png', size: 30 * 1024 * 1024 })).toBe(
    'huge.png is 30.0 MB; images up to 23 MB can be added here',
  )
  expect(fileProblem({ name: 'ok.png', type: 'image/png', size: 23 * 1024 * 1024 })).toBeNull()
})

it("guesses ReasonSeg's is_sentence from punctuation and openers", () => {
  expect(looksLikeSentence('the fruit richest in vitamin C')).toBe(false)
  expect(looksLikeSentence('What in this picture could keep the rain off?')).toBe(true)
  expect(looksLikeSentence('find the thing that keeps food cold')).toBe(true)
  expect(looksLikeSentence('whatever')).toBe(false)
})

it('marks empty and blank queries, and only those', () => {
  const p = queryProblems([
    { text: 'the dog', isSentence: false },
    { text: '   ', isSentence: false },
    { text: '', isSentence: true },
  ])
  expect([...p.keys()]).toEqual([1, 2])
  expect(p.get(1)).toMatch(/empty/)
})
