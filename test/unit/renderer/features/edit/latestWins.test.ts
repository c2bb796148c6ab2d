import { expect, it } from 'vitest'
import { KeyedLatestWins, LatestWins } from '../../../../../src/renderer/src/features/edit/latestWins'

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: Error) => void
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)))
  return { promise, resolve, reject }
}

it('applies only the newest response, whatever order they arrive in', async () => {
  const lw = new LatestWins()
  const a = deferred<string>()
  const b = deferred<string>()
  const ra = lw.run(() => a.promise)
  const rb = lw.run(() => b.promise)
  b.resolve('b')
  a.resolve('a')
  expect(await rb).toEqual({ stale: false, value: 'b' })
  expect(await ra).toEqual({ stale: true })
})

it('swallows errors of stale requests and surfaces current ones', async () => {
  const lw = new LatestWins()
  const a = deferred<string>()
  const ra = lw.run(() => a.promise)
  lw.invalidate()
  a.reject(new Error('cancelled'))
  expect(await ra).toEqual({ stale: true })
  await expect(lw.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
})

it('keeps requests on different keys independent, and newer ones on the same key win', async () => {
  const kw = new KeyedLatestWins()
  const a1 = deferred<string>()
  const a2 = deferred<string>()
  const b = deferred<string>()
  const ra1 = kw.for('sample-a').run(() => a1.promise)
  // Moving to another sample and editing there must not drop sample A's answer.
  const rb = kw.for('sample-b').run(() => b.promise)
  b.resolve('b')
  a1.resolve('a1')
  expect(await ra1).toEqual({ stale: false, value: 'a1' })
  expect(await rb).toEqual({ stale: false, value: 'b' })
  const ra2 = kw.for('sample-a').run(() => a2.promise)
  kw.for('sample-a').invalidate()
  a2.resolve('a2')
  expect(await ra2).toEqual({ stale: true })
})
