/**
 * Segmenting samples: one sample's objects (each object segmented, masks OR-ed, as Seg-Zero does), and a
 * whole run re-segmented into a new run (`reseg segment`, stage attribution's oracle runs, the UI's
 * batch job). A run is resumable: each finished sample is committed on its own, and starting again with
 * the same output run skips the samples it already holds.
 */
import { ApiError } from '../../shared/contract/define'
import type { PromptSource } from '../../shared/contract/segment'
import { aggregate, maskCounts, sampleIou } from '../../shared/domain/metrics'
import { oraclePrompts } from '../../shared/domain/oraclePrompts'
import type { ObjectPrompt } from '../../shared/domain/prompts'
import type { ObjectResult } from '../../shared/contract/samples'
import { gtPieces, matchObjects } from '../../shared/domain/objectMatching'
import { emptyRle, fromCoco, toCoco, type Rle } from '../../shared/domain/rle'
import { unionRle } from '../../shared/domain/maskOps'
import { objectsToJson } from '../store/edits'
import { loadRgb } from '../store/media'
import type { Project } from '../store/project'
import {
  createRun,
  getRun,
  getRunByName,
  notSegmentedSql,
  upsertPrediction,
  type RunRow,
} from '../store/runs'
import { checkMaskSize, meanScore } from './objects'
import { isTextSegmenter } from './sam3/segmenter'
import type { Engine } from './registry'
import type { ModelInfo, RgbImage, Segmenter } from './types'

export type { PromptSource } from '../../shared/contract/segment'

/** Segments each object and ORs the masks; no objects gives an empty mask. `score` is the objects' mean. */
export async function segmentObjects(
  segmenter: Segmenter,
  imageKey: string,
  image: RgbImage,
  prompts: readonly ObjectPrompt[],
  signal?: AbortSignal,
): Promise<{ mask: Rle; score: number; objects: { mask: Rle; score: number }[] }> {
  const { width: w, height: h } = image
  const objects: { mask: Rle; score: number }[] = []
  for (const p of prompts) {
    const r = await segmenter.segment(imageKey, image, p, signal)
    checkMaskSize(segmenter.info.id, r.mask, h, w)
    objects.push({ mask: r.mask, score: r.score })
  }
  return {
    mask: unionRle(
      objects.map((o) => o.mask),
      h,
      w,
    ),
    score: meanScore(objects),
    objects,
  }
}

/**
 * Per-object results: each object's mask scored against the GT piece it matches one-to-one on mask IoU
 * (see shared/domain/objectMatching). `pieces` are the GT's objects, else its connected components.
 */
export function scoreObjects<T extends { mask: Rle; score: number; id?: string; refined?: boolean }>(
  objects: readonly T[],
  pieces: readonly Rle[],
  ignore: Rle | null,
): (Omit<T, 'mask'> & ObjectResult)[] {
  const matches = matchObjects(
    objects.map((o) => o.mask),
    pieces,
    ignore,
  )
  return objects.map((o, i) => ({
    ...o,
    id: o.id ?? String(i),
    mask: toCoco(o.mask),
    score: o.score,
    refined: o.refined ?? false,
    ...matches[i],
  }))
}

/** Stored prompts use `box: null` for "no box"; the engine wants it absent. */
export function parseStoredPrompts(json: string | null): ObjectPrompt[] {
  if (!json) return []
  const raw = JSON.parse(json) as {
    box?: [number, number, number, number] | null
    points?: ObjectPrompt['points']
  }[]
  return raw.map((o) => (o.box ? { box: o.box, points: o.points ?? [] } : { points: o.points ?? [] }))
}

export interface SegmentRunOptions {
  /** Source run, by name or id. */
  fromRun: string | number
  /** Defaults to the engine's selected model. */
  modelId?: string
  /** Where each sample's prompts come from; default 'run'. */
  prompts?: PromptSource
  /** Name of the run to write (created, or resumed when it exists from the same source, model and prompts). */
  outRun: string
  /** Only the first N samples of the source run (by sample id). */
  limit?: number
  signal?: AbortSignal
  onProgress?: (p: { done: number; total: number; resumed: number }) => void
}

