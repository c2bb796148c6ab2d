/**
 * `--gt corrected` writes the corrected revision where a sample has one (and the original elsewhere);
 * `--exclude-flagged` leaves flagged samples out. The corrected mask is a hand-drawn replacement, so
 * the expected pixels are the test's own; read back through the hf-parquet importer.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportDataset } from '../../../../../src/main/datasets/export/exportDataset'
import { importDataset } from '../../../../../src/main/datasets/importDataset'
import { applyGtCommand, flagSample } from '../../../../../src/main/store/groundTruth'
import { openProject, type Project } from '../../../../../src/main/store/project'
import { decodeRowMajor, encodeRowMajor, fromCoco, toCoco } from '../../../../../src/shared/domain/rle'
import { makeExportProject, shapeSamples } from '../../../../fixtures/exportProject'
import { tempDir } from '../../../../fixtures/runProject'

const samples = shapeSamples()
let project: Project
let tmp: string
// A 10 x 6 block at x 5..14, y 3..8 replaces the 'ring' mask (64 x 48).
const block = new Uint8Array(64 * 48)
for (let y = 3; y < 9; y++) for (let x = 5; x < 15; x++) block[y * 64 + x] = 1

beforeAll(async () => {
  project = await makeExportProject(samples)
  tmp = tempDir('reseg-export-gt-')
  const id = (imageId: string) =>
    project.db.prepare('SELECT id FROM samples WHERE image_id = ?').pluck().get(imageId) as number
  applyGtCommand(
    project.db,
    id('ring'),
    { kind: 'mask', target: 1, mask: toCoco(encodeRowMajor(block, 48, 64)), mode: 'replace' },
    'tester',
  )
  flagSample(project.db, id('speckle'), 'ambiguous', 'noise, not an object', 'tester')
})
afterAll(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

async function exportAndRead(opts: { gt: 'original' | 'corrected'; excludeFlagged: boolean }) {
  const out = path.join(tmp, `${opts.gt}-${opts.excludeFlagged}`)
  const r = await exportDataset(project, { dataset: 'rs', format: 'hf-parquet', out, ...opts })
  const back = openProject(path.join(tmp, `back-${opts.gt}-${opts.excludeFlagged}`), { create: true })
  try {
    await importDataset(back, out, { name: 'back' })
    const rows = back.db.prepare('SELECT image_id, width, height, gt_rle FROM samples ORDER BY id').all() as {
      image_id: string
      width: number
      height: number
      gt_rle: string
    }[]
    const masks = new Map(
      rows.map((x) => [
        x.image_id,
        decodeRowMajor(fromCoco({ size: [x.height, x.width], counts: x.gt_rle })),
      ]),
    )
    return { r, masks }
  } finally {
    back.close()
  }
}

describe('export with GT versions and flags', () => {
  it('original (the default) writes the imported masks, flagged samples included', async () => {
    const { r, masks } = await exportAndRead({ gt: 'original', excludeFlagged: false })
    expect(r).toMatchObject({ gt: 'original', samples: samples.length, excluded: 0, revised: 0 })
    expect(Array.from(masks.get('ring') ?? [])).toEqual(Array.from(samples[0].mask))
    expect(masks.has('speckle')).toBe(true)
  })

  it('corrected + exclude-flagged writes the revision and leaves the flagged sample out', async () => {
    const { r, masks } = await exportAndRead({ gt: 'corrected', excludeFlagged: true })
    expect(r).toMatchObject({ gt: 'corrected', samples: samples.length - 1, excluded: 1, revised: 1 })
    expect(Array.from(masks.get('ring') ?? [])).toEqual(Array.from(block))
    expect(masks.has('speckle')).toBe(false)
    // Unrevised samples keep their original masks.
    const frame = samples.find((s) => s.imageId === 'frame')
    expect(Array.from(masks.get('frame') ?? [])).toEqual(Array.from(frame?.mask ?? []))
  })
})
