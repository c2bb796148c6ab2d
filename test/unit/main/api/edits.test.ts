import { afterAll, beforeAll, expect, it } from 'vitest'
import { recordPromptEdit } from '../../../../src/main/store/edits'
import { browsingApi } from './browsing.shared'

let api: Awaited<ReturnType<typeof browsingApi>>
beforeAll(async () => (api = await browsingApi(4)))
afterAll(() => api.close())

it('undoes, redoes and resets edits, and saves a variant run', async () => {
  const { bp } = api
  const s = bp.specs[0]
  const id = recordPromptEdit(bp.project.db, {
    runId: bp.runA,
    sampleId: s.id,
    prompts: [{ box: [s.gt.x0, s.gt.y0, s.gt.x1, s.gt.y1], points: [] }],
    intersection: 10,
    union: 10,
    iou: 1,
  })
  const target = { runId: bp.runA, sampleId: s.id }
  expect(await api.call('undoPromptEdit', target)).toEqual({ current: null, canUndo: false, canRedo: true })
  const redo = (await api.call('redoPromptEdit', target)) as { current: { id: number; iou: number } }
  expect([redo.current.id, redo.current.iou]).toEqual([id, 1])
  expect(await api.call('resetPromptEdits', target)).toEqual({ current: null, canUndo: true, canRedo: false })
  await api.call('undoPromptEdit', target)
  expect(((await api.call('listPromptEdits', target)) as unknown[]).length).toBe(1)
  const v = (await api.call('saveRunVariant', { runId: bp.runA, name: 'fixed' })) as {
    name: string
    edited: number
  }
  expect(v).toMatchObject({ name: 'fixed', edited: 1 })
  const info = (await api.call('getProjectInfo', {})) as { runs: { name: string; kind: string }[] }
  expect(info.runs.find((r) => r.name === 'fixed')?.kind).toBe('variant')
  const none = await api.dispatch('undoPromptEdit', { runId: bp.runA, sampleId: 99999 })
  expect(!none.ok && none.error.code).toBe('not_found')
  const missingRun = await api.dispatch('saveRunVariant', { runId: 999 })
  expect(!missingRun.ok && missingRun.error.code).toBe('not_found')
})
