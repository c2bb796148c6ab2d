/**
 * LISA export: polygons traced from the masks, re-rasterized by our LISA importer (LISA's own outline +
 * fill, largest first) into a new project. Holes, an island inside a hole, thin lines, single pixels,
 * random speckle and ignore regions are all in the fixture; the round-trip IoU is measured per sample
 * against the fixture's closed-form masks.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportDataset } from '../../../../../src/main/datasets/export/exportDataset'
import { importDataset } from '../../../../../src/main/datasets/importDataset'
import { openProject, type Project } from '../../../../../src/main/store/project'
import { decodeRowMajor, fromCoco } from '../../../../../src/shared/domain/rle'
import { makeExportProject, shapeSamples } from '../../../../fixtures/exportProject'
import { tempDir } from '../../../../fixtures/runProject'

const samples = shapeSamples()
let project: Project
let tmp: string
let out: string

beforeAll(async () => {
  project = await makeExportProject(samples)
  tmp = tempDir('reseg-export-lisa-')
  out = path.join(tmp, 'lisa')
  await exportDataset(project, { dataset: 'rs', format: 'lisa', out })
})
afterAll(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

function iou(a: Uint8Array, b: Uint8Array): number {
  let i = 0
  let u = 0
  for (let k = 0; k < a.length; k++) {
    i += a[k] & b[k]
    u += a[k] | b[k]
  }
  return u === 0 ? 1 : i / u
}

describe('lisa export', () => {
  it('writes one labelme json per sample with LISA fields, the image beside it', () => {
    const ring = JSON.parse(fs.readFileSync(path.join(out, 'ring.json'), 'utf8'))
    expect(ring).toMatchObject({
      text: ['What holds the tea? Describe it.'],
      is_sentence: true,
      imagePath: 'ring.png',
      imageHeight: 48,
      imageWidth: 64,
    })
    expect(ring.shapes.length).toBe(1)
    expect(ring.shapes[0]).toMatchObject({ label: 'target', shape_type: 'polygon' })
    expect(fs.existsSync(path.join(out, 'ring.png'))).toBe(true)
    // is_sentence falls back to the query-kind rule when the dataset has none: a short phrase.
    const lines = JSON.parse(fs.readFileSync(path.join(out, 'lines.json'), 'utf8'))
    expect(lines.is_sentence).toBe(false)
    const ignored = JSON.parse(fs.readFileSync(path.join(out, 'ignored.json'), 'utf8'))
    expect(ignored.shapes.map((s: { label: string }) => s.label)).toEqual(['target', 'ignore'])
    // Samples sharing an image_id get one json each (their masks differ).
    expect(fs.existsSync(path.join(out, 'shared__1.json'))).toBe(true)
    expect(fs.existsSync(path.join(out, 'shared__2.json'))).toBe(true)
    for (const f of fs.readdirSync(out).filter((x) => x.endsWith('.json'))) {
      const doc = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'))
      for (const s of doc.shapes) expect(s.points.length).toBeGreaterThanOrEqual(3)
    }
  })

  it('re-imports through our LISA importer with round-trip IoU ≥ 0.99 per sample, ignore regions kept', async () => {
    const back = openProject(path.join(tmp, 'back'), { create: true })
    try {
      await importDataset(back, out, { name: 'back', format: 'lisa' })
      const rows = back.db
        .prepare('SELECT image_id, query, width, height, gt_rle, ignore_rle FROM samples')
        .all() as {
        image_id: string
        query: string
        width: number
        height: number
        gt_rle: string
        ignore_rle: string | null
      }[]
      expect(rows.length).toBe(samples.length)
      const byName = new Map(rows.map((r) => [r.image_id, r]))
      const ious: Record<string, number> = {}
      for (const s of samples) {
        const name = s.imageId === 'shared' ? `shared__${s.annId}` : s.imageId
        const r = byName.get(name)
        if (!r) throw new Error(`no re-imported sample ${name}`)
        expect(r.query).toBe(s.query)
        const got = decodeRowMajor(fromCoco({ size: [r.height, r.width], counts: r.gt_rle }))
        ious[name] = iou(got, s.mask)
        if (s.ignore) {
          expect(r.ignore_rle).not.toBeNull()
          const ig = decodeRowMajor(fromCoco({ size: [r.height, r.width], counts: r.ignore_rle ?? '' }))
          expect(iou(ig, s.ignore)).toBe(1)
        } else expect(r.ignore_rle).toBeNull()
      }
      console.log('LISA round-trip IoU per sample:', ious)
      for (const [name, v] of Object.entries(ious)) expect(v, name).toBeGreaterThanOrEqual(0.99)
    } finally {
      back.close()
    }
  })
})
