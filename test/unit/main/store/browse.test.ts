import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  getSampleDetail,
  listSamplesPage,
  locateSample,
  orderedSampleIds,
} from '../../../../src/main/store/browse'
import { setSampleTag, listTags } from '../../../../src/main/store/tags'
import {
  createBrowseProject,
  type BrowseProject,
  type BrowseSampleSpec,
} from '../../../fixtures/browseProject'

let bp: BrowseProject
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-browse-'))
  bp = await createBrowseProject(dir, { samples: 400, seed: 3 })
})
afterAll(() => {
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const ids = (list: BrowseSampleSpec[]) => list.map((s) => s.id)
const byIdAsc = (a: BrowseSampleSpec, b: BrowseSampleSpec) => a.id - b.id

describe('orderedSampleIds', () => {
  it('lists every sample by id when nothing is filtered', () => {
    expect(Array.from(orderedSampleIds(bp.project.db, { runId: bp.runA }))).toEqual(
      ids([...bp.specs].sort(byIdAsc)),
    )
  })

  it('filters an inclusive IoU range, excluding missing predictions', () => {
    const got = orderedSampleIds(bp.project.db, { runId: bp.runA, filter: { iouMin: 0.25, iouMax: 0.6 } })
    const want = bp.specs.filter((s) => s.a && s.a.iou >= 0.25 && s.a.iou <= 0.6)
    expect(want.length).toBeGreaterThan(10)
    expect(Array.from(got)).toEqual(ids(want))
  })

  it('sorts by IoU descending with missing last and ties by id', () => {
    const got = orderedSampleIds(bp.project.db, { runId: bp.runA, sort: { key: 'iou', dir: 'desc' } })
    const want = [...bp.specs].sort((x, y) => {
      if (!x.a || !y.a) return x.a ? -1 : y.a ? 1 : x.id - y.id
      return y.a.iou - x.a.iou || x.id - y.id
    })
    expect(Array.from(got)).toEqual(ids(want))
  })

  it('sorts by ΔIoU against a second run', () => {
    const got = orderedSampleIds(bp.project.db, {
      runId: bp.runA,
      compareRunId: bp.runB,
      sort: { key: 'deltaIou', dir: 'asc' },
    })
    const d = (s: BrowseSampleSpec) => (s.a && s.b ? s.a.iou - s.b.iou : null)
    const want = [...bp.specs].sort((x, y) => {
      const a = d(x)
      const b = d(y)
      if (a === null || b === null) return a !== null ? -1 : b !== null ? 1 : x.id - y.id
      return a - b || x.id - y.id
    })
    // Float differences computed by SQLite and JS are the same doubles, so the order matches exactly.
    expect(Array.from(got)).toEqual(ids(want))
  })

  it('filters missing and parse-error predictions', () => {
    const db = bp.project.db
    expect(Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { missing: true } }))).toEqual(
      ids(bp.specs.filter((s) => !s.a)),
    )
    expect(Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { parseError: true } }))).toEqual(
      ids(bp.specs.filter((s) => s.a?.parseError)),
    )
    expect(bp.specs.some((s) => s.a?.parseError)).toBe(true)
  })

  it('searches query and reasoning text case-insensitively, with % taken literally', () => {
    const db = bp.project.db
    expect(Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { text: 'KITE number 1' } }))).toEqual(
      ids(bp.specs.filter((s) => s.query.toLowerCase().includes('kite number 1'))),
    )
    expect(Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { text: 'left of' } }))).toEqual(
      ids(bp.specs.filter((s) => s.a?.reasoning.includes('left of'))),
    )
    expect(orderedSampleIds(db, { runId: bp.runA, filter: { text: '%' } }).length).toBe(0)
  })

  it('filters by image size and by an explicit selection', () => {
    const db = bp.project.db
    expect(
      Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { minWidth: 200, maxHeight: 160 } })),
    ).toEqual(ids(bp.specs.filter((s) => s.width >= 200 && s.height <= 160)))
    const pick = [bp.specs[9].id, bp.specs[3].id, 999999]
    expect(Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { sampleIds: pick } }))).toEqual([
      bp.specs[3].id,
      bp.specs[9].id,
    ])
  })

  it('filters by tag after tagging, and the cached order sees the change', () => {
    const db = bp.project.db
    const [tag] = listTags(db)
    expect(orderedSampleIds(db, { runId: bp.runA, filter: { tagIds: [tag.id] } }).length).toBe(0)
    setSampleTag(db, bp.runA, bp.specs[5].id, tag.id, true)
    setSampleTag(db, bp.runA, bp.specs[2].id, tag.id, true)
    setSampleTag(db, bp.runB, bp.specs[7].id, tag.id, true)
    expect(Array.from(orderedSampleIds(db, { runId: bp.runA, filter: { tagIds: [tag.id] } }))).toEqual([
      bp.specs[2].id,
      bp.specs[5].id,
    ])
    expect(orderedSampleIds(db, { runId: bp.runA, filter: { untagged: true } }).length).toBe(
      bp.specs.length - 2,
    )
  })
})

describe('listSamplesPage', () => {
  it('pages through the order with row fields from the fixture', () => {
    const q = { runId: bp.runA, compareRunId: bp.runB, sort: { key: 'iou' as const, dir: 'asc' as const } }
    const all = orderedSampleIds(bp.project.db, q)
    const page = listSamplesPage(bp.project.db, q, 100, 50)
    expect(page.total).toBe(bp.specs.length)
    expect(page.rows.map((r) => r.id)).toEqual(Array.from(all.subarray(100, 150)))
    for (const r of page.rows) {
      const s = bp.specs.find((x) => x.id === r.id)!
      expect(r.iou).toBe(s.a ? s.a.iou : null)
      expect(r.compareIou).toBe(s.b!.iou)
      expect(r.missing).toBe(!s.a)
      expect(r.query).toBe(s.query)
      expect([r.width, r.height]).toEqual([s.width, s.height])
    }
    expect(listSamplesPage(bp.project.db, q, 10_000, 50).rows).toEqual([])
  })

  it('locates a sample in the filtered order', () => {
    const q = { runId: bp.runA, filter: { iouMin: 0.5 } }
    const want = bp.specs.filter((s) => s.a && s.a.iou >= 0.5)
    expect(locateSample(bp.project.db, q, want[3].id)).toEqual({ index: 3, total: want.length })
    const out = bp.specs.find((s) => !s.a || s.a.iou < 0.5)!
    expect(locateSample(bp.project.db, q, out.id).index).toBeNull()
  })
})

describe('getSampleDetail', () => {
  it('returns GT, prediction and comparison with COCO sizes [h, w]', () => {
    const s = bp.specs.find((x) => x.a && !x.a.parseError)!
    const d = getSampleDetail(bp.project.db, s.id, bp.runA, bp.runB)!
    expect(d.sample.gt.size).toEqual([s.height, s.width])
    expect(d.prediction?.iou).toBe(s.a!.iou)
    expect(d.prediction?.prompts?.[0].box).toEqual([s.a!.rect.x0, s.a!.rect.y0, s.a!.rect.x1, s.a!.rect.y1])
    expect(d.comparePrediction?.iou).toBe(s.b!.iou)
    expect(d.currentEdit).toBeNull()
    expect(getSampleDetail(bp.project.db, 10_000_000, bp.runA)).toBeNull()
  })
})
