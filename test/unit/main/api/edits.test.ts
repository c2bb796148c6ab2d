import { afterAll, beforeAll, expect, it } from 'vitest'
import { exportRows } from '../../../../src/main/reports/rows'
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

it("keeps each object's mask and IoU in a variant run: its prediction and its export rows carry them", async () => {
  const { bp } = api
  const s = bp.specs[1]
  const size: [number, number] = [s.height, s.width]
  // Hand-made per-object results (masks as COCO counts of the sample's size).
  const objects = [
    { id: '0', mask: { size, counts: `${s.width * s.height}` }, score: 0.5, refined: false, gtIndex: 0 },
    { id: '3', mask: { size, counts: `${s.width * s.height}` }, score: 0.25, refined: true, gtIndex: null },
  ].map((o, k) => ({ ...o, intersection: 7 - k, union: 10, iou: (7 - k) / 10 }))
  recordPromptEdit(bp.project.db, {
    runId: bp.runA,
    sampleId: s.id,
    prompts: [
      { box: [1, 1, 5, 5], points: [] },
      { box: [6, 6, 9, 9], points: [] },
    ],
    intersection: 7,
    union: 10,
    iou: 0.7,
    objects,
  })
  const v = (await api.call('saveRunVariant', { runId: bp.runA, name: 'objects-kept' })) as { runId: number }
  const d = (await api.call('getSampleDetail', { sampleId: s.id, runId: v.runId })) as {
    prediction: { objects: unknown }
  }
  expect(d.prediction.objects).toEqual(objects)
  const row = [...exportRows(bp.project.db, v.runId)].flat().find((r) => r.sample_id === s.id)
  expect(row?.objects).toEqual([
    { id: '0', gt_index: 0, iou: 0.7 },
    { id: '3', gt_index: null, iou: 0.6 },
  ])
  // The model's own run (imported: only the union) has none.
  const own = (await api.call('getSampleDetail', { sampleId: s.id, runId: bp.runB })) as {
    prediction: { objects: unknown } | null
  }
  expect(own.prediction?.objects ?? null).toBeNull()
})
