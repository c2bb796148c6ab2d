import { expect, it } from 'vitest'
import { LatestWins } from '../../../../../src/renderer/src/features/edit/latestWins'

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
