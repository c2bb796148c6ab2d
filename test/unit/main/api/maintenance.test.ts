import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { browsingApi } from './browsing.shared'

let api: Awaited<ReturnType<typeof browsingApi>>
beforeAll(async () => (api = await browsingApi(3)))
afterAll(() => api.close())

it('reports an unclean shutdown, checks the project and fixes it through the API', async () => {
  const { bp } = api
  expect(await api.call('getProjectHealth', {})).toEqual({ uncleanShutdown: [] })
  // As openProject found them after a crash of an import.
  bp.project.uncleanShutdown = [
    { pid: 4242, host: 'h', startedAt: '2026-11-28T00:00:00Z', command: 'reseg import dataset x' },
  ]
  expect(await api.call('getProjectHealth', {})).toEqual({
    uncleanShutdown: [{ pid: 4242, startedAt: '2026-11-28T00:00:00Z', command: 'reseg import dataset x' }],
  })
  const orphan = `${'a'.repeat(64)}.jpg`
  fs.writeFileSync(path.join(bp.project.mediaDir, orphan), 'left by the killed import')
  const report = (await api.call('checkProject', {})) as { clean: boolean; orphans: { entries: string[] } }
  expect(report).toMatchObject({ clean: false, orphans: { entries: [orphan] } })
  expect(fs.existsSync(path.join(bp.project.mediaDir, orphan))).toBe(true)
  expect(await api.call('checkProject', { fix: true })).toMatchObject({
    clean: true,
    orphans: { removed: true },
  })
  expect(fs.existsSync(path.join(bp.project.mediaDir, orphan))).toBe(false)
  expect(await api.call('getProjectHealth', {})).toEqual({ uncleanShutdown: [] })
  await expect(api.call('checkProject', { fix: 'yes' })).rejects.toThrow(
    /invalid request to checkProject: fix/,
  )
})
