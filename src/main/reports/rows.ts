/**
 * One flat row per sample with every stored field of a run (and optionally of a second run), for the CSV
 * and JSON exports. Rows are read in keyset pages so memory stays bounded and the database connection is
 * free between pages (the app keeps answering while a large export runs).
 */
import { imageSizeBucket, objectSizeBucket, queryKind } from '../../shared/domain/breakdowns'
import { sampleIou } from '../../shared/domain/metrics'
import { TAG_SEPARATOR, requireRun } from '../analysis/results'
import { ORIGINAL_GT, runMetrics, type GtOptions } from '../metrics/runMetrics'
import { flaggedSampleIds, listGtChanges } from '../store/groundTruth'
import type { StoredObject } from '../store/edits'
import type { Db } from '../store/project'
import { notSegmentedSql } from '../store/runs'

export interface ExportRow {
  sample_id: number
  image_id: string
  ann_id: string
  query: string
  query_kind: string
  is_sentence: boolean | null
  width: number
  height: number
  gt_area: number
  /** The GT version this row's I and U were computed against. */
  gt: 'original' | 'corrected'
  object_size: string
  image_size: string
  missing: boolean
  /** Prompts but no mask: no IoU (null, never 0) until the run is segmented. */
  not_segmented: boolean
  intersection: number
  union: number
  iou: number | null
  bbox_iou: number | null
  score: number | null
  parse_error: string | null
  tags: string[]
  note: string | null
  stage_label: string | null
  oracle_iou: number | null
  pred_box_iou: number | null
  prompts: unknown
  reasoning: string | null
  answer: string | null
  raw_output: string | null
  mask_rle: string | null
  /**
   * Multi-object answers: per object (prompt order) its id, the GT piece it matched one-to-one on mask
   * IoU and its IoU against that piece; null where only the union mask is stored (imported runs).
   */
  objects: { id: string; gt_index: number | null; iou: number }[] | null
  compare_missing?: boolean
  compare_iou?: number
  compare_intersection?: number
  compare_union?: number
  iou_delta?: number
  /** With an author filter only: that author's methods on the sample, each with its last write time. */
  authored?: string
}

/** Column order of the CSV (the JSON objects have the same keys). */
export function exportColumns(withCompare: boolean, withAuthored = false): (keyof ExportRow)[] {
  const cols: (keyof ExportRow)[] = [
    'sample_id',
    'image_id',
    'ann_id',
    'query',
    'query_kind',
    'is_sentence',
    'width',
    'height',
    'gt_area',
    'gt',
    'object_size',
    'image_size',
    'missing',
    'not_segmented',
    'intersection',
    'union',
    'iou',
    'bbox_iou',
    'score',
    'parse_error',
    'tags',
    'note',
    'stage_label',
    'oracle_iou',
    'pred_box_iou',
    'objects',
  ]
  if (withAuthored) cols.push('authored')
  if (withCompare)
    cols.push('compare_missing', 'compare_intersection', 'compare_union', 'compare_iou', 'iou_delta')
  cols.push('prompts', 'reasoning', 'answer', 'raw_output', 'mask_rle')
  return cols
}

interface RawRow {
  id: number
  image_id: string
  ann_id: string
  query: string
  is_sentence: number | null
  width: number
  height: number
  gt_area: number
  has_pred: number
  not_segmented: number
  intersection: number | null
  union_px: number | null
  bbox_iou: number | null
  score: number | null
  parse_error: string | null
  prompts_json: string | null
  reasoning: string | null
  answer: string | null
  raw_output: string | null
  mask_rle: string | null
  objects_json: string | null
  tags: string | null
  note: string | null
  stage_label: string | null
  oracle_iou: number | null
  pred_box_iou: number | null
  b_has: number | null
  b_intersection: number | null
  b_union: number | null
}

export function countExportRows(
  db: Db,
  runId: number,
  gt: GtOptions = ORIGINAL_GT,
  authored?: ReadonlyMap<number, string>,
): number {
  if (authored) return authored.size
  const run = requireRun(db, runId)
  const n = (
    db.prepare('SELECT COUNT(*) AS n FROM samples WHERE dataset_id = ?').get(run.dataset_id) as { n: number }
  ).n
  // The rows exportRows keeps: every sample of the dataset, less the flagged ones when they are excluded.
  return gt.excludeFlagged ? n - flaggedSampleIds(db, run.dataset_id).size : n
}

/** Per-sample I/U under a non-default GT choice (flagged samples absent when excluded); null for the default. */
function countsUnder(db: Db, runId: number, gt: GtOptions): Map<number, { i: number; u: number }> | null {
  if (gt.gt === 'original' && !gt.excludeFlagged) return null
  return new Map(
    runMetrics(db, runId, 'segzero', gt).samples.map((s) => [s.sampleId, { i: s.intersection, u: s.union }]),
  )
}

/**
 * Yields rows in sample order, `pageSize` at a time. A missing prediction counts as an empty mask
 * (I = 0, U = |GT|; with an ignore region the CSV still shows |GT|, the metrics use the ignore-aware union).
 * `authored` (sample id → `authored` cell) keeps only those samples and fills that column.
 */
