/**
 * The inspector's sample list: one SQL query computes the filtered, sorted id order of a whole run
 * (cached until the database changes), and pages are then cheap slices of it — so scrolling a
 * 100,000-sample run never re-sorts, and "position in filter" / next / previous are array lookups.
 */
import type {
  Prediction,
  SampleDetail,
  SampleFilter,
  SampleRow,
  SortKey,
} from '../../shared/contract/samples'
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { getEditState, objectsFromJson } from './edits'
import { getNoteText } from './notes'
import type { Db } from './project'
import { notSegmentedSql } from './runs'
import { sampleTagIds } from './tags'

export interface BrowseQuery {
  runId?: number | null
  compareRunId?: number | null
  datasetId?: number | null
  filter?: SampleFilter
  sort?: { key: SortKey; dir: 'asc' | 'desc' }
}

const SORT_SQL: Record<SortKey, string> = {
  id: 's.id',
  imageId: 's.image_id',
  query: 's.query COLLATE NOCASE',
  iou: 'p.iou',
  compareIou: 'c.iou',
  deltaIou: '(p.iou - c.iou)',
  width: 's.width',
  height: 's.height',
  pixels: '(s.width * s.height)',
  gtArea: 's.gt_area',
  tags: '(SELECT COUNT(*) FROM sample_tags t WHERE t.run_id = @run AND t.sample_id = s.id)',
  missing: '(p.sample_id IS NULL)',
  parseError: '(p.parse_error = 1)',
}

/** The dataset a query browses: the run's, else the one asked for, else the first. */
export function resolveDatasetId(db: Db, q: BrowseQuery): number | null {
  if (q.runId != null) {
    const r = db.prepare('SELECT dataset_id FROM runs WHERE id = ?').get(q.runId) as
      { dataset_id: number } | undefined
    if (!r) throw new Error(`no run with id ${q.runId} in this project`)
    return r.dataset_id
  }
  if (q.datasetId != null) return q.datasetId
  const d = db.prepare('SELECT id FROM datasets ORDER BY id LIMIT 1').get() as { id: number } | undefined
  return d?.id ?? null
}

