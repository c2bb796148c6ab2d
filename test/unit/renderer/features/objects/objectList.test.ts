import { describe, expect, it } from 'vitest'
import {
  answerObjectOf,
  commitWithDraft,
  cycleObject,
  freshId,
  idsOfEdit,
  indexOfAnswerObject,
  objectColor,
  objectRows,
  OBJECT_PALETTE,
  positionalIds,
  reconcileIds,
  removeObject,
} from '../../../../../src/renderer/src/features/objects/objectList'
import type { ObjectResult } from '../../../../../src/shared/contract/samples'
import type { ObjectPrompt } from '../../../../../src/shared/domain/prompts'

const box = (x: number): ObjectPrompt => ({ box: [x, 0, x + 10, 10], points: [] })
const result = (id: string, iou: number): ObjectResult => ({
  id,
  mask: { size: [10, 10], counts: '100' },
  score: 0.5,
  refined: false,
  gtIndex: 0,
  intersection: 1,
  union: 2,
  iou,
})

describe('object ids', () => {
  it('are the positions for the model prompts, and the edit ids when they pair with its prompts', () => {
    expect(positionalIds(3)).toEqual(['0', '1', '2'])
    const prompts = [box(0), box(20)]
    expect(idsOfEdit(prompts, null)).toEqual(['0', '1'])
    expect(idsOfEdit(prompts, [result('0', 1), result('2', 1)])).toEqual(['0', '2'])
    // Results that do not pair with the prompts (older edits) fall back to positions.
    expect(idsOfEdit(prompts, [result('5', 1)])).toEqual(['0', '1'])
  })

  it('hand out a fresh number above every numeric id and above the high-water mark', () => {
    expect(freshId([])).toBe('0')
    expect(freshId(['0', '2'])).toBe('3')
    expect(freshId(['0', 'x'])).toBe('1')
    // Object 2 was deleted: the mark keeps its id from coming back.
    expect(freshId(['0', '1'], 2)).toBe('3')
  })

  it('stay with their objects by position on an in-place edit, and new ones get fresh ids', () => {
    expect(reconcileIds(['0', '3'], 2)).toEqual(['0', '3'])
    expect(reconcileIds(['0', '3'], 4)).toEqual(['0', '3', '4', '5'])
    expect(reconcileIds(['0', '3'], 3, 7)).toEqual(['0', '3', '8'])
    expect(reconcileIds(['0', '3'], 1)).toEqual(['0'])
  })
})

describe('object list operations', () => {
  it('deletes one object and keeps the others with their ids', () => {
    const prompts = [box(0), box(20), box(40)]
    const r = removeObject(prompts, ['0', '1', '2'], 1)
    expect(r.prompts).toEqual([box(0), box(40)])
    expect(r.ids).toEqual(['0', '2'])
    // The inputs are not changed.
    expect(prompts).toHaveLength(3)
  })

  it('cycles through the objects both ways, wrapping, from none to the first or last', () => {
    expect(cycleObject(null, 3, 1)).toBe(0)
    expect(cycleObject(null, 3, -1)).toBe(2)
    expect(cycleObject(2, 3, 1)).toBe(0)
    expect(cycleObject(0, 3, -1)).toBe(2)
    expect(cycleObject(1, 3, 1)).toBe(2)
    expect(cycleObject(7, 3, 1)).toBe(0)
    expect(cycleObject(0, 0, 1)).toBeNull()
  })

  it('sends an added object only once it holds a prompt', () => {
    const committed = [box(0), box(20)]
    const empty = commitWithDraft([...committed, { points: [] }], ['0', '1', '2'], 2)
    expect(empty).toEqual({ prompts: committed, ids: ['0', '1'], draftUsed: false })
    const drawn = commitWithDraft([...committed, box(60)], ['0', '1', '2'], 2)
    expect(drawn).toEqual({ prompts: [...committed, box(60)], ids: ['0', '1', '2'], draftUsed: true })
    // An edit of another object while the draft is empty keeps the draft out.
    const moved = commitWithDraft([box(1), box(20), { points: [] }], ['0', '1', '2'], 2)
    expect(moved.prompts).toEqual([box(1), box(20)])
    expect(moved.ids).toEqual(['0', '1'])
  })

  it('colours objects by id, so a deletion recolours no other object', () => {
    expect(objectColor('0', 0)).toBe(OBJECT_PALETTE[0])
    expect(objectColor('2', 1)).toBe(OBJECT_PALETTE[2])
    expect(objectColor(String(OBJECT_PALETTE.length + 1), 0)).toBe(OBJECT_PALETTE[1])
    expect(objectColor('custom', 3)).toBe(OBJECT_PALETTE[3])
    expect(new Set(OBJECT_PALETTE).size).toBe(OBJECT_PALETTE.length)
  })

  it('makes one row per object with its own result by id, then the added object', () => {
    const rows = objectRows([box(0), box(40)], ['0', '2'], [result('2', 0.25), result('0', 0.75)], '3')
    expect(rows.map((r) => [r.id, r.index, r.result?.iou ?? null, r.draft])).toEqual([
      ['0', 0, 0.75, false],
      ['2', 1, 0.25, false],
      ['3', 2, null, true],
    ])
    expect(rows[1].color).toBe(OBJECT_PALETTE[2])
    // The model's own prediction: prompts without per-object results.
    expect(objectRows([box(0)], ['0'], null, null).map((r) => r.result)).toEqual([null])
  })
})

describe('the link to the reasoning panel', () => {
  it("ties an object to the answer's object by id, so deleting an earlier one does not move it", () => {
    // The answer held objects 0, 1, 2; object 0 was deleted and object "3" added.
    const ids = ['1', '2', '3']
    expect(ids.map((id) => answerObjectOf(id, 3))).toEqual([1, 2, null])
    expect(indexOfAnswerObject(ids, 2)).toBe(1)
    expect(indexOfAnswerObject(ids, 0)).toBeNull()
    expect(answerObjectOf(undefined, 3)).toBeNull()
    expect(answerObjectOf('custom', 3)).toBeNull()
  })
})
