import { afterAll, beforeAll, expect, it } from 'vitest'
import { browsingApi } from './browsing.shared'

let api: Awaited<ReturnType<typeof browsingApi>>
beforeAll(async () => (api = await browsingApi(5)))
afterAll(() => api.close())

it('lists the seeded taxonomy, edits it and tags samples through the dispatcher', async () => {
  const tags = (await api.call('listTags', {})) as { id: number; name: string }[]
  expect(tags).toHaveLength(7)
  const t = (await api.call('saveTag', { name: '  truncated  ', color: '#00ff00' })) as {
    id: number
    name: string
  }
  expect(t.name).toBe('truncated')
  const dup = await api.dispatch('saveTag', { name: 'truncated' })
  expect(!dup.ok && dup.error.code).toBe('conflict')
  const bad = await api.dispatch('saveTag', { name: 'x', color: 'green' })
  expect(!bad.ok && bad.error.code).toBe('bad_request')
  const s = api.bp.specs[0].id
  expect(await api.call('setSampleTag', { runId: api.bp.runA, sampleId: s, tagId: t.id, on: true })).toEqual({
    tagIds: [t.id],
  })
  const detail = (await api.call('getSampleDetail', { sampleId: s, runId: api.bp.runA })) as {
    tagIds: number[]
  }
  expect(detail.tagIds).toEqual([t.id])
  expect(await api.call('deleteTag', { id: t.id })).toEqual({ deleted: true })
  expect(await api.call('deleteTag', { id: t.id })).toEqual({ deleted: false })
  const gone = await api.dispatch('setSampleTag', { runId: api.bp.runA, sampleId: s, tagId: t.id, on: true })
  expect(!gone.ok && gone.error.code).toBe('not_found')
})
