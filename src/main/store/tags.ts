/**
 * The failure-tag taxonomy and tags per (run, sample). The defaults are seeded the first time the
 * taxonomy is read, once per project (a project_meta flag), so deleting every tag sticks.
 */
import type { Tag } from '../../shared/contract/tags'
import type { Db } from './project'

export const DEFAULT_TAGS: { name: string; color: string; description: string }[] = [
  {
    name: 'wrong object',
    color: '#e5484d',
    description: 'The mask covers a different object than the query means.',
  },
  { name: 'partial object', color: '#f76b15', description: 'Right object, but only part of it is covered.' },
  { name: 'over-segmentation', color: '#ffc53d', description: 'The mask spills beyond the object.' },
  { name: 'localization off', color: '#46a758', description: 'The box or points are misplaced.' },
  { name: 'ambiguous query', color: '#0090ff', description: 'The query admits more than one reading.' },
  {
    name: 'reasoning correct but mask wrong',
    color: '#8e4ec6',
    description: 'The reasoning names the right object; the segmentation stage failed.',
  },
  { name: 'GT error', color: '#8d8d8d', description: 'The ground-truth mask is wrong or incomplete.' },
]

const SEEDED_KEY = 'tags_seeded'

interface TagRecord {
  id: number
  name: string
  color: string
  position: number
  description: string | null
}

export function listTags(db: Db): Tag[] {
  const seeded = db.prepare('SELECT value FROM project_meta WHERE key = ?').get(SEEDED_KEY)
  if (!seeded) {
    db.transaction(() => {
      const insert = db.prepare(
        'INSERT OR IGNORE INTO tags (name, color, position, description) VALUES (?, ?, ?, ?)',
      )
      DEFAULT_TAGS.forEach((t, i) => insert.run(t.name, t.color, i, t.description))
      db.prepare('INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)').run(SEEDED_KEY, '1')
    })()
  }
  return db.prepare('SELECT * FROM tags ORDER BY position, id').all() as TagRecord[]
}

const PALETTE = [
  '#e5484d',
  '#f76b15',
  '#ffc53d',
  '#46a758',
  '#0090ff',
  '#8e4ec6',
  '#d6409f',
  '#12a594',
  '#8d8d8d',
]

export function saveTag(
  db: Db,
  t: { id?: number; name: string; color?: string; position?: number; description?: string | null },
): Tag {
  // The name check and the write are one transaction: two saves cannot both pass the check.
  return db.transaction((): Tag => {
    const clash = db.prepare('SELECT id FROM tags WHERE name = ?').get(t.name) as { id: number } | undefined
    if (clash && clash.id !== t.id) throw new Error(`a tag named '${t.name}' already exists`)
    if (t.id == null) {
      const next = db
        .prepare('SELECT COALESCE(MAX(position) + 1, 0) AS n, COUNT(*) AS c FROM tags')
        .get() as {
        n: number
        c: number
      }
      const r = db
        .prepare('INSERT INTO tags (name, color, position, description) VALUES (?, ?, ?, ?)')
        .run(t.name, t.color ?? PALETTE[next.c % PALETTE.length], t.position ?? next.n, t.description ?? null)
      return db.prepare('SELECT * FROM tags WHERE id = ?').get(r.lastInsertRowid) as TagRecord
    }
    const old = db.prepare('SELECT * FROM tags WHERE id = ?').get(t.id) as TagRecord | undefined
    if (!old) throw new Error(`no tag with id ${t.id}`)
    db.prepare('UPDATE tags SET name = ?, color = ?, position = ?, description = ? WHERE id = ?').run(
      t.name,
      t.color ?? old.color,
      t.position ?? old.position,
      t.description === undefined ? old.description : t.description,
      t.id,
    )
    return db.prepare('SELECT * FROM tags WHERE id = ?').get(t.id) as TagRecord
  })()
}

export function deleteTag(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM tags WHERE id = ?').run(id).changes > 0
}

export function sampleTagIds(db: Db, runId: number, sampleId: number): number[] {
  return db
    .prepare(
      `SELECT t.tag_id FROM sample_tags t JOIN tags g ON g.id = t.tag_id
       WHERE t.run_id = ? AND t.sample_id = ? ORDER BY g.position, g.id`,
    )
    .pluck()
    .all(runId, sampleId) as number[]
}

/** Sets (never toggles) one tag's state: repeating a request is harmless, whatever order replies arrive in. */
export function setSampleTag(db: Db, runId: number, sampleId: number, tagId: number, on: boolean): number[] {
  return db.transaction(() => {
    if (on) {
      db.prepare('INSERT OR IGNORE INTO sample_tags (run_id, sample_id, tag_id) VALUES (?, ?, ?)').run(
        runId,
        sampleId,
        tagId,
      )
    } else {
      db.prepare('DELETE FROM sample_tags WHERE run_id = ? AND sample_id = ? AND tag_id = ?').run(
        runId,
        sampleId,
        tagId,
      )
    }
    return sampleTagIds(db, runId, sampleId)
  })()
}
