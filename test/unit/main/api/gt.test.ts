import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDispatcher } from '../../../../src/main/api/index'
import type { ApiContext } from '../../../../src/main/api/types'
import { createEngine } from '../../../../src/main/engine/registry'
import { JobRunner } from '../../../../src/main/jobs/jobs'
import { readGroundTruth } from '../../../../src/main/store/groundTruth'
import { openProject } from '../../../../src/main/store/project'
import type { GroundTruthDto } from '../../../../src/shared/contract/gt'
import { originalGtState, replayGtOps, type GtOp } from '../../../../src/shared/domain/gtEdit'
import { area, countsToString, fromCoco } from '../../../../src/shared/domain/rle'
import {
  createBrowseProject,
  rectCounts,
  rectIou,
  type BrowseProject,
  type RectSpec,
} from '../../../fixtures/browseProject'
import { fakeSource } from '../../../fixtures/fakeSegmenter'

let dir: string
let bp: BrowseProject
let ctx: ApiContext
let dispatch: ReturnType<typeof createDispatcher>

async function call<T = GroundTruthDto>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(method, input)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
  return r.value as T
}

async function fails(method: string, input: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(method, input)
  if (r.ok) throw new Error(`${method} succeeded but should have failed`)
  return r.error
}

function contextFor(project: BrowseProject['project']): ApiContext {
  return {
    project,
    jobs: new JobRunner(() => {}),
    engine: createEngine({ sources: [fakeSource(['fake-sam'])] }),
    emit: () => {},
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-gt-'))
  bp = await createBrowseProject(dir, { samples: 6, seed: 5 })
  ctx = contextFor(bp.project)
  dispatch = createDispatcher(ctx)
})