function buildQuery(db: Db, q: BrowseQuery): { sql: string; params: Record<string, unknown> } | null {
  const datasetId = resolveDatasetId(db, q)
  if (datasetId == null) return null
  const f = q.filter ?? {}
  const params: Record<string, unknown> = { ds: datasetId, run: q.runId ?? -1, cmp: q.compareRunId ?? -1 }
  const where = ['s.dataset_id = @ds']
  const bound = (clause: string, name: string, value: number | undefined) => {
    if (value == null) return
    where.push(clause)
    params[name] = value
  }
  bound('p.iou >= @iouMin', 'iouMin', f.iouMin)
  bound('p.iou <= @iouMax', 'iouMax', f.iouMax)
  bound('(p.iou - c.iou) >= @deltaMin', 'deltaMin', f.deltaMin)
  bound('(p.iou - c.iou) <= @deltaMax', 'deltaMax', f.deltaMax)
  const tagged = 'EXISTS (SELECT 1 FROM sample_tags t WHERE t.run_id = @run AND t.sample_id = s.id'
  if (f.tagIds && f.tagIds.length > 0) {
    where.push(`${tagged} AND t.tag_id IN (SELECT value FROM json_each(@tagIds)))`)
    params.tagIds = JSON.stringify(f.tagIds)
  }
  if (f.untagged) where.push(`NOT ${tagged})`)
  if (f.missing === true) where.push('p.sample_id IS NULL')
  if (f.missing === false) where.push('p.sample_id IS NOT NULL')
  if (f.parseError === true) where.push('p.parse_error = 1')
  if (f.parseError === false) where.push('p.parse_error = 0')
  const text = f.text?.trim()
  if (text) {
    // LIKE is case-insensitive for ASCII; escape the user's wildcards so "50%" means the text "50%".
    params.text = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`
    where.push(
      `(s.query LIKE @text ESCAPE '\\' OR pr.reasoning LIKE @text ESCAPE '\\' OR pr.raw_output LIKE @text ESCAPE '\\')`,
    )
  }
  bound('s.width >= @minWidth', 'minWidth', f.minWidth)
  bound('s.width <= @maxWidth', 'maxWidth', f.maxWidth)
  bound('s.height >= @minHeight', 'minHeight', f.minHeight)
  bound('s.height <= @maxHeight', 'maxHeight', f.maxHeight)
  if (f.sampleIds) {
    where.push('s.id IN (SELECT value FROM json_each(@ids))')
    params.ids = JSON.stringify(f.sampleIds)
  }
  const sort = q.sort ?? { key: 'id', dir: 'asc' }
  const dir = sort.dir === 'desc' ? 'DESC' : 'ASC'
  const order = sort.key === 'id' ? `s.id ${dir}` : `${SORT_SQL[sort.key]} ${dir} NULLS LAST, s.id ASC`
  // p and c are prediction_list rows (the migration's precomputed IoU, NULL when not segmented, and the
  // parse flag): narrow index rows instead of whole predictions with their RLE. The full prediction row
  // is joined only for a text search in its reasoning and output. Without a comparison run every c.*
  // term is NULL; skipping that join saves an index probe per sample.
  const compareJoin =
    q.compareRunId != null ? 'LEFT JOIN prediction_list c ON c.run_id = @cmp AND c.sample_id = s.id' : ''
  const textJoin = text ? 'LEFT JOIN predictions pr ON pr.run_id = @run AND pr.sample_id = s.id' : ''
  const noCompare = (sql: string) => (compareJoin ? sql : sql.replace(/\bc\.iou\b/g, 'NULL'))
  const sql = `SELECT s.id FROM samples s
    LEFT JOIN prediction_list p ON p.run_id = @run AND p.sample_id = s.id
    ${compareJoin}
    ${textJoin}
    WHERE ${noCompare(where.join(' AND '))}
    ORDER BY ${noCompare(order)}`
  return { sql, params }
}

interface OrderCache {
  entries: Map<string, Int32Array>
}
const caches = new WeakMap<Db, OrderCache>()
const CACHE_ENTRIES = 8

/** Changes whenever anything is written, by this connection or another process. */
function dbFingerprint(db: Db): string {
  const t = (db.prepare('SELECT total_changes() AS t').get() as { t: number }).t
  return `${t}:${db.pragma('data_version', { simple: true })}`
}

/** The filtered, sorted sample ids of a query (the list's full order). */
export function orderedSampleIds(db: Db, q: BrowseQuery): Int32Array {
  let cache = caches.get(db)
  if (!cache) caches.set(db, (cache = { entries: new Map() }))
  const key = `${dbFingerprint(db)}|${JSON.stringify([q.runId, q.compareRunId, q.datasetId, q.filter, q.sort])}`
  const hit = cache.entries.get(key)
  if (hit) {
    cache.entries.delete(key)
    cache.entries.set(key, hit)
    return hit
  }
  const built = buildQuery(db, q)
  const ids = built
    ? Int32Array.from(db.prepare(built.sql).pluck().all(built.params) as number[])
    : new Int32Array(0)
  cache.entries.set(key, ids)
  while (cache.entries.size > CACHE_ENTRIES) cache.entries.delete(cache.entries.keys().next().value as string)
  return ids
}

interface RowRecord {
  id: number
  image_id: string
  ann_id: string
  query: string
  width: number
  height: number
  gt_area: number
  iou: number | null
  has_pred: number
  not_segmented: number
  parse_error: number
  compare_iou: number | null
  edited: number
  has_note: number
}

/** Rows for the given ids, in the given order. */
export function sampleRows(
  db: Db,
  ids: ArrayLike<number>,
  runId: number | null,
  compareRunId: number | null,
): SampleRow[] {
  if (ids.length === 0) return []
  const recs = db
    .prepare(
      `SELECT s.id, s.image_id, s.ann_id, s.query, s.width, s.height, s.gt_area,
         p.iou, p.sample_id IS NOT NULL AS has_pred, ${notSegmentedSql('p')} AS not_segmented,
         p.parse_error IS NOT NULL AS parse_error,
         CASE WHEN ${notSegmentedSql('c')} THEN NULL ELSE c.iou END AS compare_iou,
         EXISTS (SELECT 1 FROM prompt_edits e WHERE e.run_id = @run AND e.sample_id = s.id) AS edited,
         EXISTS (SELECT 1 FROM notes n WHERE n.run_id = @run AND n.sample_id = s.id) AS has_note
       FROM samples s
       LEFT JOIN predictions p ON p.run_id = @run AND p.sample_id = s.id
       LEFT JOIN predictions c ON c.run_id = @cmp AND c.sample_id = s.id
       WHERE s.id IN (SELECT value FROM json_each(@ids))`,
    )
    .all({ run: runId ?? -1, cmp: compareRunId ?? -1, ids: JSON.stringify(Array.from(ids)) }) as RowRecord[]
  const tags = new Map<number, number[]>()
  if (runId != null) {
    const tagRows = db
      .prepare(
        `SELECT t.sample_id, t.tag_id FROM sample_tags t JOIN tags g ON g.id = t.tag_id
         WHERE t.run_id = ? AND t.sample_id IN (SELECT value FROM json_each(?)) ORDER BY g.position, g.id`,
      )
      .all(runId, JSON.stringify(Array.from(ids))) as { sample_id: number; tag_id: number }[]
    for (const t of tagRows) {
      const list = tags.get(t.sample_id)
      if (list) list.push(t.tag_id)
      else tags.set(t.sample_id, [t.tag_id])
    }
  }
  const byId = new Map(recs.map((r) => [r.id, r]))
  const out: SampleRow[] = []
  for (const id of Array.from(ids)) {
    const r = byId.get(id)
    if (!r) continue
    out.push({
      id: r.id,
      imageId: r.image_id,
      annId: r.ann_id,
      query: r.query,
      width: r.width,
      height: r.height,
      gtArea: r.gt_area,
      iou: r.not_segmented ? null : r.iou,
      compareIou: r.compare_iou,
      deltaIou: !r.not_segmented && r.iou != null && r.compare_iou != null ? r.iou - r.compare_iou : null,
      missing: runId != null && !r.has_pred,
      notSegmented: !!r.not_segmented,
      parseError: !!r.parse_error,
      edited: !!r.edited,
      hasNote: !!r.has_note,
      tagIds: tags.get(r.id) ?? [],
    })
  }
  return out
}

/**
 * One page of the list. With `around` (a sample id) the page is the one holding that sample, at an offset
 * that is a multiple of `limit`, and `index` says where it is (null when the filter excludes it; then the
 * page is `offset`'s).
 */
export function listSamplesPage(
  db: Db,
  q: BrowseQuery,
  offset: number,
  limit: number,
  around?: number,
): { total: number; offset: number; rows: SampleRow[]; index?: number | null } {
  const ids = orderedSampleIds(db, q)
  let index: number | null = null
  if (around != null) {
    const i = ids.indexOf(around)
    if (i >= 0) {
      index = i
      offset = i - (i % limit)
    }
  }
  const slice = ids.subarray(Math.min(offset, ids.length), Math.min(offset + limit, ids.length))
  const rows = sampleRows(db, slice, q.runId ?? null, q.compareRunId ?? null)
  return around != null ? { total: ids.length, offset, rows, index } : { total: ids.length, offset, rows }
}

export function locateSample(
  db: Db,
  q: BrowseQuery,
  sampleId: number,
): { index: number | null; total: number } {
  const ids = orderedSampleIds(db, q)
  const i = ids.indexOf(sampleId)
  return { index: i < 0 ? null : i, total: ids.length }
}

interface PredictionRecord {
  run_id: number
  raw_output: string | null
  reasoning: string | null
  answer: string | null
  parse_error: string | null
  prompts_json: string | null
  mask_rle: string | null
  score: number | null
  intersection: number
  union_px: number
  iou: number
  bbox_iou: number | null
  objects_json: string | null
}

function getPrediction(
  db: Db,
  runId: number | null | undefined,
  sampleId: number,
  size: [number, number],
): Prediction | null {
  if (runId == null) return null
  const r = db
    .prepare('SELECT * FROM predictions WHERE run_id = ? AND sample_id = ?')
    .get(runId, sampleId) as PredictionRecord | undefined
  if (!r) return null
  return {
    runId: r.run_id,
    rawOutput: r.raw_output,
    reasoning: r.reasoning,
    answer: r.answer,
    parseError: r.parse_error,
    prompts: r.prompts_json ? (JSON.parse(r.prompts_json) as ObjectPrompt[]) : null,
    mask: r.mask_rle != null ? { size, counts: r.mask_rle } : null,
    score: r.score,
    intersection: r.intersection,
    union: r.union_px,
    iou: r.iou,
    bboxIou: r.bbox_iou,
    objects: objectsFromJson(r.objects_json, size),
  }
}

export function getSampleDetail(
  db: Db,
  sampleId: number,
  runId?: number | null,
  compareRunId?: number | null,
): SampleDetail | null {
  const s = db.prepare('SELECT * FROM samples WHERE id = ?').get(sampleId) as
    | {
        id: number
        dataset_id: number
        image_id: string
        ann_id: string
        query: string
        width: number
        height: number
        media_hash: string
        gt_rle: string
        gt_area: number
      }
    | undefined
  if (!s) return null
  const size: [number, number] = [s.height, s.width]
  const edit =
    runId != null
      ? getEditState(db, runId, sampleId, size)
      : { current: null, canUndo: false, canRedo: false }
  return {
    sample: {
      id: s.id,
      datasetId: s.dataset_id,
      imageId: s.image_id,
      annId: s.ann_id,
      query: s.query,
      width: s.width,
      height: s.height,
      mediaHash: s.media_hash,
      gt: { size, counts: s.gt_rle },
      gtArea: s.gt_area,
    },
    prediction: getPrediction(db, runId, sampleId, size),
    comparePrediction: getPrediction(db, compareRunId, sampleId, size),
    currentEdit: edit.current,
    canUndo: edit.canUndo,
    canRedo: edit.canRedo,
    tagIds: runId != null ? sampleTagIds(db, runId, sampleId) : [],
    note: runId != null ? getNoteText(db, runId, sampleId) : '',
  }
}
