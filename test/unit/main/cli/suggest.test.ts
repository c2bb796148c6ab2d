/**
 * `reseg analyze suggest` as a user runs it, on the rectangle fixture whose run-A failures are worked out by
 * hand in test/unit/main/api/suggest.test.ts: s3 missing (format failure), s4 disjoint (wrong object), s2
 * shifted by half its width (localization off).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createAnalysisProject } from '../../../fixtures/analysisProject'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

let dir: string
let sampleIds: number[]
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-suggest-'))
  const fx = await createAnalysisProject(path.join(dir, 'p'))
  sampleIds = fx.sampleIds
  fx.project.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

it('prints the proposals with their evidence, as text and as JSON', () => {
  const json = reseg('analyze', 'suggest', '--project', path.join(dir, 'p'), '--run', 'runA', '--json')
  expect(json.status).toBe(0)
  const r = JSON.parse(json.stdout) as {
    computed: number
    thresholds: Record<string, number>
    proposals: { sampleId: number; tag: string; evidence: Record<string, number> }[]
  }
  expect(r.computed).toBe(6)
  expect(r.thresholds.failureIou).toBe(0.5)
  expect(r.proposals.map((p) => [p.sampleId, p.tag])).toEqual([
    [sampleIds[2], 'format failure'],
    [sampleIds[3], 'wrong object'],
    [sampleIds[1], 'localization off'],
  ])
  const text = reseg(
    'analyze',
    'suggest',
    '--project',
    path.join(dir, 'p'),
    '--run',
    'runA',
    '--tag',
    'wrong object',
  )
  expect(text.status).toBe(0)
  expect(text.stdout).toMatch(/3 failures, 0 confirmed/)
  expect(text.stdout).toMatch(
    new RegExp(`#${sampleIds[3]} img2  IoU 0\\.000  wrong object +1\\.00  iou=0 precision=0 recall=0`),
  )
  expect(text.stdout).not.toMatch(/#\d+ img1 /)
  const bad = reseg('analyze', 'suggest', '--project', path.join(dir, 'p'), '--run', 'nope')
  expect(bad.status).not.toBe(0)
  expect(bad.stderr).toMatch(/no run 'nope'/)
})
