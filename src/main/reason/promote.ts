/**
 * Promoting re-ask variants to a run, so a better prompt can be compared with the original run by the same
 * metrics, reports and views: a new run of kind 'variant', optionally a copy of a base run with the chosen
 * samples replaced. One transaction: the run appears complete or not at all.
 */
import { fromCoco } from '../../shared/domain/rle'
import { sampleIou } from '../../shared/domain/metrics'
import type { Db } from '../store/project'
import { createRun, getRun, upsertPrediction } from '../store/runs'
import { getSample } from '../store/samples'
import { sampleCounts } from './reask'
import { getVariant } from './store'

export function promoteVariants(
  db: Db,
  input: { variantIds: number[]; runName: string; baseRunId: number | null },
): { runId: number; runName: string; predictions: number; replaced: number } {
  const variants = input.variantIds.map((id) => getVariant(db, id))
  const bySample = new Map<number, number>()
  for (const v of variants) {
    const other = bySample.get(v.sampleId)
    if (other !== undefined)
      throw new Error(`variants ${other} and ${v.id} are both for sample ${v.sampleId}; pick one`)
    bySample.set(v.sampleId, v.id)
  }
  const samples = variants.map((v) => {
    const s = getSample(db, v.sampleId)
    if (!s) throw new Error(`variant ${v.id}: sample ${v.sampleId} no longer exists`)
    return s
  })
  const datasetId = samples[0].dataset_id
  if (samples.some((s) => s.dataset_id !== datasetId))
    throw new Error('the variants belong to samples of different datasets')
  const base = input.baseRunId == null ? null : getRun(db, input.baseRunId)
  if (input.baseRunId != null && !base) throw new Error(`no run ${input.baseRunId}`)
  if (base && base.dataset_id !== datasetId)
    throw new Error(`run '${base.name}' is over another dataset than the variants`)

  return db.transaction(() => {
    const models = [...new Set(variants.map((v) => v.model))]
    const runId = createRun(db, {
      datasetId,
      name: input.runName,
      kind: 'variant',
      source: base ? `${base.name} + ${variants.length} re-asked sample(s)` : 're-asked samples',
      model: models.join(', '),
      parentRunId: base?.id ?? null,
      meta: { variants: variants.map((v) => v.id), baseRunId: base?.id ?? null },
    })
    let copied = 0
    if (base) {
      copied = db
        .prepare(
          `INSERT INTO predictions (run_id, sample_id, raw_output, reasoning, answer, parse_error, prompts_json, mask_rle,
             score, intersection, union_px, iou, bbox_iou)
           SELECT ?, sample_id, raw_output, reasoning, answer, parse_error, prompts_json, mask_rle, score,
             intersection, union_px, iou, bbox_iou
           FROM predictions WHERE run_id = ?`,
        )
        .run(runId, base.id).changes
    }
    let replaced = 0
    variants.forEach((v, i) => {
      const s = samples[i]
      const mask = v.maskRle ? fromCoco({ size: [s.height, s.width], counts: v.maskRle }) : null
      const counts =
        v.intersection !== null && v.union !== null
          ? { intersection: v.intersection, union: v.union }
          : sampleCounts(s, null)
      const had = db
        .prepare('SELECT 1 FROM predictions WHERE run_id = ? AND sample_id = ?')
        .get(runId, v.sampleId)
      if (had) replaced++
      upsertPrediction(db, {
        runId,
        sampleId: v.sampleId,
        rawOutput: v.rawOutput,
        reasoning: v.reasoning,
        answer: v.answer,
        parseError: v.parseError,
        prompts: v.prompts,
        mask,
        intersection: counts.intersection,
        union: counts.union,
        iou: sampleIou(counts.intersection, counts.union),
      })
    })
    return { runId, runName: input.runName, predictions: copied + variants.length - replaced, replaced }
  })()
}
