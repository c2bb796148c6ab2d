import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  getEditState,
  listPromptEdits,
  recordPromptEdit,
  redoPromptEdit,
  resetPromptEdits,
  saveRunVariant,
  undoPromptEdit,
} from '../../../../src/main/store/edits'
import { fromCoco } from '../../../../src/shared/domain/rle'
import { createBrowseProject, rectCounts, rectIou, type BrowseProject } from '../../../fixtures/browseProject'

let dir: string
let bp: BrowseProject
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-edits-'))
  bp = await createBrowseProject(dir, { samples: 20, seed: 11 })
})
afterEach(() => {
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const rect = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 })

function edit(sampleIdx: number, r: ReturnType<typeof rect>) {
  const s = bp.specs[sampleIdx]
  const m = rectIou(s.gt, r)
  return recordPromptEdit(bp.project.db, {
    runId: bp.runA,
    sampleId: s.id,
    prompts: [{ box: [r.x0, r.y0, r.x1, r.y1], points: [] }],
    model: 'test',
    mask: { h: s.height, w: s.width, counts: Uint32Array.from(rectCounts(r, s.height, s.width)) },
    intersection: m.intersection,
    union: m.union,
    iou: m.iou,
  })
}

describe('undo stack', () => {
  it('walks back and forth through edits and the model prompts', () => {
    const db = bp.project.db
    const s = bp.specs[0].id
    expect(getEditState(db, bp.runA, s)).toEqual({ current: null, canUndo: false, canRedo: false })
    const e1 = edit(0, rect(0, 0, 10, 10))
    const e2 = edit(0, rect(5, 5, 30, 30))
    let st = getEditState(db, bp.runA, s)
    expect([st.current?.id, st.canUndo, st.canRedo]).toEqual([e2, true, false])
    expect(st.current?.prompts[0].box).toEqual([5, 5, 30, 30])
    expect(fromCoco(st.current!.mask!).counts).toEqual(
      Uint32Array.from(rectCounts(rect(5, 5, 30, 30), bp.specs[0].height, bp.specs[0].width)),
    )
    st = undoPromptEdit(db, bp.runA, s)
    expect(st.current?.id).toBe(e1)
    st = undoPromptEdit(db, bp.runA, s)
    expect([st.current, st.canUndo, st.canRedo]).toEqual([null, false, true])
    expect(undoPromptEdit(db, bp.runA, s).current).toBeNull()
    expect(redoPromptEdit(db, bp.runA, s).current?.id).toBe(e1)
    // A new edit after an undo drops the redo branch.
    const e3 = edit(0, rect(1, 1, 20, 20))
    st = getEditState(db, bp.runA, s)
    expect([st.current?.id, st.canRedo]).toEqual([e3, false])
    expect(undoPromptEdit(db, bp.runA, s).current?.id).toBe(e1)
    expect(listPromptEdits(db, bp.runA, s).map((e) => e.id)).toEqual([e1, e2, e3])
  })

  it('treats reset as an undoable step and picks up edits inserted directly', () => {
    const db = bp.project.db
    const s = bp.specs[1].id
    const e1 = edit(1, rect(0, 0, 10, 10))
    expect(resetPromptEdits(db, bp.runA, s).current).toBeNull()
    expect(undoPromptEdit(db, bp.runA, s).current?.id).toBe(e1)
    const direct = Number(
      db
        .prepare('INSERT INTO prompt_edits (run_id, sample_id, prompts_json) VALUES (?, ?, ?)')
        .run(bp.runA, s, '[{"points":[{"x":3,"y":4,"label":0}]}]').lastInsertRowid,
    )
    const st = getEditState(db, bp.runA, s)
    expect(st.current?.id).toBe(direct)
    expect(st.current?.prompts).toEqual([{ points: [{ x: 3, y: 4, label: 0 }] }])
    expect(undoPromptEdit(db, bp.runA, s).current?.id).toBe(e1)
  })
})

describe('saveRunVariant', () => {
  it('copies the run and applies only the current edits', () => {
    const db = bp.project.db
    const a = bp.specs[2]
    const b = bp.specs[3]
    edit(2, rect(a.gt.x0, a.gt.y0, a.gt.x1, a.gt.y1))
    edit(3, rect(0, 0, 5, 5))
    undoPromptEdit(db, bp.runA, b.id)
    const v = saveRunVariant(db, bp.runA)
    expect(v).toEqual({ runId: expect.any(Number), name: 'run-a · edited', edited: 1 })
    const iou = (run: number, id: number) =>
      (
        db.prepare('SELECT iou FROM predictions WHERE run_id = ? AND sample_id = ?').get(run, id) as
          { iou: number } | undefined
      )?.iou
    expect(iou(v.runId, a.id)).toBe(1)
    expect(iou(v.runId, b.id)).toBe(b.a?.iou)
    const n = (run: number) =>
      (db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE run_id = ?').get(run) as { n: number }).n
    expect(n(v.runId)).toBe(n(bp.runA) + (a.a ? 0 : 1))
    expect(db.prepare('SELECT kind, parent_run_id FROM runs WHERE id = ?').get(v.runId)).toEqual({
      kind: 'variant',
      parent_run_id: bp.runA,
    })
    expect(saveRunVariant(db, bp.runA).name).toBe('run-a · edited 2')
    expect(() => saveRunVariant(db, bp.runA, 'run-b')).toThrow(/already exists/)
  })
})

describe('recordPromptEdit is one transaction', () => {
  it('keeps neither the edit nor the stack when updating the stack fails', () => {
    const db = bp.project.db
    const s = bp.specs[0].id
    const e1 = edit(0, rect(0, 0, 10, 10))
    // The stack write fails the way a full disk or a crash between the two statements would.
    db.exec(
      `CREATE TRIGGER fail_cursor BEFORE UPDATE ON prompt_edit_cursor BEGIN SELECT RAISE(ABORT, 'disk full'); END;
       CREATE TRIGGER fail_cursor_insert BEFORE INSERT ON prompt_edit_cursor BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
    )
    expect(() => edit(0, rect(2, 2, 12, 12))).toThrow('disk full')
    db.exec('DROP TRIGGER fail_cursor; DROP TRIGGER fail_cursor_insert')
    expect(listPromptEdits(db, bp.runA, s).map((e) => e.id)).toEqual([e1])
    expect(getEditState(db, bp.runA, s).current?.id).toBe(e1)
  })
})
