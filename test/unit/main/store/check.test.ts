import Database from 'better-sqlite3'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkProject } from '../../../../src/main/store/check'
import { migrations } from '../../../../src/main/store/migrations'
import { migrate, schemaVersion } from '../../../../src/main/store/project'
import { createBrowseProject, type BrowseProject } from '../../../fixtures/browseProject'

let dir: string
let bp: BrowseProject
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-check-'))
  bp = await createBrowseProject(dir, { samples: 6, seed: 3 })
})
afterEach(() => {
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A pid that certainly belongs to no running process: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  }).stdout as unknown as number
}

const latest = migrations[migrations.length - 1].version
const media = () => path.join(dir, 'media')
const referenced = () =>
  (bp.project.db.prepare("SELECT hash || '.' || ext FROM media ORDER BY 1").pluck().all() as string[]).sort()

describe('project check', () => {
  it('finds nothing wrong in a fresh project', () => {
    const r = checkProject(bp.project.db, dir)
    expect(r).toMatchObject({
      clean: true,
      integrity: ['ok'],
      foreignKeyViolations: 0,
      schema: { version: latest, latest },
      orphans: { entries: [], bytes: 0, removed: false },
      missing: [],
      problems: [],
    })
  })

  it("finds what a killed import left (staging folder, temporary file, loose file); --fix removes exactly those, a live writer's are kept", () => {
    const dead = Number(deadPid())
    const staging = path.join(media(), `.staging-${dead}-0badc0de`)
    fs.mkdirSync(staging)
    fs.writeFileSync(path.join(staging, 'a.jpg'), Buffer.alloc(1000))
    fs.writeFileSync(path.join(staging, 'b.png'), Buffer.alloc(500))
    const temp = `.${'f'.repeat(64)}.jpg.${dead}.0123abcd.tmp`
    fs.writeFileSync(path.join(media(), temp), Buffer.alloc(300))
    const loose = `${'e'.repeat(64)}.jpg`
    fs.writeFileSync(path.join(media(), loose), Buffer.alloc(200))
    const live = `.staging-${process.pid}-11111111`
    fs.mkdirSync(path.join(media(), live))

    const r = checkProject(bp.project.db, dir)
    expect(r.clean).toBe(false)
    expect(r.orphans).toEqual({
      entries: [temp, `.staging-${dead}-0badc0de`, loose].sort(),
      bytes: 2000,
      removed: false,
    })
    expect(fs.existsSync(staging)).toBe(true)

    const fixed = checkProject(bp.project.db, dir, { fix: true })
    expect(fixed.clean).toBe(true)
    expect(fixed.orphans.removed).toBe(true)
    expect(fs.readdirSync(media()).sort()).toEqual([live, ...referenced()].sort())
    expect(checkProject(bp.project.db, dir).problems).toEqual([])
  })

  it('reports missing media, which --fix cannot repair', () => {
    const gone = referenced()[0]
    fs.rmSync(path.join(media(), gone))
    const r = checkProject(bp.project.db, dir, { fix: true })
    expect(r.missing).toEqual([gone])
    expect(r.clean).toBe(false)
    expect(r.problems).toEqual([
      expect.stringMatching(/1 media files are missing \(e\.g\. media\/.*\); re-import/),
    ])
  })

  it('reports an older schema and migrates it with --fix', () => {
    const db = new Database(path.join(dir, 'old.sqlite'))
    migrate(db, migrations, latest - 1)
    const r = checkProject(db, dir)
    expect(r.schema).toEqual({ version: latest - 1, latest })
    expect(r.clean).toBe(false)
    const fixed = checkProject(db, dir, { fix: true })
    expect(fixed.clean).toBe(true)
    expect(schemaVersion(db)).toBe(latest)
    db.close()
  })

  it('checkpoints the write-ahead log with --fix', () => {
    const db = bp.project.db
    db.exec(
      "CREATE TABLE IF NOT EXISTS scratch (x); INSERT INTO scratch SELECT randomblob(1000) FROM json_each('[" +
        '1,'.repeat(199) +
        "1]')",
    )
    const before = checkProject(db, dir)
    expect(before.wal.bytesBefore).toBeGreaterThan(200_000)
    const r = checkProject(db, dir, { fix: true })
    expect(r.wal).toMatchObject({ checkpointed: true, bytesAfter: 0 })
  })

  it('reports a damaged database through integrity_check', () => {
    const db = bp.project.db
    db.exec(
      "CREATE TABLE filler (x); INSERT INTO filler SELECT randomblob(900) FROM json_each('[" +
        '1,'.repeat(299) +
        "1]')",
    )
    db.pragma('wal_checkpoint(TRUNCATE)')
    bp.project.close()
    // Overwrite an index page of the samples table: the table reads, the index no longer matches.
    const file = path.join(dir, 'project.sqlite')
    const raw = new Database(file)
    const page = raw
      .prepare("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'samples' LIMIT 1")
      .pluck()
      .get() as number
    const pageSize = raw.pragma('page_size', { simple: true }) as number
    raw.close()
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize)
    fs.closeSync(fd)
    const damaged = new Database(file)
    const r = checkProject(damaged, dir)
    damaged.close()
    expect(r.clean).toBe(false)
    expect(r.integrity).not.toEqual(['ok'])
    expect(r.problems[0]).toMatch(/^integrity_check: /)
    // Keep afterEach's close harmless.
    bp.project = { ...bp.project, close: () => undefined }
  })
})
