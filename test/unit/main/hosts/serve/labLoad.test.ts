/**
 * The CI-sized lab load (bench/lab.bench.ts runs 60 s and reports latency): 20 clients for 10 s against
 * one serve host; asserts no errors and that every write is accounted for, not the latency.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runLabLoad, startLabFixture } from '../../../../fixtures/labLoad'

let dir: string
let fx: Awaited<ReturnType<typeof startLabFixture>>
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-labload-'))
  fx = await startLabFixture(dir, { samples: 40, clients: 20 })
})
afterAll(async () => {
  await fx.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

it('20 clients browsing, tagging and editing for 10 s: 0 errors, every write accounted for', async () => {
  const r = await runLabLoad({ ...fx.options, durationMs: 10_000, maxOpsPerClient: 400, seed: 7 })
  expect(r.errors).toEqual([])
  expect(r.writes).toBeGreaterThan(50)
  expect(Object.keys(r.byMethod).sort()).toEqual(
    ['getNote', 'getSampleDetail', 'listSamples', 'saveNote', 'segmentSample', 'setSampleTag'].sort(),
  )
  for (const c of r.checks) expect(`${c.name}: ${c.ok ? 'ok' : 'FAILED'} (${c.detail})`).toMatch(/: ok \(/)
}, 60_000)