afterAll(async () => {
  await ctx.engine.dispose()
  bp.project.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The COCO counts of a filled rectangle, from the fixture's own closed-form encoder. */
function rect(r: RectSpec, h: number, w: number): string {
  return countsToString(rectCounts(r, h, w))
}

/** A polygon tracing the rectangle [x0, x1) × [y0, y1) along pixel edges (covers exactly those pixels). */
function poly(r: RectSpec): [number, number][] {
  return [
    [r.x0, r.y0],
    [r.x1, r.y0],
    [r.x1, r.y1],
    [r.x0, r.y1],
  ]
}

describe('ground-truth editing through the dispatcher', () => {
  it('reads the imported GT as the original, one object, nothing revised', async () => {
    const s = bp.specs[0]
    const gt = await call('getGroundTruth', { sampleId: s.id, which: 'original' })
    expect(gt.objects).toHaveLength(1)
    expect(gt.objects[0].mask.counts).toBe(rect(s.gt, s.height, s.width))
    expect(gt.unionArea).toBe((s.gt.x1 - s.gt.x0) * (s.gt.y1 - s.gt.y0))
    expect([gt.revised, gt.canUndo, gt.canRedo, gt.revision, gt.flag]).toEqual([
      false,
      false,
      false,
      null,
      null,
    ])
  })

  it('applies polygon, brush, undo, redo and reset as commands kept across a reopen', async () => {
    const s = bp.specs[1]
    const { width: w, height: h } = s
    const g = s.gt
    // Extend the GT by a band 4 pixels wide to its right (or left, if it touches the right border).
    const right = g.x1 + 4 <= w
    const band = right ? { ...g, x0: g.x1, x1: g.x1 + 4 } : { ...g, x0: g.x0 - 4, x1: g.x0 }
    const grown = right ? { ...g, x1: g.x1 + 4 } : { ...g, x0: g.x0 - 4 }
    let gt = await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'polygon', target: 1, points: poly(band), mode: 'add' },
      author: 'alice',
    })
    expect(gt.union.counts).toBe(rect(grown, h, w))
    expect([gt.revised, gt.canUndo, gt.canRedo, gt.position, gt.revision?.author]).toEqual([
      true,
      true,
      false,
      1,
      'alice',
    ])
    // The eraser: a disc of radius 2 centred on a pixel centre well inside removes 13 pixels (Gauss circle).
    const cx = Math.floor((g.x0 + g.x1) / 2) + 0.5
    const cy = Math.floor((g.y0 + g.y1) / 2) + 0.5
    gt = await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'brush', target: 1, points: [[cx, cy]], radius: 2, erase: true },
    })
    const grownArea = (grown.x1 - grown.x0) * (grown.y1 - grown.y0)
    expect(gt.unionArea).toBe(grownArea - 13)
    // Unnamed commands inherit the revision's author.
    expect(gt.revision?.author).toBe('alice')

    gt = await call('undoGtEdit', { sampleId: s.id })
    expect([gt.union.counts, gt.canUndo, gt.canRedo]).toEqual([rect(grown, h, w), true, true])

    // The undo cursor lives in the database: a fresh project handle sees the same state and can redo.
    const reopened = openProject(bp.project.dir)
    const ctx2 = contextFor(reopened)
    const d2 = createDispatcher(ctx2)
    const redo = await d2('redoGtEdit', { sampleId: s.id })
    expect(redo.ok && (redo.value as GroundTruthDto).unionArea).toBe(grownArea - 13)
    await ctx2.engine.dispose()
    reopened.close()

    gt = await call('getGroundTruth', { sampleId: s.id })
    expect(gt.unionArea).toBe(grownArea - 13)
    gt = await call('resetGtToOriginal', { sampleId: s.id })
    expect([gt.union.counts, gt.revised, gt.canUndo]).toEqual([rect(g, h, w), false, true])
    gt = await call('undoGtEdit', { sampleId: s.id })
    expect([gt.unionArea, gt.revised]).toEqual([grownArea - 13, true])

    // The original never changes.
    const orig = await call('getGroundTruth', { sampleId: s.id, which: 'original' })
    expect(orig.union.counts).toBe(rect(g, h, w))
    expect(readGroundTruth(bp.project.db, s.id, 'original').revised).toBe(false)
  })

  it('drops the redo branch when a new command follows an undo, and the state equals the replay', async () => {
    const s = bp.specs[2]
    const { width: w, height: h } = s
    const g = s.gt
    await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'brush', target: 1, points: [[1, 1]], radius: 3, erase: false },
    })
    await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'polygon', target: 1, points: poly(g), mode: 'subtract' },
    })
    await call('undoGtEdit', { sampleId: s.id })
    const inner = { x0: g.x0 + 2, y0: g.y0 + 2, x1: g.x1 - 2, y1: g.y1 - 2 }
    const gt = await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'polygon', target: 1, points: poly(inner), mode: 'replace' },
    })
    expect([gt.union.counts, gt.position, gt.commands, gt.canRedo]).toEqual([rect(inner, h, w), 2, 2, false])
    const log = await call<{ op: GtOp; applied: boolean }[]>('listGtCommands', { sampleId: s.id })
    expect(log.map((c) => [c.op.kind, c.applied])).toEqual([
      ['brush', true],
      ['polygon', true],
    ])
    const original = originalGtState(fromCoco({ size: [h, w], counts: rect(g, h, w) }), null)
    const replayed = replayGtOps(
      original,
      log.map((c) => c.op),
      h,
      w,
    )
    expect(replayed.objects.map((o) => o.id)).toEqual(gt.objects.map((o) => o.id))
    expect(replayed.objects.map((o) => countsToString(o.mask.counts))).toEqual(
      gt.objects.map((o) => o.mask.counts),
    )
  })

  it('keeps several objects (union = sample mask), an ignore mask, and deletes objects', async () => {
    const s = bp.specs[3]
    const { width: w, height: h } = s
    const g = s.gt
    const second = { x0: 0, y0: 0, x1: 3, y1: 2 }
    let gt = await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'polygon', target: 'new', points: poly(second), mode: 'add' },
    })
    expect(gt.objects.map((o) => [o.id, o.label, o.area])).toEqual([
      [1, 'target', (g.x1 - g.x0) * (g.y1 - g.y0)],
      [2, 'target', 6],
    ])
    expect(gt.unionArea).toBe(rectIou(g, second).union)
    gt = await call('applyGtEdit', { sampleId: s.id, op: { kind: 'addObject', label: 'handle' } })
    expect(gt.objects.map((o) => [o.id, o.label, o.area])).toContainEqual([3, 'handle', 0])
    gt = await call('applyGtEdit', {
      sampleId: s.id,
      op: {
        kind: 'polygon',
        target: 'ignore',
        points: poly({ x0: w - 2, y0: h - 2, x1: w, y1: h }),
        mode: 'add',
      },
    })
    expect(gt.ignore && area(fromCoco(gt.ignore))).toBe(4)
    gt = await call('applyGtEdit', { sampleId: s.id, op: { kind: 'deleteObject', objectId: 1 } })
    expect(gt.objects.map((o) => o.id)).toEqual([2, 3])
    expect(gt.union.counts).toBe(rect(second, h, w))
    const read = readGroundTruth(bp.project.db, s.id, 'corrected')
    expect([read.objects.length, area(read.mask), read.ignore && area(read.ignore), read.revised]).toEqual([
      2,
      6,
      4,
      true,
    ])
  })

  it('runs a segmenter-assisted edit server-side and stores it as a mask with its prompt', async () => {
    const s = bp.specs[4]
    const { width: w, height: h } = s
    const box = { x0: 5, y0: 6, x1: 15, y1: 12 }
    const gt = await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'segment', target: 1, prompt: { box: [5, 6, 15, 12], points: [] }, mode: 'replace' },
    })
    // The fake model fills pixel centres inside the box.
    expect(gt.union.counts).toBe(rect(box, h, w))
    const log = await call<{ op: GtOp }[]>('listGtCommands', { sampleId: s.id })
    expect(log[0].op).toMatchObject({ kind: 'mask', segment: { model: 'fake-sam' } })
  })

  it('refuses bad operations with a clear message and stores nothing', async () => {
    const s = bp.specs[5]
    const before = await call('getGroundTruth', { sampleId: s.id })
    const two = await fails('applyGtEdit', {
      sampleId: s.id,
      op: {
        kind: 'polygon',
        target: 1,
        points: [
          [0, 0],
          [4, 4],
        ],
        mode: 'add',
      },
    })
    expect(two).toEqual({ code: 'bad_request', message: 'a polygon needs at least 3 vertices, got 2' })
    const noObject = await fails('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'fillHoles', target: 9 },
    })
    expect(noObject.message).toMatch(/no ground-truth object 9/)
    const badRadius = await fails('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'brush', target: 1, points: [[1, 1]], radius: -1 },
    })
    expect(badRadius.code).toBe('bad_request')
    const wrongSize = await fails('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'mask', target: 1, mask: { size: [2, 2], counts: '04' }, mode: 'add' },
    })
    expect(wrongSize.message).toMatch(/mask is 2x2 but the image is/)
    expect((await fails('getGroundTruth', { sampleId: 12345 })).code).toBe('not_found')
    // A brush entirely outside the image is clipped to nothing (a valid, empty edit).
    const outside = await call('applyGtEdit', {
      sampleId: s.id,
      op: { kind: 'brush', target: 1, points: [[-50, -50]], radius: 3 },
    })
    expect(outside.union).toEqual(before.union)
    expect(outside.commands).toBe(before.commands + 1)
  })

  it('records revision info and flags, and lists what changed', async () => {
    const s = bp.specs[1]
    const tags = await call<{ id: number; name: string }[]>('listTags', {})
    const gtError = tags.find((t) => t.name === 'GT error')
    let gt = await call('setGtRevisionInfo', { sampleId: s.id, reason: 'handle missing', tagId: gtError?.id })
    expect(gt.revision).toMatchObject({ reason: 'handle missing', tagId: gtError?.id, tagName: 'GT error' })
    // Revision info on a never-edited sample creates an unrevised revision with the OS user as author.
    gt = await call('setGtRevisionInfo', { sampleId: bp.specs[0].id, reason: 'looked, fine' })
    expect([gt.revised, gt.revision?.author]).toEqual([false, os.userInfo().username])
    const flag = await call<{ kind: string; reason: string; author: string }>('flagSample', {
      sampleId: s.id,
      kind: 'ambiguous',
      reason: 'two kites',
    })
    expect(flag).toMatchObject({ kind: 'ambiguous', reason: 'two kites', author: os.userInfo().username })
    expect((await fails('flagSample', { sampleId: s.id, kind: 'blurry' })).code).toBe('bad_request')
    await call('flagSample', { sampleId: bp.specs[2].id, kind: 'duplicate' })
    expect(await call('unflagSample', { sampleId: bp.specs[2].id })).toEqual({
      sampleId: bp.specs[2].id,
      removed: true,
    })
    const changes = await call<{ revised: number[] }>('listGtChanges', { datasetId: bp.datasetId })
    expect(changes).toEqual({
      revised: [bp.specs[1].id, bp.specs[2].id, bp.specs[3].id, bp.specs[4].id],
      flagged: [{ sampleId: s.id, kind: 'ambiguous', reason: 'two kites' }],
    })
    expect(readGroundTruth(bp.project.db, s.id, 'original').flag).toEqual({
      kind: 'ambiguous',
      reason: 'two kites',
    })
  })
})
