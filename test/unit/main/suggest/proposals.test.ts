/**
 * Proposals follow their evidence: a new stage attribution (oracle IoUs) recomputes the run's proposals at
 * once. One hand-built sample: GT [10,10,50,50] (1600 px); run A's mask [10,30,50,70]: I = 800, U = 2400;
 * its box [10,20,50,60]: box IoU 1200 / 2000 = 0.6, centres (30,40) vs (30,30) → 10 / 40√2 = 0.177.
 * Run B (the oracle) predicts the GT exactly: oracle IoU 1.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { attributeStages } from '../../../../src/main/analysis/stages'
import {
  computeProposals,
  listProposals,
  recomputeSampleProposals,
} from '../../../../src/main/suggest/proposals'
import { toCoco } from '../../../../src/shared/domain/rle'
import { createAnalysisProject, rectMask, type FixtureSample } from '../../../fixtures/analysisProject'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-suggest-proposals-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const SAMPLE: FixtureSample = {
  imageId: 'img',
  annId: '0',
  width: 80,
  height: 80,
  query: 'the box',
  isSentence: false,
  gt: [10, 10, 50, 50],
  a: { rect: [10, 30, 50, 70], box: [10, 20, 50, 60] },
  b: { rect: [10, 10, 50, 50] },
}

it('a new stage attribution turns "localization off" into "reasoning correct but mask wrong"', async () => {
  const fx = await createAnalysisProject(path.join(dir, 'p'), [SAMPLE])
  const { db } = fx.project
  computeProposals(db, fx.runA)
  let [p] = listProposals(db, fx.runA)
  expect(p.iou).toBeCloseTo(1 / 3, 12)
  expect(p.tag).toBe('localization off')
  expect(p.evidence?.boxIou).toBeCloseTo(0.6, 12)
  expect(p.evidence?.centreOffset).toBeCloseTo(10 / Math.hypot(40, 40), 12)

  attributeStages(db, fx.runA, fx.runB)
  ;[p] = listProposals(db, fx.runA)
  expect(p.tag).toBe('reasoning correct but mask wrong')
  expect(p.evidence).toMatchObject({ oracleIou: 1, boxFromPrompts: 1 })
  expect(p.confidence).toBe(1)
  expect(p.alternatives.map((a) => a.tag)).toEqual(['localization off'])
  // Nothing left to recompute when the run is opened again.
  expect(computeProposals(db, fx.runA).computed).toBe(0)
  fx.project.close()
})

it('a GT change recomputes the sample in every run that has a proposal for it', async () => {
  const fx = await createAnalysisProject(path.join(dir, 'q'), [SAMPLE])
  const { db } = fx.project
  computeProposals(db, fx.runA)
  computeProposals(db, fx.runB)
  expect(listProposals(db, fx.runA)).toHaveLength(1)
  expect(listProposals(db, fx.runB)).toHaveLength(0) // run B hits the GT
  // The GT redrawn as run A's mask [10,30,50,70] (as a GT edit would store it): A succeeds, B now covers half.
  const moved = toCoco(rectMask([10, 30, 50, 70], 80, 80)).counts
  db.prepare('UPDATE samples SET gt_rle = ?, gt_area = 1600 WHERE id = ?').run(moved, fx.sampleIds[0])
  recomputeSampleProposals(db, fx.sampleIds[0])
  expect(listProposals(db, fx.runA)).toHaveLength(0)
  const [b] = listProposals(db, fx.runB)
  // B's mask [10,10,50,50] vs GT [10,30,50,70]: I = 800, U = 2400; precision = recall = 0.5.
  expect(b.iou).toBeCloseTo(1 / 3, 12)
  fx.project.close()
})
