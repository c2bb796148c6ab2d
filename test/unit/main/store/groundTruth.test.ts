import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import {
  applyGtCommand,
  correctedMasks,
  flagSample,
  flaggedSampleIds,
  moveGtCursor,
  readGroundTruth,
} from '../../../../src/main/store/groundTruth'
import { migrations } from '../../../../src/main/store/migrations'
import { migrate } from '../../../../src/main/store/project'
import { MaskOpError } from '../../../../src/shared/domain/maskOps'
import { area, countsToString, decodeRowMajor } from '../../../../src/shared/domain/rle'

const GT_MIGRATION = migrations.findIndex((m) => m.name === 'ground-truth annotation')

/** A 4 × 6 (h × w) sample whose GT is the 2 × 2 block at x 1..2, y 1..2, and an ignore pixel at (5, 3). */
function seed(db: Database.Database): number {
  db.prepare("INSERT INTO datasets (id, name, format) VALUES (1, 'd', 'demo')").run()
  db.prepare("INSERT INTO media (hash, ext, width, height, bytes) VALUES ('h', 'png', 6, 4, 1)").run()
  // column-major runs: column 0 empty (4), column 1 rows 1-2, column 2 rows 1-2, then background
  const gt = countsToString([5, 2, 2, 2, 13])
  const ignore = countsToString([23, 1])
  return Number(
    db
      .prepare(
        `INSERT INTO samples (dataset_id, image_id, ann_id, media_hash, width, height, query, gt_rle, gt_area, ignore_rle)
         VALUES (1, 'img', '0', 'h', 6, 4, 'the block', ?, 4, ?)`,
      )
      .run(gt, ignore).lastInsertRowid,
  )
}

function rows(mask: Uint8Array, w: number): string[] {
  const out: string[] = []
  for (let i = 0; i < mask.length; i += w) out.push(Array.from(mask.subarray(i, i + w)).join(''))
  return out
}

describe('ground-truth store', () => {
  it('upgrades a project of the previous schema version with its data intact', () => {
    const db = new Database(':memory:')
    migrate(db, migrations, migrations[GT_MIGRATION - 1].version)
    const id = seed(db)
    migrate(db, migrations)
    expect(readGroundTruth(db, id, 'corrected')).toMatchObject({ revised: false, flag: null })
    expect(rows(decodeRowMajor(readGroundTruth(db, id, 'corrected').mask), 6)).toEqual([
      '000000',
      '011000',
      '011000',
      '000000',
    ])
    applyGtCommand(db, id, { kind: 'fillHoles', target: 1 }, 'me')
    expect(db.prepare('SELECT COUNT(*) FROM gt_commands').pluck().get()).toBe(1)
  })

  it('keeps the original, substitutes revised samples only, and rolls back a failed command', () => {
    const db = new Database(':memory:')
    migrate(db, migrations)
    const id = seed(db)
    applyGtCommand(
      db,
      id,
      {
        kind: 'polygon',
        target: 1,
        points: [
          [3, 0],
          [4, 0],
          [4, 4],
          [3, 4],
        ],
        mode: 'add',
      },
      'me',
    )
    const corrected = readGroundTruth(db, id, 'corrected')
    expect(rows(decodeRowMajor(corrected.mask), 6)).toEqual(['000100', '011100', '011100', '000100'])
    expect(corrected.ignore && area(corrected.ignore)).toBe(1)
    expect(area(readGroundTruth(db, id, 'original').mask)).toBe(4)
    expect([...correctedMasks(db, 1).keys()]).toEqual([id])
    expect(() =>
      applyGtCommand(db, id, { kind: 'polygon', target: 1, points: [], mode: 'add' }, 'me'),
    ).toThrow(MaskOpError)
    expect(db.prepare('SELECT COUNT(*) FROM gt_commands').pluck().get()).toBe(1)
    // Undo to the start: the revision stays, unrevised, and metrics no longer substitute it.
    expect(moveGtCursor(db, id, 'undo')).toBe(true)
    expect(moveGtCursor(db, id, 'undo')).toBe(false)
    expect(readGroundTruth(db, id, 'corrected').revised).toBe(false)
    expect(correctedMasks(db, 1).size).toBe(0)
    flagSample(db, id, 'invalid', 'query names nothing', 'me')
    expect([...flaggedSampleIds(db, 1)]).toEqual([id])
    // Deleting the sample removes every GT row with it.
    db.prepare('DELETE FROM samples WHERE id = ?').run(id)
    for (const t of ['gt_commands', 'gt_objects', 'gt_revisions', 'sample_flags']) {
      expect(db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()).toBe(0)
    }
  })
})
