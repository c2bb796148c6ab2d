/**
 * Reads a run's per-sample results from the store: every sample of the run's dataset, its pixel counts
 * and its failure tags for that run. Counts come from `runMetrics` (the code behind `reseg metrics`), so
 * every number here equals what that command prints — missing predictions and ignore regions included.
 */
import type { SampleResult } from '../../shared/domain/breakdowns'
import { ORIGINAL_GT, runMetrics, type GtOptions, type GtUsage } from '../metrics/runMetrics'
import type { Db } from '../store/project'
import { getRun, getRunByName, type RunRow } from '../store/runs'

/** Separates tag names inside one SQL group_concat; tag names cannot contain it. */
export const TAG_SEPARATOR = '\u001f'

export function requireRun(db: Db, run: number | string): RunRow {
  const row = typeof run === 'number' ? getRun(db, run) : getRunByName(db, run)
  if (!row) {
    const names = (db.prepare('SELECT name FROM runs ORDER BY id').all() as { name: string }[]).map(
      (r) => r.name,
    )
    throw new Error(
      `no run ${typeof run === 'number' ? `#${run}` : `'${run}'`} in this project (runs: ${names.join(', ') || 'none'})`,
    )
  }
  return row
}

interface ResultRow {
  id: number
  is_sentence: number | null
  query: string
  width: number
  height: number
  gt_area: number
  tags: string | null
}

export function loadResults(db: Db, runId: number, gt: GtOptions = ORIGINAL_GT): SampleResult[] {
  return loadRunResults(db, runId, gt).results
}

/** The run's results under a GT choice, and how that choice played out (for the "which GT" statement). */
export function loadRunResults(
  db: Db,
  runId: number,
  gt: GtOptions = ORIGINAL_GT,
): { results: SampleResult[]; gt: GtUsage; notSegmented: ReadonlySet<number> } {
  const run = requireRun(db, runId)
  const metrics = runMetrics(db, run, 'segzero', gt)
  const kept = new Set(metrics.samples.map((c) => c.sampleId))
  // With the corrected GT, a revised sample's object size comes from its corrected mask.
  const rows = (
    db
      .prepare(
        `SELECT s.id, s.is_sentence, s.query, s.width, s.height,
                COALESCE(CASE WHEN @corrected = 1 THEN (SELECT r.mask_area FROM gt_revisions r
                  WHERE r.sample_id = s.id AND r.revised = 1) END, s.gt_area) AS gt_area,
                (SELECT group_concat(t.name, char(31)) FROM sample_tags st JOIN tags t ON t.id = st.tag_id
                  WHERE st.run_id = @run AND st.sample_id = s.id) AS tags
         FROM samples s WHERE s.dataset_id = @dataset ORDER BY s.id`,
      )
      .all({ run: run.id, dataset: run.dataset_id, corrected: gt.gt === 'corrected' ? 1 : 0 }) as ResultRow[]
  ).filter((r) => kept.has(r.id))
  const counts = metrics.samples
  if (counts.length !== rows.length || counts.some((c, i) => c.sampleId !== rows[i].id)) {
    throw new Error(`run '${run.name}': sample lists of the metrics and the analysis queries disagree`)
  }
  const results = rows.map((r, i) => ({
    sampleId: r.id,
    predicted: !counts[i].missing,
    intersection: counts[i].intersection,
    union: counts[i].union,
    isSentence: r.is_sentence == null ? null : r.is_sentence === 1,
    query: r.query,
    width: r.width,
    height: r.height,
    gtArea: r.gt_area,
    tags: r.tags ? r.tags.split(TAG_SEPARATOR).sort() : [],
  }))
  // Prompts but no mask: their stored I/U are no score (runMetrics reports gIoU/cIoU as null meanwhile).
  const notSegmented = new Set(counts.filter((c) => c.notSegmented).map((c) => c.sampleId))
  return { results, gt: metrics.gt, notSegmented }
}

/** The results that have an IoU: not-segmented samples are in no number, bar or worst-sample list. */
export function scoredResults(loaded: ReturnType<typeof loadRunResults>): SampleResult[] {
  return loaded.results.filter((r) => !loaded.notSegmented.has(r.sampleId))
}
