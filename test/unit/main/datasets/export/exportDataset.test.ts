/**
 * The export's folder handling: an existing non-empty --out is refused (and replaced only with force,
 * only once the new export is complete); a failure or cancellation midway leaves neither the output
 * folder nor the temporary one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { exportDataset, EXPORT_FORMATS } from '../../../../../src/main/datasets/export/exportDataset'
import { createDataset } from '../../../../../src/main/store/datasets'
import type { Project } from '../../../../../src/main/store/project'
import { bulkSamples, makeExportProject, shapeSamples } from '../../../../fixtures/exportProject'
import { tempDir } from '../../../../fixtures/runProject'

let project: Project
let tmp: string
beforeAll(async () => {
  project = await makeExportProject([...shapeSamples(), ...bulkSamples(40)])
})
afterAll(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
})
beforeEach(() => {
  tmp = tempDir('reseg-export-atomic-')
})
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('exportDataset folder handling', () => {
  it('refuses an existing non-empty folder, naming it and --force; leaves it untouched', async () => {
    const out = path.join(tmp, 'out')
    fs.mkdirSync(out)
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine')
    await expect(exportDataset(project, { dataset: 'rs', format: 'coco', out })).rejects.toThrow(
      `${out}: folder exists and is not empty; refusing to write into it (pass --force to replace it)`,
    )
    expect(fs.readdirSync(out)).toEqual(['keep.txt'])
    expect(fs.readdirSync(tmp)).toEqual(['out'])
  })

  it('writes into an existing empty folder, and replaces a non-empty one with force', async () => {
    const out = path.join(tmp, 'out')
    fs.mkdirSync(out)
    await exportDataset(project, { dataset: 'rs', format: 'coco', out })
    expect(fs.readdirSync(out).sort()).toEqual(['annotations', 'images'])
    fs.writeFileSync(path.join(out, 'stale.txt'), 'old')
    const r = await exportDataset(project, { dataset: 'rs', format: 'hf-parquet', out, force: true })
    expect(fs.readdirSync(out).sort()).toEqual(['README.md', 'data'])
    expect(r.samples).toBe(50)
    expect(fs.readdirSync(tmp)).toEqual(['out'])
  })

  it('refuses at the end too when the folder filled up while the export ran', async () => {
    const out = path.join(tmp, 'out')
    await expect(
      exportDataset(project, {
        dataset: 'rs',
        format: 'coco',
        out,
        onProgress: (done) => {
          if (done === 5) {
            fs.mkdirSync(out)
            fs.writeFileSync(path.join(out, 'late.txt'), 'someone else')
          }
        },
      }),
    ).rejects.toThrow('folder exists and is not empty')
    expect(fs.readdirSync(tmp)).toEqual(['out'])
    expect(fs.readdirSync(out)).toEqual(['late.txt'])
  })

  it('refuses a file as --out', async () => {
    const out = path.join(tmp, 'file')
    fs.writeFileSync(out, 'x')
    await expect(exportDataset(project, { dataset: 'rs', format: 'lisa', out })).rejects.toThrow(
      `${out}: exists and is not a folder`,
    )
  })

  it('names the datasets a project has when the dataset is unknown', async () => {
    await expect(
      exportDataset(project, { dataset: 'nope', format: 'coco', out: path.join(tmp, 'o') }),
    ).rejects.toThrow("no dataset named 'nope'")
  })

  it('refuses a dataset without samples, leaving nothing behind', async () => {
    createDataset(project.db, { name: 'empty', format: 'test' })
    await expect(
      exportDataset(project, { dataset: 'empty', format: 'hf-parquet', out: path.join(tmp, 'o') }),
    ).rejects.toThrow("dataset 'empty' has no samples to export")
    expect(fs.readdirSync(tmp)).toEqual([])
  })

  for (const format of EXPORT_FORMATS) {
    it(`${format}: a failure midway (an image missing from the media store) leaves no output and no temporary folder`, async () => {
      const row = project.db
        .prepare(
          `SELECT s.media_hash AS hash, m.ext FROM samples s JOIN media m ON m.hash = s.media_hash
           WHERE s.image_id = 'bulk/0030'`,
        )
        .get() as { hash: string; ext: string }
      const file = path.join(project.mediaDir, `${row.hash}.${row.ext}`)
      const saved = fs.readFileSync(file)
      fs.rmSync(file)
      let progressed = 0
      try {
        await expect(
          exportDataset(project, {
            dataset: 'rs',
            format,
            out: path.join(tmp, 'out'),
            onProgress: (done) => (progressed = done),
          }),
        ).rejects.toThrow(/ENOENT/)
      } finally {
        fs.writeFileSync(file, saved)
      }
      expect(progressed).toBeGreaterThan(30)
      expect(fs.readdirSync(tmp)).toEqual([])
    })
  }

  it('a cancelled export (abort signal) leaves nothing behind, and an existing folder stays as it was', async () => {
    const out = path.join(tmp, 'out')
    fs.mkdirSync(out)
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine')
    const abort = new AbortController()
    await expect(
      exportDataset(project, {
        dataset: 'rs',
        format: 'hf-parquet',
        out,
        force: true,
        signal: abort.signal,
        parquet: { rowGroupRows: 10 },
        onProgress: (done) => done === 25 && abort.abort(),
      }),
    ).rejects.toThrow('export cancelled')
    expect(fs.readdirSync(tmp)).toEqual(['out'])
    expect(fs.readdirSync(out)).toEqual(['keep.txt'])
  })
})
