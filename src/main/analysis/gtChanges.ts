/**
 * Label noise: what the GT corrections of a dataset changed, and what they do to each run's numbers —
 * per revised sample the pixels added / removed, per run gIoU and cIoU on the original vs the corrected GT
 * with a paired bootstrap interval of the difference (corrected − original; the same resampled samples on
 * both sides, so the interval reflects the change, not the sampling noise of either number).
 */
import { DEFAULT_BOOTSTRAP, pairedBootstrapDiff, type Interval } from '../../shared/domain/bootstrap'
import { aggregate } from '../../shared/domain/metrics'
import { intersectionUnion, area } from '../../shared/domain/rle'
import { runMetrics, type GtUsage } from '../metrics/runMetrics'
import { listGtChanges, readGroundTruth } from '../store/groundTruth'
import type { Db } from '../store/project'
import { listRuns } from '../store/runs'
import { getDataset } from '../store/datasets'

export interface GtChangedSample {
  sampleId: number
  imageId: string
  annId: string
  query: string
  originalArea: number
  correctedArea: number
  /** Pixels in the corrected mask but not the original. */
  added: number
  /** Pixels in the original mask but not the corrected one. */
  removed: number
  /** Ignore-mask pixels that differ. */
  ignoreChanged: number
  objects: number
  author: string | null
  reason: string | null
}

export interface GtChangeRun {
  runId: number
  run: string
  n: number
  original: { gIoU: number; cIoU: number }
  corrected: { gIoU: number; cIoU: number }
  /** corrected − original, paired bootstrap 95% interval. */
  gIoUDiff: Interval
  cIoUDiff: Interval
  gt: GtUsage
}

export interface GtChangeReport {
  datasetId: number
  dataset: string
  samples: number
  changed: GtChangedSample[]
  flagged: { sampleId: number; imageId: string; kind: string; reason: string }[]
  runs: GtChangeRun[]
  bootstrap: { iterations: number; seed: number }
}

function ignorePixelsChanged(
  a: ReturnType<typeof readGroundTruth>,
  b: ReturnType<typeof readGroundTruth>,
): number {
  if (!a.ignore && !b.ignore) return 0
  if (!a.ignore || !b.ignore) return area((a.ignore ?? b.ignore)!)
  const { intersection, union } = intersectionUnion(a.ignore, b.ignore)
  return union - intersection
}

export function analyzeGtChanges(
  db: Db,
  datasetId: number,
  opts: { iterations?: number; seed?: number; runIds?: number[] } = {},
): GtChangeReport {
  const ds = getDataset(db, datasetId)
  if (!ds) throw new Error(`no dataset with id ${datasetId} in this project`)
  const boot = {
    iterations: opts.iterations ?? DEFAULT_BOOTSTRAP.iterations,
    seed: opts.seed ?? DEFAULT_BOOTSTRAP.seed,
  }
  const { revised, flagged } = listGtChanges(db, datasetId)
  const info = db.prepare(
    `SELECT s.image_id, s.ann_id, s.query, r.author, r.reason FROM samples s
     LEFT JOIN gt_revisions r ON r.sample_id = s.id WHERE s.id = ?`,
  )
  const changed = revised.map((id): GtChangedSample => {
    const o = readGroundTruth(db, id, 'original')
    const c = readGroundTruth(db, id, 'corrected')
    const { intersection } = intersectionUnion(o.mask, c.mask)
    const s = info.get(id) as {
      image_id: string
      ann_id: string
      query: string
      author: string | null
      reason: string | null
    }
    return {
      sampleId: id,
      imageId: s.image_id,
      annId: s.ann_id,
      query: s.query,
      originalArea: area(o.mask),
      correctedArea: area(c.mask),
      added: area(c.mask) - intersection,
      removed: area(o.mask) - intersection,
      ignoreChanged: ignorePixelsChanged(o, c),
      objects: c.objects.length,
      author: s.author,
      reason: s.reason,
    }
  })
  const imageOf = db.prepare('SELECT image_id FROM samples WHERE id = ?').pluck()
  const runs = listRuns(db)
    .filter((r) => r.dataset_id === datasetId && (!opts.runIds || opts.runIds.includes(r.id)))
    .map((r): GtChangeRun => {
      const a = runMetrics(db, r, 'segzero', { gt: 'original', excludeFlagged: false })
      const b = runMetrics(db, r, 'segzero', { gt: 'corrected', excludeFlagged: false })
      const cols = (m: typeof a) => ({
        intersection: m.samples.map((s) => s.intersection),
        union: m.samples.map((s) => s.union),
      })
      const diff = pairedBootstrapDiff(cols(a), cols(b), boot)
      const ga = aggregate(a.samples)
      const gb = aggregate(b.samples)
      return {
        runId: r.id,
        run: r.name,
        n: a.n,
        original: { gIoU: ga.gIoU, cIoU: ga.cIoU },
        corrected: { gIoU: gb.gIoU, cIoU: gb.cIoU },
        gIoUDiff: diff.gIoU,
        cIoUDiff: diff.cIoU,
        gt: b.gt,
      }
    })
  const samples = db
    .prepare('SELECT COUNT(*) FROM samples WHERE dataset_id = ?')
    .pluck()
    .get(datasetId) as number
  return {
    datasetId,
    dataset: ds.name,
    samples,
    changed,
    flagged: flagged.map((f) => ({ ...f, imageId: imageOf.get(f.sampleId) as string })),
    runs,
    bootstrap: boot,
  }
}
