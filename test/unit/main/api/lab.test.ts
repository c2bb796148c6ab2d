import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWriteRecorder, isWrite, summarize, targetOf } from '../../../../src/main/lab/audit'
import { browsingApi } from './browsing.shared'

let api: Awaited<ReturnType<typeof browsingApi>>
beforeAll(async () => (api = await browsingApi(3)))
afterAll(() => api.close())

describe('lab API through createDispatcher', () => {
  it('the desktop caller is the local admin, and its writes are audited as local', async () => {
    const { bp } = api
    const s = bp.specs[0].id
    expect(await api.call('whoAmI', {})).toEqual({ user: 'local', role: 'admin' })
    await api.call('saveNote', { runId: bp.runA, sampleId: s, text: 'first' })
    await api.dispatch(
      'saveNote',
      { runId: bp.runA, sampleId: s, text: 'second' },
      { user: 'ana', role: 'annotator' },
    )
    // a read and a refused write leave no trace
    await api.dispatch('getNote', { runId: bp.runA, sampleId: s }, { user: 'vic', role: 'viewer' })
    const refused = await api.dispatch(
      'saveNote',
      { runId: bp.runA, sampleId: s, text: 'x' },
      { user: 'vic', role: 'viewer' },
    )
    expect(refused).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'vic (viewer) may not call saveNote' },
    })
    // a failed write (unknown sample) is not audited either
    const failed = await api.dispatch('setSampleTag', {
      runId: bp.runA,
      sampleId: 999999,
      tagId: 1,
      on: true,
    })
    expect(failed.ok).toBe(false)

    const h = (await api.call('getSampleHistory', { runId: bp.runA, sampleId: s })) as {
      entries: { user: string; method: string; summary: string }[]
      noteVersions: { text: string; author: string | null; replacedBy: string }[]
    }
    expect(h.entries.map((e) => [e.user, e.method, e.summary])).toEqual([
      ['ana', 'saveNote', JSON.stringify({ runId: bp.runA, sampleId: s, text: 'second' })],
      ['local', 'saveNote', JSON.stringify({ runId: bp.runA, sampleId: s, text: 'first' })],
    ])
    expect(h.noteVersions).toMatchObject([{ text: 'first', author: 'local', replacedBy: 'ana' }])
    // another run's history of the same sample is separate
    const other = (await api.call('getSampleHistory', { runId: bp.runB, sampleId: s })) as {
      entries: unknown[]
    }
    expect(other.entries).toEqual([])
  })

  it('a method nobody classified yet is admin-only and audited', () => {
    const events: unknown[] = []
    const w = createWriteRecorder(api.bp.project.db, (e) => events.push(e))
    expect(() => w.authorize('editGroundTruth', { user: 'ana', role: 'annotator' })).toThrow(/may not call/)
    expect(() => w.authorize('editGroundTruth', { user: 'adm', role: 'admin' })).not.toThrow()
    expect(isWrite('editGroundTruth')).toBe(true)
    expect(isWrite('getSampleDetail')).toBe(false)
    w.record('editGroundTruth', { runId: 1, sampleId: 2 }, { ok: 1 }, { user: 'adm', role: 'admin' }, null)
    expect(events).toEqual([
      { type: 'changed', method: 'editGroundTruth', runId: 1, sampleId: 2, user: 'adm', overwrote: null },
    ])
  })

  it('summaries cut long strings and redact secret-looking keys', () => {
    const long = 'x'.repeat(500)
    const text = summarize({ name: 'ep', apiKey: 'sk-live-123', nested: { accessToken: 't0k' }, query: long })
    expect(text).not.toContain('sk-live-123')
    expect(text).not.toContain('t0k')
    expect(JSON.parse(text)).toEqual({
      name: 'ep',
      apiKey: '[redacted]',
      nested: { accessToken: '[redacted]' },
      query: `${'x'.repeat(80)}… (500 chars)`,
    })
    expect(targetOf({ baseRunId: 4, sampleId: 9 })).toEqual({ runId: 4, sampleId: 9 })
    expect(targetOf({ id: 3 })).toEqual({ runId: null, sampleId: null })
  })
})
