/**
 * COCO export: `counts`, `bbox` and `area` must equal what pycocotools' `mask.encode`, `toBbox` and
 * `area` give. The expectations come from a line-by-line NumPy port of maskApi.c (rleEncode, rleToString,
 * rleToBbox) run in python3 on the fixture's own pixel arrays; the re-import checks our COCO reader.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportDataset } from '../../../../../src/main/datasets/export/exportDataset'
import { importDataset } from '../../../../../src/main/datasets/importDataset'
import { openProject, type Project } from '../../../../../src/main/store/project'
import { makeExportProject, shapeSamples } from '../../../../fixtures/exportProject'
import { tempDir } from '../../../../fixtures/runProject'

const PYCOCO_PORT = `
import json, sys
import numpy as np

def encode(m):  # rleEncode: column-major runs starting with zeros
    flat = m.flatten(order='F')
    counts, p, c = [], 0, 0
    for v in flat:
        if v != p:
            counts.append(c); c = 0; p = v
        c += 1
    counts.append(c)
    return counts

def to_string(cnts):  # rleToString
    s = []
    for i in range(len(cnts)):
        x = cnts[i]
        if i > 2: x -= cnts[i - 2]
        more = True
        while more:
            c = x & 0x1f; x >>= 5
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more: c |= 0x20
            s.append(chr(c + 48))
    return ''.join(s)

def to_bbox(cnts, h):  # rleToBbox
    m = (len(cnts) // 2) * 2
    if m == 0: return [0, 0, 0, 0]
    xs, ys, xe, ye, cc, xp = 1 << 30, h, 0, 0, 0, 0
    for j in range(m):
        cc += cnts[j]; t = cc - j % 2; y = t % h; x = (t - y) // h
        if j % 2 == 0: xp = x
        elif xp < x: ys = 0; ye = h - 1
        xs = min(xs, x); xe = max(xe, x); ys = min(ys, y); ye = max(ye, y)
    return [xs, ys, xe - xs + 1, ye - ys + 1]

out = []
for s in json.load(sys.stdin):
    m = np.array(s['mask'], dtype=np.uint8).reshape(s['h'], s['w'])
    cnts = encode(m)
    out.append({'size': [s['h'], s['w']], 'counts': to_string(cnts), 'bbox': to_bbox(cnts, s['h']), 'area': int(m.sum())})
print(json.dumps(out))
`

const samples = shapeSamples()
let project: Project
let tmp: string
let out: string

beforeAll(async () => {
  project = await makeExportProject(samples)
  tmp = tempDir('reseg-export-coco-')
  out = path.join(tmp, 'coco')
  await exportDataset(project, { dataset: 'rs', format: 'coco', out })
})
afterAll(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('coco export', () => {
  it('writes pycocotools-identical segmentations, bbox and area, one annotation per sample', () => {
    const py = spawnSync('python3', ['-c', PYCOCO_PORT], {
      input: JSON.stringify(samples.map((s) => ({ h: s.h, w: s.w, mask: Array.from(s.mask) }))),
      encoding: 'utf8',
    })
    if (py.status !== 0) throw new Error(`python3/numpy required: ${py.stderr}`)
    const want = JSON.parse(py.stdout) as { size: number[]; counts: string; bbox: number[]; area: number }[]
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'annotations', 'instances.json'), 'utf8'))
    expect(doc.annotations.length).toBe(samples.length)
    expect(doc.categories).toEqual([{ id: 1, name: 'target', supercategory: 'object' }])
    doc.annotations.forEach((a: Record<string, unknown>, i: number) => {
      expect(a.segmentation).toEqual({ size: want[i].size, counts: want[i].counts })
      expect(a.bbox).toEqual(want[i].bbox)
      expect(a.area).toBe(want[i].area)
      expect(a).toMatchObject({
        caption: samples[i].query,
        reseg_image_id: samples[i].imageId,
        reseg_ann_id: samples[i].annId,
        iscrowd: 0,
      })
    })
    // The two 'shared' samples point at one image entry; every image file is copied.
    const distinct = new Set(samples.map((s) => s.imageId)).size
    expect(doc.images.length).toBe(distinct)
    for (const im of doc.images) expect(fs.existsSync(path.join(out, 'images', im.file_name))).toBe(true)
    expect(fs.readdirSync(path.join(out, 'annotations'))).toEqual(['instances.json'])
  })

  it('re-imports through our COCO reader with the same masks and queries', async () => {
    const back = openProject(path.join(tmp, 'back'), { create: true })
    try {
      const r = await importDataset(back, out, { name: 'back' })
      expect(r).toMatchObject({ format: 'coco', samples: samples.length })
      const got = back.db.prepare('SELECT query, gt_rle FROM samples ORDER BY id').all()
      const orig = project.db.prepare('SELECT query, gt_rle FROM samples ORDER BY id').all()
      expect(got).toEqual(orig)
    } finally {
      back.close()
    }
  })
})
