/**
 * The suggest methods through the dispatcher on the rectangle fixture, whose failures of run A are worked
 * out by hand below (rectangle arithmetic), so the proposals, evidence and queue order are known.
 *   s1 img1/0  GT = prediction                                          success
 *   s2 img1/1  GT [60,20,100,60], mask [80,20,120,60]: I 800, U 2400     IoU 1/3, precision = recall = 0.5
 *              box [80,20,119,59] vs GT box: 20·39 / (1521 + 1600 − 780) = 780 / 2341;
 *              centres (99.5, 39.5) vs (80, 40) → 19.5064 / 56.5685 = 0.34483  → localization off
 *   s3 img2/0  no prediction                                            → format failure (missing)
 *   s4 img2/1  GT [150,100,160,110], mask [0,0,20,20]: disjoint          → wrong object
 *   s5 img3/0  half the GT: IoU exactly 0.5                              success (IoU ≥ 0.5)
 *   s6 img3/1  IoU 0.9                                                   success
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApiContext } from '../../../../src/main/api/context'
import { createDispatcher, type Dispatch } from '../../../../src/main/api/index'
import { recordPromptEdit } from '../../../../src/main/store/edits'
import type {
  ReviewQueueDto,
  ReviewSummaryDto,
  TagProposalDto,
} from '../../../../src/shared/contract/suggest'
import { createAnalysisProject, rectMask, type AnalysisProject } from '../../../fixtures/analysisProject'

let fx: AnalysisProject
let dir: string
let dispatch: Dispatch
let s: number[]
const call = async <T>(method: string, input: unknown): Promise<T> => {
  const r = await dispatch(method, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}
const errorCode = async (method: string, input: unknown) => {
  const r = await dispatch(method, input)
  return r.ok ? 'ok' : r.error.code
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-api-suggest-'))
  fx = await createAnalysisProject(path.join(dir, 'p'))
  dispatch = createDispatcher(createApiContext(fx.project))
  s = fx.sampleIds
})
afterAll(() => {
  fx.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const ids = (q: ReviewQueueDto) => q.items.map((i) => i.sampleId)
const tagId = async (name: string) =>
  (await call<{ id: number; name: string }[]>('listTags', {})).find((t) => t.name === name)?.id

it('computes proposals on open, only for changed evidence, with hand-derived evidence', async () => {
  const runId = fx.runA
  expect(await call('openTagProposals', { runId })).toEqual({
    computed: 6,
    progress: { failures: 3, confirmed: 0, skipped: 0, pending: 3 },
  })
  expect((await call<{ computed: number }>('openTagProposals', { runId })).computed).toBe(0)
  const list = await call<TagProposalDto[]>('listTagProposals', { runId })
  expect(list.map((p) => [p.sampleId, p.tag])).toEqual([
    [s[2], 'format failure'],
    [s[3], 'wrong object'],
    [s[1], 'localization off'],
  ])
  expect(list[0].evidence).toEqual({ missing: 1, gtArea: 15000 })
  expect(list[1].evidence).toEqual({ iou: 0, precision: 0, recall: 0 })
  const loc = list[2]
  expect(loc.iou).toBeCloseTo(1 / 3, 12)
  expect(loc.evidence?.boxIou).toBeCloseTo(780 / 2341, 12)
  expect(loc.evidence?.centreOffset).toBeCloseTo(Math.hypot(19.5, 0.5) / Math.hypot(40, 40), 12)
  expect(loc.confidence).toBeCloseTo(
    0.5 + (0.5 * (Math.hypot(19.5, 0.5) / Math.hypot(40, 40) - 0.1)) / 0.4,
    12,
  )
  expect(await call<TagProposalDto[]>('listTagProposals', { runId, tag: 'wrong object' })).toHaveLength(1)
  expect(await call<TagProposalDto[]>('listTagProposals', { runId, minConfidence: 0.9 })).toHaveLength(2)
  expect(await call<TagProposalDto[]>('listTagProposals', { runId, failuresOnly: false })).toHaveLength(6)
})

it('walks the queue: accept, skip to the back, pick another tag, undo; never removes a tag the user had', async () => {
  const runId = fx.runA
  expect(ids(await call('getReviewQueue', { runId }))).toEqual([s[2], s[3], s[1]])
  expect(ids(await call('getReviewQueue', { runId, order: 'tag' }))).toEqual([s[2], s[3], s[1]])
  // The user had tagged s4 'wrong object' by hand before reviewing.
  const wrong = (await tagId('wrong object')) as number
  await call('setSampleTag', { runId, sampleId: s[3], tagId: wrong, on: true })

  let q = await call<ReviewQueueDto>('reviewTagProposal', {
    runId,
    sampleId: s[2],
    action: 'accept',
    reviewedBy: 'ana',
  })
  expect(ids(q)).toEqual([s[3], s[1]])
  expect(q.progress).toEqual({ failures: 3, confirmed: 1, skipped: 0, pending: 2 })
  const format = await tagId('format failure') // created by the accept: not a default tag
  expect(format).toBeDefined()
  // The sample's tags after it: the fixture's own 'missing' (position 0) and the confirmed one.
  expect((q as ReviewQueueDto & { tagIds: number[] }).tagIds).toEqual([await tagId('missing'), format])
  const detail = await call<{ tagIds: number[] }>('getSampleDetail', { sampleId: s[2], runId })
  expect(detail.tagIds).toContain(format)

  q = await call('reviewTagProposal', { runId, sampleId: s[3], action: 'accept' })
  expect(ids(q)).toEqual([s[1]])
  const reviews = await call<TagProposalDto[]>('listTagProposals', { runId, review: 'confirmed' })
  expect(reviews.map((p) => [p.sampleId, p.review?.tagName, p.review?.reviewedBy])).toEqual([
    [s[2], 'format failure', 'ana'],
    [s[3], 'wrong object', os.userInfo().username], // the account running the backend by default
  ])
  expect(reviews[0].review?.reviewedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
  q = await call('reviewTagProposal', { runId, sampleId: s[1], action: 'skip' })
  expect(ids(q)).toEqual([s[1]]) // skipped ones come back at the end
  expect(q.items[0].review?.state).toBe('skipped')
  q = await call('reviewTagProposal', { runId, sampleId: s[1], action: 'pick', tagId: wrong })
  expect(ids(q)).toEqual([])
  expect(q.progress).toEqual({ failures: 3, confirmed: 3, skipped: 0, pending: 0 })

  const sum = await call<ReviewSummaryDto>('getReviewSummary', { runId })
  expect(sum.byConfirmedTag).toEqual([
    { tag: 'wrong object', n: 2 },
    { tag: 'format failure', n: 1 },
  ])
  expect(sum.matrix).toEqual({
    proposed: ['format failure', 'wrong object', 'localization off'],
    confirmed: ['format failure', 'wrong object'],
    counts: [
      [1, 0],
      [0, 1],
      [0, 1],
    ],
  })
  expect(sum.agreement).toBeCloseTo(2 / 3, 12)
  expect(sum.unreviewedShare).toBe(0)
  expect(sum.thresholds.failureIou).toBe(0.5)

  // Undo the pick: s2 goes back to skipped, the tag the pick added comes off.
  let u = await call<{ sampleId: number | null; tagIds: number[]; queue: ReviewQueueDto }>('undoTagReview', {
    runId,
  })
  expect(u.sampleId).toBe(s[1])
  const wrongObjectHyphen = await tagId('wrong-object') // the fixture's own tag on s2 stays
  expect(u.tagIds).toEqual([wrongObjectHyphen])
  expect(u.queue.items[0].review?.state).toBe('skipped')
  expect(
    (await call<{ tagIds: number[] }>('getSampleDetail', { sampleId: s[1], runId })).tagIds,
  ).not.toContain(wrong)
  u = await call('undoTagReview', { runId }) // the skip
  expect(u.queue.items[0].review).toBeNull()
  u = await call('undoTagReview', { runId }) // the accept of s4: the user's own tag stays
  expect(u.sampleId).toBe(s[3])
  expect((await call<{ tagIds: number[] }>('getSampleDetail', { sampleId: s[3], runId })).tagIds).toContain(
    wrong,
  )
  expect(ids(u.queue)).toEqual([s[3], s[1]])
  const summary = await call<ReviewSummaryDto>('getReviewSummary', { runId })
  expect([summary.confirmed, summary.unreviewed]).toEqual([1, 2])
  expect(summary.unreviewedShare).toBeCloseTo(2 / 3, 12)
})

it('recomputes a sample when a prompt edit changes its evidence; confirmed tags stay', async () => {
  const runId = fx.runA
  const fixture = fx.samples[1]
  // A re-segmentation that hits the GT exactly: no longer a failure once the run is opened again.
  recordPromptEdit(fx.project.db, {
    runId,
    sampleId: s[1],
    prompts: [{ box: [60, 20, 100, 60], points: [] }],
    mask: rectMask(fixture.gt, fixture.width, fixture.height),
    intersection: 1600,
    union: 1600,
    iou: 1,
  })
  expect((await call<{ computed: number }>('openTagProposals', { runId })).computed).toBe(1)
  expect(
    (await call<TagProposalDto[]>('listTagProposals', { runId, sampleIds: [s[1]], failuresOnly: false }))[0],
  ).toMatchObject({
    failure: false,
    tag: null,
    iou: 1,
  })
  // Undoing the edit through the API recomputes at once, without opening the run again.
  await call('undoPromptEdit', { runId, sampleId: s[1] })
  const back = await call<TagProposalDto[]>('listTagProposals', { runId, sampleIds: [s[1]] })
  expect(back[0].tag).toBe('localization off')
  // s3 stays confirmed throughout.
  expect(
    (await call<TagProposalDto[]>('listTagProposals', { runId, review: 'confirmed' })).map((p) => p.sampleId),
  ).toEqual([s[2]])
})

it('thresholds: per project, validated, and proposals follow them', async () => {
  const runId = fx.runA
  const t0 = await call<{ thresholds: Record<string, number>; defaults: Record<string, number> }>(
    'getSuggestThresholds',
    {},
  )
  expect(t0.thresholds).toEqual(t0.defaults)
  const t1 = await call<{ thresholds: Record<string, number>; overrides: Record<string, number> }>(
    'setSuggestThresholds',
    { overrides: { locMinOffset: 0.5 } },
  )
  expect(t1.overrides).toEqual({ locMinOffset: 0.5 })
  expect(t1.thresholds.locMinOffset).toBe(0.5)
  // Every row was computed under other thresholds: all six are redone; s2's offset 0.345 no longer fires.
  expect((await call<{ computed: number }>('openTagProposals', { runId })).computed).toBe(6)
  expect((await call<TagProposalDto[]>('listTagProposals', { runId, sampleIds: [s[1]] }))[0].tag).toBeNull()
  expect(await errorCode('setSuggestThresholds', { overrides: { nonsense: 1 } })).toBe('bad_request')
  await call('setSuggestThresholds', { overrides: {} })
  expect((await call<TagProposalDto[]>('getSuggestThresholds', {})) as unknown).toMatchObject({
    overrides: {},
  })
})

it('rejects bad requests', async () => {
  const runId = fx.runA
  expect(await errorCode('reviewTagProposal', { runId, sampleId: s[1], action: 'pick' })).toBe('bad_request')
  expect(await errorCode('getReviewQueue', { runId: 999 })).toBe('not_found')
  // s1 is a success: no proposal to accept.
  expect(await errorCode('reviewTagProposal', { runId, sampleId: s[0], action: 'accept' })).toBe(
    'bad_request',
  )
  expect(await errorCode('reviewTagProposal', { runId, sampleId: s[1], action: 'pick', tagId: 12345 })).toBe(
    'bad_request',
  )
})
