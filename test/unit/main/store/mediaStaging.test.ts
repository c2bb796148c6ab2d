/**
 * A dataset import killed at each moment around its COMMIT, simulated step by step (the random kill -9 test,
 * test/unit/main/cli/killRecovery.test.ts, hits these moments only by chance):
 * - killed after COMMIT, before its images left the staging folder: the next open moves the committed
 *   images into media/, so no committed row names a missing file;
 * - killed before COMMIT: the staged images stay in the dead process's folder (an orphan the check removes)
 *   and media/ gets no loose file;
 * - a live process's staging folder is never touched.
 */
import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkProject } from '../../../../src/main/store/check'
import { putMedia } from '../../../../src/main/store/media'
import { beginMediaStaging, STAGING_PREFIX } from '../../../../src/main/store/mediaStaging'
import { openProject, type Project } from '../../../../src/main/store/project'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-staging-'))
  openProject(dir, { create: true }).close()
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

/** A pid that belongs to no running process: a child that has exited. */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
      .stdout,
  )
}

const IMAGES = [Buffer.from('first image bytes'), Buffer.from('second image bytes')]
const names = IMAGES.map((b) => `${crypto.createHash('sha256').update(b).digest('hex')}.png`)
const info = { ext: 'png', width: 4, height: 3 }

/** Stages both images in one transaction, ended as given, and renames the folder to belong to `pid`. */
function stageImport(project: Project, end: 'COMMIT' | 'ROLLBACK', pid: number): string {
  project.db.exec('BEGIN IMMEDIATE')
  const staging = beginMediaStaging(project.mediaDir)
  for (const b of IMAGES) putMedia(project, b, info, staging)
  project.db.exec(end)
  const folder = `${STAGING_PREFIX}${pid}-0badf00d`
  fs.renameSync(staging.dir, path.join(project.mediaDir, folder))
  return folder
}

const mediaEntries = () => fs.readdirSync(path.join(dir, 'media')).sort()

describe('an import killed around its commit', () => {
  it('after COMMIT: the next open moves the committed images into media/', () => {
    const p = openProject(dir)
    const folder = stageImport(p, 'COMMIT', deadPid())
    p.close()
    expect(mediaEntries()).toEqual([folder])

    const again = openProject(dir)
    try {
      expect(mediaEntries()).toEqual([...names, folder].sort())
      expect(fs.readFileSync(path.join(dir, 'media', names[0]))).toEqual(IMAGES[0])
      const found = checkProject(again.db, dir)
      expect(found.missing).toEqual([])
      // What is left is the emptied folder of the dead import, which the fix removes.
      expect(found.orphans.entries).toEqual([folder])
      expect(checkProject(again.db, dir, { fix: true }).clean).toBe(true)
      expect(mediaEntries()).toEqual([...names].sort())
    } finally {
      again.close()
    }
  })

  it('before COMMIT: nothing moves into media/, and the check removes the staged images', () => {
    const p = openProject(dir)
    const folder = stageImport(p, 'ROLLBACK', deadPid())
    p.close()

    const again = openProject(dir)
    try {
      expect(mediaEntries()).toEqual([folder])
      expect(fs.readdirSync(path.join(dir, 'media', folder)).sort()).toEqual([...names].sort())
      const found = checkProject(again.db, dir)
      expect(found.missing).toEqual([])
      expect(found.orphans.entries).toEqual([folder])
      expect(checkProject(again.db, dir, { fix: true }).clean).toBe(true)
      expect(mediaEntries()).toEqual([])
    } finally {
      again.close()
    }
  })

  it("leaves a running import's staging folder alone", () => {
    const p = openProject(dir)
    // This process is alive: its committed images are its own to move.
    const folder = stageImport(p, 'COMMIT', process.pid)
    p.close()
    const again = openProject(dir)
    try {
      expect(mediaEntries()).toEqual([folder])
      expect(fs.readdirSync(path.join(dir, 'media', folder)).sort()).toEqual([...names].sort())
    } finally {
      again.close()
    }
  })
})
