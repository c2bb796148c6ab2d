import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrations } from '../../../../src/main/store/migrations'
import { migrate, openProject, schemaVersion } from '../../../../src/main/store/project'

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-store-'))

function schemaOf(db: Database.Database): string[] {
  return (
    db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as {
      type: string
      name: string
      sql: string | null
    }[]
  ).map((r) => `${r.type} ${r.name}: ${(r.sql ?? '').replace(/\s+/g, ' ')}`)
}

describe('project store', () => {
  it('creates a project folder with WAL, foreign keys and the latest schema', () => {
    const dir = path.join(tmp(), 'p')
    const project = openProject(dir, { create: true })
    expect(fs.existsSync(path.join(dir, 'project.sqlite'))).toBe(true)
    expect(fs.existsSync(path.join(dir, 'media'))).toBe(true)
    expect(project.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(project.db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(schemaVersion(project.db)).toBe(migrations[migrations.length - 1].version)
    const tables = schemaOf(project.db)
      .filter((s) => s.startsWith('table '))
      .map((s) => s.split(':')[0].slice(6))
    for (const t of [
      'datasets',
      'samples',
      'runs',
      'predictions',
      'tags',
      'sample_tags',
      'notes',
      'prompt_edits',
      'media',
    ]) {
      expect(tables).toContain(t)
    }
    project.close()
  })

  it('refuses to open a folder that is not a project unless asked to create one', () => {
    expect(() => openProject(path.join(tmp(), 'nope'))).toThrow(/not a ReSeg project/)
  })

  it('numbers migrations 1..n without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
  })

  it('upgrades from every earlier version to the same schema as a fresh database', () => {
    const fresh = new Database(':memory:')
    migrate(fresh, migrations)
    const expected = schemaOf(fresh)
    for (let v = 0; v < migrations.length; v++) {
      const db = new Database(':memory:')
      migrate(db, migrations, v)
      expect(schemaVersion(db)).toBe(v)
      migrate(db, migrations)
      expect(schemaVersion(db)).toBe(migrations.length)
      expect(schemaOf(db)).toEqual(expected)
    }
  })

  it('rolls a failing migration back whole, leaving the previous version intact', () => {
    const db = new Database(':memory:')
    migrate(db, migrations)
    const before = schemaOf(db)
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        sql: 'CREATE TABLE half_done (x INTEGER); SELECT no_such_function();',
      },
    ]
    expect(() => migrate(db, broken)).toThrow()
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(schemaOf(db)).toEqual(before)
  })

  it('refuses a database written by a newer version of the app', () => {
    const db = new Database(':memory:')
    db.pragma(`user_version = ${migrations.length + 5}`)
    expect(() => migrate(db, migrations)).toThrow(/newer than this app/)
  })

  it('closes the database when opening a project fails', () => {
    const dir = tmp()
    const file = path.join(dir, 'project.sqlite')
    const seed = new Database(file)
    seed.pragma(`user_version = ${migrations.length + 5}`)
    seed.close()
    expect(() => openProject(dir)).toThrow(/newer than this app/)
    // The last connection to a WAL database removes its -wal and -shm files when it closes.
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    expect(fs.existsSync(`${file}-shm`)).toBe(false)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('keeps committed data when a later write transaction fails', () => {
    const dir = tmp()
    const project = openProject(dir, { create: true })
    project.db.prepare("INSERT INTO datasets (name, format) VALUES ('kept', 'demo')").run()
    expect(() =>
      project.db.transaction(() => {
        project.db.prepare("INSERT INTO datasets (name, format) VALUES ('lost', 'demo')").run()
        throw new Error('import failed half-way')
      })(),
    ).toThrow('half-way')
    project.close()
    const again = openProject(dir)
    expect(again.db.prepare('SELECT name FROM datasets').all()).toEqual([{ name: 'kept' }])
    again.close()
  })
})