export interface SegmentRunResult {
  runId: number
  name: string
  model: ModelInfo
  prompts: PromptSource
  /** Samples in scope (the source run's, up to `limit`). */
  total: number
  /** Segmented by this call. */
  segmented: number
  /** Already in the output run from an earlier call. */
  resumed: number
  /** Samples that had no prompts and got an empty mask. */
  empty: number
  /** Over the output run's predictions in scope (Seg-Zero convention). */
  gIoU: number
  cIoU: number
}

/** What `meta_json` of a segmented run records; a resumed run must match it. */
export interface SegmentedRunMeta {
  fromRunId: number
  fromRun: string
  promptSource: PromptSource
  modelId: string
  modelLabel: string
  baseline: boolean
  provider: string
}

interface SourceRow {
  sample_id: number
  query: string
  image_id: string
  ann_id: string
  media_hash: string
  width: number
  height: number
  gt_rle: string
  ignore_rle: string | null
  prompts_json: string | null
  raw_output: string | null
  reasoning: string | null
  answer: string | null
  parse_error: string | null
  bbox_iou: number | null
}

export async function segmentRun(
  project: Project,
  engine: Engine,
  opts: SegmentRunOptions,
): Promise<SegmentRunResult> {
  const { db } = project
  const mode: PromptSource = opts.prompts ?? 'run'
  const from = typeof opts.fromRun === 'number' ? getRun(db, opts.fromRun) : getRunByName(db, opts.fromRun)
  if (!from)
    throw new ApiError(
      'not_found',
      `no run ${typeof opts.fromRun === 'number' ? `with id ${opts.fromRun}` : `named '${opts.fromRun}'`} in ${project.dir}`,
    )
  const segmenter = await engine.getSegmenter(opts.modelId ?? engine.selectedModelId)
  const model = segmenter.info

  // Only ids up front: rows (GT, raw outputs) are read one sample at a time, so memory stays flat.
  const ids = db
    .prepare(
      `SELECT sample_id FROM predictions WHERE run_id = ? ORDER BY sample_id ${opts.limit ? 'LIMIT ?' : ''}`,
    )
    .pluck()
    .all(...(opts.limit ? [from.id, opts.limit] : [from.id])) as number[]
  const withPrompts = db
    .prepare('SELECT COUNT(*) FROM predictions WHERE run_id = ? AND prompts_json IS NOT NULL')
    .pluck()
    .get(from.id) as number
  if (mode === 'text' && !isTextSegmenter(segmenter)) {
    throw new ApiError(
      'bad_request',
      `--prompts text needs a text-prompt model (SAM 3); ${model.label} takes boxes and points`,
    )
  }
  if (mode === 'run' && ids.length > 0 && withPrompts === 0) {
    throw new ApiError(
      'bad_request',
      `run '${from.name}' stores no prompts (an evaluation output keeps only I and U); ` +
        `use --prompts gt-box or gt-box+points, or import the raw model outputs`,
    )
  }
  const readRow = db.prepare(
    `SELECT s.id AS sample_id, s.query, s.image_id, s.ann_id, s.media_hash, s.width, s.height, s.gt_rle, s.ignore_rle,
            p.prompts_json, p.raw_output, p.reasoning, p.answer, p.parse_error, p.bbox_iou
     FROM predictions p JOIN samples s ON s.id = p.sample_id
     WHERE p.run_id = ? AND p.sample_id = ?`,
  )

  const meta: SegmentedRunMeta = {
    fromRunId: from.id,
    fromRun: from.name,
    promptSource: mode,
    modelId: model.id,
    modelLabel: model.label,
    baseline: model.isBaseline,
    provider: model.provider,
  }
  const out = openOutputRun(project, from, opts.outRun, meta)
  const done = new Set(
    db.prepare('SELECT sample_id FROM predictions WHERE run_id = ?').pluck().all(out.id) as number[],
  )
  const todo = ids.filter((id) => !done.has(id))
  const resumed = ids.length - todo.length
  const total = ids.length
  opts.onProgress?.({ done: resumed, total, resumed })

  let segmented = 0
  let empty = 0
  const imageOf = lastImageLoader(project)
  for (const sampleId of todo) {
    if (opts.signal?.aborted) throw new ApiError('cancelled', `segmentation of run '${out.name}' cancelled`)
    const row = readRow.get(from.id, sampleId) as SourceRow
    const gt = fromCoco({ size: [row.height, row.width], counts: row.gt_rle })
    const ignore = row.ignore_rle ? fromCoco({ size: [row.height, row.width], counts: row.ignore_rle }) : null
    let prompts =
      mode === 'run' ? parseStoredPrompts(row.prompts_json) : mode === 'text' ? [] : oraclePrompts(gt, mode)
    let result: { mask: Rle; score: number; objects: { mask: Rle; score: number }[] }
    if (mode === 'text' && isTextSegmenter(segmenter)) {
      const rgb = await imageOf(row.media_hash)
      const r = await segmenter.segmentText(row.media_hash, rgb, row.query, opts.signal)
      // The detections' boxes become the stored prompts, so a SAM model can re-segment or refine them.
      prompts = r.objects.map((o) => ({ box: o.box, points: [] }))
      result = { mask: r.union, score: meanScore(r.objects), objects: r.objects }
      if (r.objects.length === 0) empty++
    } else if (prompts.length === 0) {
      result = { mask: emptyRle(row.height, row.width), score: 0, objects: [] }
      empty++
    } else {
      const rgb = await imageOf(row.media_hash)
      if (rgb.width !== row.width || rgb.height !== row.height) {
        throw new Error(
          `sample ${row.image_id}/${row.ann_id}: image media/${row.media_hash} decodes to ` +
            `${rgb.width}x${rgb.height} but the sample is ${row.width}x${row.height}`,
        )
      }
      try {
        result = await segmentObjects(segmenter, row.media_hash, rgb, prompts, opts.signal)
      } catch (err) {
        if (err instanceof ApiError && err.code === 'cancelled') throw err
        throw new Error(
          `sample ${row.image_id}/${row.ann_id} (id ${row.sample_id}): ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        )
      }
    }
    const counts = maskCounts(result.mask, gt, ignore)
    // One statement per sample (its own transaction): a crash keeps every sample finished so far.
    upsertPrediction(db, {
      runId: out.id,
      sampleId: row.sample_id,
      ...(mode === 'run'
        ? {
            rawOutput: row.raw_output,
            reasoning: row.reasoning,
            answer: row.answer,
            parseError: row.parse_error,
            bboxIou: row.bbox_iou,
          }
        : {}),
      prompts,
      mask: result.mask,
      score: result.score,
      intersection: counts.intersection,
      union: counts.union,
      iou: sampleIou(counts.intersection, counts.union),
      objectsJson: objectsToJson(scoreObjects(result.objects, gtPieces(gt), ignore)),
    })
    segmented++
    opts.onProgress?.({ done: resumed + segmented, total, resumed })
  }

  const scored = db
    .prepare(
      `SELECT intersection, union_px AS "union" FROM predictions
       WHERE run_id = ? AND sample_id IN (SELECT value FROM json_each(?))`,
    )
    .all(out.id, JSON.stringify(ids)) as { intersection: number; union: number }[]
  const agg = aggregate(scored)
  return {
    runId: out.id,
    name: out.name,
    model,
    prompts: mode,
    total,
    segmented,
    resumed,
    empty,
    gIoU: agg.gIoU,
    cIoU: agg.cIoU,
  }
}

/**
 * Segments, in place, every prediction of a run that holds prompts but no mask (a run imported from raw
 * model outputs): mask, I, U, IoU and per-object results are written into the same rows, one sample per
 * statement, so a cancelled or crashed job keeps what it finished and the next call does the rest.
 */
export async function segmentRunInPlace(
  project: Project,
  engine: Engine,
  opts: {
    runId: number
    modelId?: string
    signal?: AbortSignal
    onProgress?: (p: { done: number; total: number }) => void
  },
): Promise<{ runId: number; segmented: number; model: ModelInfo }> {
  const { db } = project
  const run = getRun(db, opts.runId)
  if (!run) throw new ApiError('not_found', `no run with id ${opts.runId} in ${project.dir}`)
  const segmenter = await engine.getSegmenter(opts.modelId ?? engine.selectedModelId)
  const ids = db
    .prepare(
      `SELECT p.sample_id FROM predictions p WHERE p.run_id = ? AND ${notSegmentedSql('p')} ORDER BY p.sample_id`,
    )
    .pluck()
    .all(run.id) as number[]
  const read = db.prepare(
    `SELECT s.media_hash, s.width, s.height, s.gt_rle, s.ignore_rle, p.prompts_json
     FROM predictions p JOIN samples s ON s.id = p.sample_id WHERE p.run_id = ? AND p.sample_id = ?`,
  )
  const write = db.prepare(
    `UPDATE predictions SET mask_rle = @mask, score = @score, intersection = @i, union_px = @u, iou = @iou,
       objects_json = @objects WHERE run_id = @run AND sample_id = @sample`,
  )
  opts.onProgress?.({ done: 0, total: ids.length })
  const imageOf = lastImageLoader(project)
  for (const [k, sampleId] of ids.entries()) {
    if (opts.signal?.aborted)
      throw new ApiError(
        'cancelled',
        `segmentation of run '${run.name}' stopped after ${k} of ${ids.length} samples`,
      )
    const row = read.get(run.id, sampleId) as {
      media_hash: string
      width: number
      height: number
      gt_rle: string
      ignore_rle: string | null
      prompts_json: string
    }
    const r = await segmentObjects(
      segmenter,
      row.media_hash,
      await imageOf(row.media_hash),
      parseStoredPrompts(row.prompts_json),
      opts.signal,
    )
    const gt = fromCoco({ size: [row.height, row.width], counts: row.gt_rle })
    const ignore = row.ignore_rle ? fromCoco({ size: [row.height, row.width], counts: row.ignore_rle }) : null
    const c = maskCounts(r.mask, gt, ignore)
    write.run({
      run: run.id,
      sample: sampleId,
      mask: toCoco(r.mask).counts,
      score: r.score,
      i: c.intersection,
      u: c.union,
      iou: sampleIou(c.intersection, c.union),
      objects: objectsToJson(scoreObjects(r.objects, gtPieces(gt), ignore)),
    })
    opts.onProgress?.({ done: k + 1, total: ids.length })
  }
  return { runId: run.id, segmented: ids.length, model: segmenter.info }
}

/**
 * Loads images keeping only the last one: several queries share an image and samples come in id order, so
 * the last decoded image is often the next one needed.
 */
function lastImageLoader(project: Project): (hash: string) => Promise<RgbImage> {
  let last: { hash: string; rgb: RgbImage } | null = null
  return async (hash) => {
    if (last?.hash !== hash) last = { hash, rgb: await loadRgb(project, hash) }
    return last.rgb
  }
}

function openOutputRun(project: Project, from: RunRow, name: string, meta: SegmentedRunMeta): RunRow {
  const { db } = project
  const existing = getRunByName(db, name)
  if (existing) {
    const old = existing.meta_json ? (JSON.parse(existing.meta_json) as Partial<SegmentedRunMeta>) : {}
    const same =
      existing.kind === 'segmented' &&
      old.fromRunId === meta.fromRunId &&
      old.promptSource === meta.promptSource &&
      old.modelId === meta.modelId
    if (!same) {
      const made =
        existing.kind === 'segmented'
          ? ` (made from run '${old.fromRun}' with ${old.modelId}, prompts ${old.promptSource})`
          : ''
      throw new ApiError(
        'conflict',
        `run '${name}' already exists${made}; resuming needs the same source run, model and prompts — pick another output name`,
      )
    }
    return existing
  }
  const id = createRun(db, {
    datasetId: from.dataset_id,
    name,
    kind: 'segmented',
    source: `re-segmented from run '${from.name}' (prompts: ${meta.promptSource})`,
    model: meta.modelId,
    parentRunId: from.id,
    meta,
  })
  return getRun(db, id) as RunRow
}
