import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { getNote, saveNote } from '../../../../src/main/store/notes'
import { createBrowseProject } from '../../../fixtures/browseProject'

let dir: string
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-notes-'))))
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

it('saves, replaces and deletes a note per (run, sample)', async () => {
  const bp = await createBrowseProject(dir, { samples: 3 })
  const db = bp.project.db
  const s = bp.specs[0].id
  expect(getNote(db, bp.runA, s)).toEqual({ text: '', updatedAt: null })
  expect(saveNote(db, bp.runA, s, 'first').updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
  saveNote(db, bp.runA, s, 'second ✓')
  expect(getNote(db, bp.runA, s).text).toBe('second ✓')
  expect(getNote(db, bp.runB, s).text).toBe('')
  expect(saveNote(db, bp.runA, s, '  ')).toEqual({ updatedAt: null })
  expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 0 })
  bp.project.close()
})
