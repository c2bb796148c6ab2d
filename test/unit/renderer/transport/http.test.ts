import { afterEach, expect, it, vi } from 'vitest'
import { createHttpTransport } from '../../../../src/renderer/src/transport/http'

class FakeSocket {
  static all: FakeSocket[] = []
  onmessage: ((m: { data: string }) => void) | null = null
  onopen: (() => void) | null = null
  onclose: (() => void) | null = null
  closed = false
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  close() {
    this.closed = true
    this.onclose?.()
  }
}

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  FakeSocket.all = []
})

it('opens one socket when a subscribe comes during the reconnect back-off', () => {
  vi.useFakeTimers()
  vi.stubGlobal('window', { location: { protocol: 'http:', host: 'localhost:1' } })
  vi.stubGlobal('WebSocket', FakeSocket)
  const t = createHttpTransport('tok')
  const unsubA = t.subscribe(() => undefined)
  expect(FakeSocket.all).toHaveLength(1)
  // The host drops the connection: a reconnect is scheduled.
  FakeSocket.all[0].onclose?.()
  // Before it fires, a component subscribes and (no socket being open) opens one itself.
  const unsubB = t.subscribe(() => undefined)
  expect(FakeSocket.all).toHaveLength(2)
  vi.advanceTimersByTime(10_000)
  expect(FakeSocket.all).toHaveLength(2)
  unsubA()
  unsubB()
  expect(FakeSocket.all[1].closed).toBe(true)
})

it('reconnects after the back-off while someone listens', () => {
  vi.useFakeTimers()
  vi.stubGlobal('window', { location: { protocol: 'http:', host: 'localhost:1' } })
  vi.stubGlobal('WebSocket', FakeSocket)
  const t = createHttpTransport('tok')
  t.subscribe(() => undefined)
  FakeSocket.all[0].onclose?.()
  expect(FakeSocket.all).toHaveLength(1)
  vi.advanceTimersByTime(250)
  expect(FakeSocket.all).toHaveLength(2)
  expect(FakeSocket.all[1].url).toBe('ws://localhost:1/events?token=tok')
})