export function* exportRows(
  db: Db,
  runId: number,
  compareRunId?: number | null,
  pageSize = 500,
  gt: GtOptions = ORIGINAL_GT,
  authored?: ReadonlyMap<number, string>,
): Generator<ExportRow[]> {
  const run = requireRun(db, runId)
  const cmp = compareRunId != null ? requireRun(db, compareRunId) : null
  if (cmp && cmp.dataset_id !== run.dataset_id)
    throw new Error(`runs '${run.name}' and '${cmp.name}' are on different datasets`)
  const countsA = countsUnder(db, run.id, gt)
  const countsB = cmp ? countsUnder(db, cmp.id, gt) : null
  const revised = new Set(gt.gt === 'corrected' ? listGtChanges(db, run.dataset_id).revised : [])
  const stmt = db.prepare(
    `SELECT s.id, s.image_id, s.ann_id, s.query, s.is_sentence, s.width, s.height,
            COALESCE(CASE WHEN @corrected = 1 THEN (SELECT r.mask_area FROM gt_revisions r
              WHERE r.sample_id = s.id AND r.revised = 1) END, s.gt_area) AS gt_area,
            p.sample_id IS NOT NULL AS has_pred, ${notSegmentedSql('p')} AS not_segmented, p.intersection, p.union_px, p.bbox_iou, p.score, p.parse_error,
            p.prompts_json, p.reasoning, p.answer, p.raw_output, p.mask_rle, p.objects_json,
            (SELECT group_concat(t.name, char(31)) FROM sample_tags st JOIN tags t ON t.id = st.tag_id
              WHERE st.run_id = @run AND st.sample_id = s.id) AS tags,
            (SELECT text FROM notes n WHERE n.run_id = @run AND n.sample_id = s.id) AS note,
            sl.label AS stage_label, sl.oracle_iou, sl.bbox_iou AS pred_box_iou,
            b.sample_id IS NOT NULL AS b_has, b.intersection AS b_intersection, b.union_px AS b_union
     FROM samples s
     LEFT JOIN predictions p ON p.sample_id = s.id AND p.run_id = @run
     LEFT JOIN stage_labels sl ON sl.sample_id = s.id AND sl.run_id = @run
     LEFT JOIN predictions b ON b.sample_id = s.id AND b.run_id = @cmp
     WHERE s.dataset_id = @dataset AND s.id > @after ORDER BY s.id LIMIT @limit`,
  )
  let after = -1
  for (;;) {
    const page = stmt.all({
      run: run.id,
      cmp: cmp?.id ?? -1,
      dataset: run.dataset_id,
      after,
      limit: pageSize,
      corrected: gt.gt === 'corrected' ? 1 : 0,
    }) as RawRow[]
    if (page.length === 0) return
    after = page[page.length - 1].id
    const rows = page.flatMap((r) => {
      if (countsA && !countsA.has(r.id)) return []
      const mine = authored?.get(r.id)
      if (authored && mine === undefined) return []
      const row = toRow(r, cmp != null)
      if (mine !== undefined) row.authored = mine
      // A revised sample uses the corrected GT where the run has its mask (or no prediction at all).
      if (revised.has(r.id) && (r.has_pred !== 1 || r.mask_rle != null)) row.gt = 'corrected'
      const a = countsA?.get(r.id)
      if (a) Object.assign(row, { intersection: a.i, union: a.u, iou: sampleIou(a.i, a.u) })
      const b = countsB?.get(r.id)
      if (b) {
        row.compare_intersection = b.i
        row.compare_union = b.u
        row.compare_iou = sampleIou(b.i, b.u)
        if (row.iou != null) row.iou_delta = row.compare_iou - row.iou
      }
      return [row]
    })
    if (rows.length > 0) yield rows
  }
}

function toRow(r: RawRow, withCompare: boolean): ExportRow {
  const has = r.has_pred === 1
  const intersection = has ? r.intersection! : 0
  const union = has ? r.union_px! : r.gt_area
  const isSentence = r.is_sentence == null ? null : r.is_sentence === 1
  const row: ExportRow = {
    sample_id: r.id,
    image_id: r.image_id,
    ann_id: r.ann_id,
    query: r.query,
    query_kind: queryKind(isSentence, r.query),
    is_sentence: isSentence,
    width: r.width,
    height: r.height,
    gt_area: r.gt_area,
    gt: 'original',
    object_size: objectSizeBucket(r.gt_area, r.width, r.height),
    image_size: imageSizeBucket(r.width, r.height),
    missing: !has,
    not_segmented: r.not_segmented === 1,
    intersection,
    union,
    iou: r.not_segmented === 1 ? null : sampleIou(intersection, union),
    bbox_iou: r.bbox_iou,
    score: r.score,
    parse_error: r.parse_error,
    tags: r.tags ? r.tags.split(TAG_SEPARATOR).sort() : [],
    note: r.note,
    stage_label: r.stage_label,
    oracle_iou: r.oracle_iou,
    pred_box_iou: r.pred_box_iou,
    prompts: r.prompts_json ? (JSON.parse(r.prompts_json) as unknown) : null,
    reasoning: r.reasoning,
    answer: r.answer,
    raw_output: r.raw_output,
    mask_rle: r.mask_rle,
    objects: r.objects_json
      ? (JSON.parse(r.objects_json) as StoredObject[]).map((o) => ({
          id: o.id,
          gt_index: o.gtIndex,
          iou: o.iou,
        }))
      : null,
  }
  if (withCompare) {
    const bHas = r.b_has === 1
    const bi = bHas ? r.b_intersection! : 0
    const bu = bHas ? r.b_union! : r.gt_area
    row.compare_missing = !bHas
    row.compare_intersection = bi
    row.compare_union = bu
    row.compare_iou = sampleIou(bi, bu)
    if (row.iou != null) row.iou_delta = row.compare_iou - row.iou
  }
  return row
}
