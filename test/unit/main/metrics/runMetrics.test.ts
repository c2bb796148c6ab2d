/**
 * Store-backed run metrics: stored I/U, missing samples as empty masks (ignore pixels excluded), and
 * recomputation from stored masks agreeing with what the import stored.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { recomputeRunCounts, resolveRuns, runMetrics } from '../../../../src/main/metrics/runMetrics'
import { importRun } from '../../../../src/main/runs/importRun'
import type { Project } from '../../../../src/main/store/project'
import { makeRunProject, tempDir } from '../../../fixtures/runProject'

let project: Project
let dir: string
beforeEach(() => {
  dir = tempDir('reseg-metrics-')
  project = makeRunProject([
    // GT area 4; the two '?' pixels are ignored (none of them is GT).
    { imageId: 'a', annId: '1', rows: ['##.', '##?', '..?'] },
    // GT area 3, one ignored pixel.
    { imageId: 'b', annId: '1', rows: ['#?', '##'] },
    { imageId: 'c', annId: '1', rows: ['....', '.##.'] },
  ])
})
afterEach(() => {
  project.close()
  fs.rmSync(path.dirname(project.dir), { recursive: true, force: true })
  fs.rmSync(dir, { recursive: true, force: true })
})

async function run(name: string, lines: object[]) {
  const file = path.join(dir, `${name}.jsonl`)
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'))
  return importRun(project, { path: file, name })
}

describe('runMetrics', () => {
  it('scores missing samples as empty masks with ignore pixels left out', async () => {
    // Only c predicted: the full bottom row (column-major runs 1,1,…); I = 2, U = 4.
    const r = await run('only-c', [
      { image_id: 'c', ann_id: '1', mask: { size: [2, 4], counts: [1, 1, 1, 1, 1, 1, 1, 1] } },
    ])
    const m = runMetrics(project.db, r.runId)
    expect(m.samples.map((s) => [s.imageId, s.intersection, s.union, s.missing])).toEqual([
      ['a', 0, 4, true],
      ['b', 0, 3, true],
      ['c', 2, 4, false],
    ])
    expect(m).toMatchObject({ run: 'only-c', n: 3, missing: 2, convention: 'segzero' })
    expect(m.cIoU).toBeCloseTo(2 / 11, 12)
    expect(m.gIoU).toBeCloseTo(0.5 / 3, 12)
  })

  it('recomputing from stored masks gives the stored counts', async () => {
    const r = await run('all', [
      { image_id: 'a', ann_id: '1', mask: { size: [3, 3], counts: [3, 6] } },
      { image_id: 'b', ann_id: '1', mask: { size: [2, 2], counts: [0, 4] } },
      { image_id: 'c', ann_id: '1', bbox: [1, 1, 3, 2] },
    ])
    const stored = runMetrics(project.db, r.runId).samples
    const again = recomputeRunCounts(project.db, r.runId)
    expect(again.size).toBe(2)
    for (const s of stored.slice(0, 2)) {
      expect(again.get(s.sampleId)).toEqual({ intersection: s.intersection, union: s.union })
    }
    // a: prediction = columns 1-2; I = 2, U = 8 - 2 ignored = 6. b: everything; the '?' pixel is ignored → I = U = 3.
    expect(stored.map((s) => [s.intersection, s.union])).toEqual([
      [2, 6],
      [3, 3],
      [0, 2],
    ])
  })

  it('resolves run names and names unknown ones', async () => {
    await run('x', [])
    expect(resolveRuns(project.db, []).map((r) => r.name)).toEqual(['x'])
    expect(() => resolveRuns(project.db, ['y'])).toThrow(/no run named 'y' \(the project has: x\)/)
  })
})
