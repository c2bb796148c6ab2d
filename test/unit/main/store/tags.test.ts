import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openProject, type Project } from '../../../../src/main/store/project'
import {
  DEFAULT_TAGS,
  deleteTag,
  listTags,
  saveTag,
  sampleTagIds,
  setSampleTag,
} from '../../../../src/main/store/tags'
import { createBrowseProject } from '../../../fixtures/browseProject'

let dir: string
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-tags-'))))
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('tag taxonomy', () => {
  it('seeds the seven default tags once, and a deleted default stays deleted', () => {
    const p: Project = openProject(dir, { create: true })
    const tags = listTags(p.db)
    expect(tags.map((t) => t.name)).toEqual([
      'wrong object',
      'partial object',
      'over-segmentation',
      'localization off',
      'ambiguous query',
      'reasoning correct but mask wrong',
      'GT error',
    ])
    expect(DEFAULT_TAGS).toHaveLength(7)
    deleteTag(p.db, tags[0].id)
    expect(listTags(p.db)).toHaveLength(6)
    p.close()
    const again = openProject(dir)
    expect(listTags(again.db)).toHaveLength(6)
    again.close()
  })

  it('creates, renames and rejects duplicate names', () => {
    const p = openProject(dir, { create: true })
    listTags(p.db)
    const t = saveTag(p.db, { name: 'occlusion' })
    expect(t.position).toBe(7)
    expect(t.color).toMatch(/^#[0-9a-f]{6}$/)
    const renamed = saveTag(p.db, { id: t.id, name: 'heavy occlusion', color: '#112233' })
    expect([renamed.name, renamed.color, renamed.position]).toEqual(['heavy occlusion', '#112233', 7])
    expect(() => saveTag(p.db, { name: 'GT error' })).toThrow(/already exists/)
    expect(() => saveTag(p.db, { id: 9999, name: 'x' })).toThrow(/no tag/)
    p.close()
  })
})

describe('sample tags', () => {
  it('are per (run, sample), idempotent, and vanish with their tag', async () => {
    const bp = await createBrowseProject(dir, { samples: 5 })
    const db = bp.project.db
    const [a, b, c] = listTags(db)
    const s = bp.specs[1].id
    expect(setSampleTag(db, bp.runA, s, c.id, true)).toEqual([c.id])
    expect(setSampleTag(db, bp.runA, s, a.id, true)).toEqual([a.id, c.id])
    expect(setSampleTag(db, bp.runA, s, a.id, true)).toEqual([a.id, c.id])
    expect(sampleTagIds(db, bp.runB, s)).toEqual([])
    expect(setSampleTag(db, bp.runA, s, b.id, false)).toEqual([a.id, c.id])
    deleteTag(db, c.id)
    expect(sampleTagIds(db, bp.runA, s)).toEqual([a.id])
    expect(() => setSampleTag(db, bp.runA, 12345, a.id, true)).toThrow(/FOREIGN KEY/)
    bp.project.close()
  })
})
