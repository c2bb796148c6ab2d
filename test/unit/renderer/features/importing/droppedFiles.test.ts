/** Which files of a dropped folder are uploaded: importable extensions, nothing hidden. */
import { describe, expect, it } from 'vitest'
import { importable, isConflict } from '../../../../../src/renderer/src/features/importing/droppedFiles'

describe('importable', () => {
  it.each([
    ['shapes/data/val-00000-of-00001.parquet', true],
    ['lisa/a.JPG', true],
    ['lisa/a.json', true],
    ['plain/queries.jsonl', true],
    ['plain/masks/m.png', true],
    ['lisa/.DS_Store', false],
    ['lisa/.git/config.json', false],
    ['lisa/README.md', false],
    ['lisa/run.sh', false],
  ])('%s → %s', (rel, want) => {
    expect(importable(rel)).toBe(want)
  })
})

describe('isConflict', () => {
  it('reads the wire code the transport attaches', () => {
    expect(isConflict(Object.assign(new Error('taken'), { code: 'conflict' }))).toBe(true)
    expect(isConflict(Object.assign(new Error('bad'), { code: 'bad_request' }))).toBe(false)
    expect(isConflict(new Error('conflict'))).toBe(false)
    expect(isConflict(null)).toBe(false)
  })
})
