import { expect, it } from 'vitest'
import { PAGE_SIZE, PagedRows } from '../../../../../src/renderer/src/features/browser/pagedRows'
import type { SampleRow } from '../../../../../src/shared/contract/samples'

const row = (id: number): SampleRow => ({
  id,
  imageId: `i${id}`,
  annId: '0',
  query: 'q',
  width: 1,
  height: 1,
  gtArea: 0,
  iou: null,
  compareIou: null,
  deltaIou: null,
  missing: false,
  notSegmented: false,
  parseError: false,
  edited: false,
  hasNote: false,
  tagIds: [],
})

it('claims each missing page once, serves rows by index and patches them', () => {
  const total = PAGE_SIZE * 2 + 5
  const p = new PagedRows(total)
  expect(p.claimMissing(PAGE_SIZE - 1, PAGE_SIZE * 3)).toEqual([0, 1, 2])
  expect(p.claimMissing(0, total)).toEqual([])
  p.setPage(2, [row(1000), row(1001)])
  expect(p.get(PAGE_SIZE * 2 + 1)?.id).toBe(1001)
  expect(p.get(0)).toBeUndefined()
  p.failPage(0)
  expect(p.claimMissing(0, 0)).toEqual([0])
  expect(p.patch(1001, (r) => ({ ...r, hasNote: true }))).toBe(true)
  expect(p.get(PAGE_SIZE * 2 + 1)?.hasNote).toBe(true)
  expect(p.patch(5, (r) => r)).toBe(false)
  expect(p.has(1001)).toBe(true)
  expect(p.has(5)).toBe(false)
  expect(new PagedRows(0).claimMissing(0, 10)).toEqual([])
})
