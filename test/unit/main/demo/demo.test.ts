import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { createDemoProject } from '../../../../src/main/demo/demo'
import { renderScene } from '../../../../src/main/demo/scene'
import { seededRng } from '../../../../src/shared/domain/random'
import { area, decodeRowMajor, fromCoco, intersectionUnion } from '../../../../src/shared/domain/rle'

describe('demo project', () => {
  it('reports disjoint visible masks for the objects it draws', () => {
    const scene = renderScene(seededRng(7), 200, 150)
    expect(scene.objects.length).toBeGreaterThanOrEqual(2)
    // Visible masks are disjoint: occlusion is resolved, so ground truth never counts a pixel twice.
    const seen = new Uint8Array(200 * 150)
    for (const o of scene.objects) {
      for (let p = 0; p < seen.length; p++) {
        if (!o.visible[p]) continue
        expect(seen[p]).toBe(0)
        seen[p] = 1
      }
    }
  })

  it('writes ≥ 200 samples, two runs, and predictions whose stored I/U match their masks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-demo-'))
    const project = await createDemoProject(dir, { images: 70 })
    const { db } = project
    expect((db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n).toBeGreaterThanOrEqual(
      200,
    )
    const runs = db.prepare('SELECT id, name FROM runs ORDER BY id').all() as { id: number; name: string }[]
    expect(runs.map((r) => r.name)).toEqual(['seg-zero-7b', 'visionreasoner-7b'])
    const rows = db
      .prepare(
        `SELECT s.width, s.height, s.gt_rle, s.gt_area, p.mask_rle, p.intersection, p.union_px, p.iou, p.raw_output, p.parse_error
         FROM predictions p JOIN samples s ON s.id = p.sample_id`,
      )
      .all() as {
      width: number
      height: number
      gt_rle: string
      gt_area: number
      mask_rle: string | null
      intersection: number
      union_px: number
      iou: number
      raw_output: string
      parse_error: string | null
    }[]
    let parseErrors = 0
    let perfect = 0
    for (const r of rows) {
      const gt = decodeRowMajor(fromCoco({ size: [r.height, r.width], counts: r.gt_rle }))
      expect(gt.reduce((a, b) => a + b, 0)).toBe(r.gt_area)
      if (r.mask_rle === null) {
        parseErrors++
        expect(r.parse_error).not.toBeNull()
        expect(r.intersection).toBe(0)
        expect(r.union_px).toBe(r.gt_area)
        continue
      }
      // Dense recount, independent of the RLE merge used when the demo was written.
      const pred = decodeRowMajor(fromCoco({ size: [r.height, r.width], counts: r.mask_rle }))
      let i = 0
      let u = 0
      for (let p = 0; p < gt.length; p++) {
        i += gt[p] & pred[p]
        u += gt[p] | pred[p]
      }
      expect([r.intersection, r.union_px]).toEqual([i, u])
      expect(r.iou).toBeCloseTo(i / u, 12)
      if (i === u) perfect++
      expect(r.raw_output).toMatch(
        /^<think>[\s\S]+<\/think><answer>\[\{"bbox_2d":\[\d+,\d+,\d+,\d+\],"point_2d":\[\d+,\d+\]\}\]<\/answer>$/,
      )
    }
    expect(parseErrors).toBeGreaterThan(0)
    expect(perfect).toBeLessThan(rows.length)
    const img = db.prepare('SELECT m.hash, m.ext, m.width, m.height FROM media m LIMIT 1').get() as {
      hash: string
      ext: string
      width: number
      height: number
    }
    const meta = await sharp(path.join(dir, 'media', `${img.hash}.${img.ext}`)).metadata()
    expect([meta.width, meta.height]).toEqual([img.width, img.height])
    project.close()
  })

  it('opens its database with the sqlite binary it is given (the desktop app passes its Electron build)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-demo-native-'))
    const missing = path.join(dir, 'no-such-binding.node')
    await expect(createDemoProject(dir, { images: 1, nativeBinding: missing })).rejects.toThrow(
      /no-such-binding/,
    )
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('is deterministic for a seed', async () => {
    const a = await createDemoProject(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-demo-a-')), {
      images: 4,
      seed: 3,
    })
    const b = await createDemoProject(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-demo-b-')), {
      images: 4,
      seed: 3,
    })
    const q = 'SELECT gt_rle, query FROM samples ORDER BY id'
    expect(a.db.prepare(q).all()).toEqual(b.db.prepare(q).all())
    const rle = a.db.prepare('SELECT gt_rle, height, width FROM samples LIMIT 1').get() as {
      gt_rle: string
      height: number
      width: number
    }
    const r = fromCoco({ size: [rle.height, rle.width], counts: rle.gt_rle })
    expect(intersectionUnion(r, r)).toEqual({ intersection: area(r), union: area(r) })
    a.close()
    b.close()
  })
})
