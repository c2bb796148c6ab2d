/**
 * COCO-style results export of a run's masks: a JSON array of
 * `{image_id, ann_id, segmentation: {size: [h, w], counts}, bbox: [x, y, w, h], area}` with `counts`,
 * `bbox` and `area` as pycocotools' `encode`, `toBbox` and `area` give them. Predictions without a mask
 * (evaluation-output runs, raw outputs not segmented yet) are not written; the result counts them.
 */
import { writeFileAtomic } from '../files/atomicWrite'
import { area, fromCoco, toBbox, toCoco } from '../../shared/domain/rle'
import type { Project } from '../store/project'
import { getRunByName } from '../store/runs'
import { canonicalRuns } from '../runs/predictionMask'

export interface CocoResult {
  image_id: string
  ann_id: string
  segmentation: { size: [number, number]; counts: string }
  bbox: [number, number, number, number]
  area: number
}

export function cocoResults(
  project: Project,
  runName: string,
): { results: CocoResult[]; withoutMask: number } {
  const run = getRunByName(project.db, runName)
  if (!run) throw new Error(`no run named '${runName}'`)
  const rows = project.db
    .prepare(
      `SELECT s.image_id, s.ann_id, s.width, s.height, p.mask_rle
       FROM predictions p JOIN samples s ON s.id = p.sample_id WHERE p.run_id = ? ORDER BY s.id`,
    )
    .all(run.id) as {
    image_id: string
    ann_id: string
    width: number
    height: number
    mask_rle: string | null
  }[]
  const results: CocoResult[] = []
  let withoutMask = 0
  for (const r of rows) {
    if (r.mask_rle === null) {
      withoutMask++
      continue
    }
    // Re-canonicalised so that masks written by any producer export exactly as pycocotools encodes them.
    const rle = canonicalRuns(fromCoco({ size: [r.height, r.width], counts: r.mask_rle }))
    const coco = toCoco(rle)
    results.push({
      image_id: r.image_id,
      ann_id: r.ann_id,
      segmentation: { size: coco.size, counts: coco.counts },
      bbox: toBbox(rle),
      area: area(rle),
    })
  }
  return { results, withoutMask }
}

/** Writes the run's masks to `outFile`; returns how many were written and how many had no mask. */
export function exportCoco(
  project: Project,
  runName: string,
  outFile: string,
): { written: number; withoutMask: number } {
  const { results, withoutMask } = cocoResults(project, runName)
  writeFileAtomic(outFile, `${JSON.stringify(results)}\n`)
  return { written: results.length, withoutMask }
}
