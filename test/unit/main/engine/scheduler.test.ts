import { afterAll, describe, expect, it } from 'vitest'
import { createGrabCutSegmenter } from '../../../../src/main/engine/grabcut'
import { LatestWinsScheduler } from '../../../../src/main/engine/scheduler'
import { looseBox, makeScene } from '../../../fixtures/shapes'

/** Work that takes `ms` unless aborted, and records what happened to it. */
function slowWork(log: string[], name: string, ms: number, fail?: Error) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      log.push(`start ${name}`)
      const t = setTimeout(() => (fail ? reject(fail) : resolve(name)), ms)
      signal.addEventListener('abort', () => {
        clearTimeout(t)
        log.push(`abort ${name}`)
        reject(new Error('aborted'))
      })
    })
}

describe('LatestWinsScheduler', () => {
  it('delivers only the last of a burst of 100 and runs at most two computations', async () => {
    const s = new LatestWinsScheduler()
    const log: string[] = []
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => s.run('run1:sample1', slowWork(log, `r${i}`, 20))),
    )
    expect(outcomes[99]).toEqual({ status: 'fulfilled', value: 'r99' })
    for (const o of outcomes.slice(0, 99)) {
      expect(o.status).toBe('rejected')
      expect((o as PromiseRejectedResult).reason).toMatchObject({ name: 'ApiError', code: 'cancelled' })
    }
    // The first request started at once and was aborted by the second; only the last one ran after it.
    expect(log).toEqual(['start r0', 'abort r0', 'start r99'])
    expect(s.started).toBe(2)
  })

  it('drops a result that arrives after a newer request, even if the work ignores its signal', async () => {
    const s = new LatestWinsScheduler()
    let release!: (v: string) => void
    const first = s.run('k', () => new Promise<string>((r) => (release = r)))
    const second = s.run('k', async () => 'second')
    release('stale')
    await expect(first).rejects.toMatchObject({ code: 'cancelled' })
    await expect(second).resolves.toBe('second')
  })

  it('keeps keys independent', async () => {
    const s = new LatestWinsScheduler()
    const log: string[] = []
    const [a, b] = await Promise.all([s.run('a', slowWork(log, 'a', 5)), s.run('b', slowWork(log, 'b', 5))])
    expect([a, b]).toEqual(['a', 'b'])
  })

  it("reports the latest request's error to its caller and stays usable", async () => {
    const s = new LatestWinsScheduler()
    const log: string[] = []
    await expect(s.run('k', slowWork(log, 'bad', 1, new Error('model exploded')))).rejects.toThrow(
      'model exploded',
    )
    await expect(
      s.run('k', () => {
        throw new Error('synchronous failure')
      }),
    ).rejects.toThrow('synchronous failure')
    await expect(s.run('k', slowWork(log, 'good', 1))).resolves.toBe('good')
  })

  it('cancel() aborts what runs for a key', async () => {
    const s = new LatestWinsScheduler()
    const log: string[] = []
    const p = s.run('k', slowWork(log, 'x', 1000))
    s.cancel('k')
    await expect(p).rejects.toMatchObject({ code: 'cancelled' })
    expect(log).toEqual(['start x', 'abort x'])
  })
})

describe('LatestWinsScheduler with the GrabCut baseline', () => {
  const seg = createGrabCutSegmenter()
  afterAll(() => seg.dispose())

  it('answers a burst of 100 box drags with the last box only', async () => {
    const scene = makeScene({ width: 160, height: 120, shape: 'ellipse', seed: 9 })
    const s = new LatestWinsScheduler()
    const boxes = Array.from({ length: 100 }, (_, i) => looseBox(scene.tightBox, 0.3 - i * 0.002, 160, 120))
    const outcomes = await Promise.allSettled(
      boxes.map((box) =>
        s.run('r:s', (signal) => seg.segment('img', scene.image, { box, points: [] }, signal)),
      ),
    )
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    expect(outcomes[99].status).toBe('fulfilled')
    expect(s.started).toBeLessThanOrEqual(2)
    const last = await seg.segment('img', scene.image, { box: boxes[99], points: [] })
    expect((outcomes[99] as PromiseFulfilledResult<typeof last>).value.mask.counts).toEqual(last.mask.counts)
  })
})
