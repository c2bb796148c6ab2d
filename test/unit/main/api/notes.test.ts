import { afterAll, beforeAll, expect, it } from 'vitest'
import { browsingApi } from './browsing.shared'

let api: Awaited<ReturnType<typeof browsingApi>>
beforeAll(async () => (api = await browsingApi(3)))
afterAll(() => api.close())

it('saves a note and shows it in the sample detail and list', async () => {
  const { bp } = api
  const s = bp.specs[1].id
  await api.call('saveNote', { runId: bp.runA, sampleId: s, text: 'mask misses the handle' })
  expect(((await api.call('getNote', { runId: bp.runA, sampleId: s })) as { text: string }).text).toBe(
    'mask misses the handle',
  )
  const d = (await api.call('getSampleDetail', { sampleId: s, runId: bp.runA })) as { note: string }
  expect(d.note).toBe('mask misses the handle')
  const list = (await api.call('listSamples', { runId: bp.runA })) as {
    rows: { id: number; hasNote: boolean }[]
  }
  expect(list.rows.filter((r) => r.hasNote).map((r) => r.id)).toEqual([s])
})
