import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browsingApi } from './browsing.shared'

let api: Awaited<ReturnType<typeof browsingApi>>
beforeAll(async () => (api = await browsingApi(60)))
afterAll(() => api.close())

describe('listSamples', () => {
  it('applies defaults and returns one page with the filter total', async () => {
    const { bp } = api
    const r = (await api.call('listSamples', { runId: bp.runA, limit: 10 })) as {
      total: number
      rows: { id: number }[]
    }
    expect(r.total).toBe(60)
    expect(r.rows.map((x) => x.id)).toEqual(bp.specs.slice(0, 10).map((s) => s.id))
    const f = (await api.call('listSamples', {
      runId: bp.runA,
      filter: { iouMin: 0.5 },
      sort: { key: 'iou', dir: 'asc' },
      limit: 1000,
    })) as { total: number; rows: { iou: number }[] }
    const want = bp.specs
      .filter((s) => s.a && s.a.iou >= 0.5)
      .map((s) => s.a!.iou)
      .sort((a, b) => a - b)
    expect(f.rows.map((x) => x.iou)).toEqual(want)
  })

  it('with around, answers the page that holds that sample and its index', async () => {
    const { bp } = api
    // IoU descending, missing last, ties by id: worked out from the fixture's closed-form IoUs.
    const order = [...bp.specs]
      .sort((x, y) => {
        if (!x.a || !y.a) return x.a ? -1 : y.a ? 1 : x.id - y.id
        return y.a.iou - x.a.iou || x.id - y.id
      })
      .map((s) => s.id)
    const target = order[23]
    const query = { runId: bp.runA, sort: { key: 'iou', dir: 'desc' }, limit: 10 }
    const r = (await api.call('listSamples', { ...query, around: target })) as {
      total: number
      offset: number
      index: number | null
      rows: { id: number }[]
    }
    expect([r.total, r.offset, r.index]).toEqual([60, 20, 23])
    expect(r.rows.map((x) => x.id)).toEqual(order.slice(20, 30))
    // A sample the filter excludes: index null, and the page asked for by offset.
    const excluded = bp.specs.find((s) => !s.a)!.id
    const f = (await api.call('listSamples', {
      ...query,
      filter: { missing: false },
      offset: 10,
      around: excluded,
    })) as { offset: number; index: number | null; rows: { id: number }[] }
    expect([f.offset, f.index]).toEqual([10, null])
    const present = new Set(bp.specs.filter((s) => s.a).map((s) => s.id))
    expect(f.rows.map((x) => x.id)).toEqual(order.filter((id) => present.has(id)).slice(10, 20))
  })

  it('rejects unknown filter keys and bad sort keys', async () => {
    const r = await api.dispatch('listSamples', { runId: api.bp.runA, filter: { iouMinimum: 1 } })
    expect(r.ok).toBe(false)
    const s = await api.dispatch('listSamples', { sort: { key: 'colour', dir: 'asc' } })
    expect(!s.ok && s.error.code).toBe('bad_request')
  })

  it('fails with not_found for an unknown run', async () => {
    const r = await api.dispatch('listSamples', { runId: 999 })
    expect(r.ok).toBe(false)
  })
})

describe('locateSample and getSampleDetail', () => {
  it('locates a sample and returns its detail', async () => {
    const { bp } = api
    const s = bp.specs[7]
    expect(await api.call('locateSample', { runId: bp.runA, sampleId: s.id })).toEqual({
      index: 7,
      total: 60,
    })
    const d = (await api.call('getSampleDetail', { sampleId: s.id, runId: bp.runA })) as {
      sample: { query: string; gt: { size: number[] } }
      note: string
      tagIds: number[]
    }
    expect(d.sample.query).toBe(s.query)
    expect(d.sample.gt.size).toEqual([s.height, s.width])
    expect([d.note, d.tagIds]).toEqual(['', []])
    const missing = await api.dispatch('getSampleDetail', { sampleId: 123456 })
    expect(!missing.ok && missing.error.code).toBe('not_found')
  })
})
