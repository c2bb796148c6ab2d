/** Handlers for src/shared/contract/segment.ts. */
import { ApiError } from '../../shared/contract/define'
import type { segmentMethods } from '../../shared/contract/segment'
import { maskCounts, sampleIou } from '../../shared/domain/metrics'
import { emptyRle, fromCoco, toCoco, type Rle } from '../../shared/domain/rle'
import { gtPieces } from '../../shared/domain/objectMatching'
import { scoreObjects, segmentRun, segmentRunInPlace, type SegmentRunOptions } from '../engine/batch'
import { segmentSampleObjects, type SampleSegmentation } from '../engine/objects'
import { precomputeEmbeddings } from '../engine/cache/precompute'
import { isEmbeddingSource, prepareEmbedding } from '../engine/prepare'
import type { Engine } from '../engine/registry'
import type { ModelInfo, RgbImage } from '../engine/types'
import { recordPromptEdit } from '../store/edits'
import { recomputeProposal } from '../suggest/proposals'
import { loadRgb } from '../store/media'
import type { Project } from '../store/project'
import { countNotSegmented, getRun, getRunByName } from '../store/runs'
import { getSample, type SampleRow } from '../store/samples'
import type { ApiContext, HandlersFor } from './types'

/** The value kept under `key` (made on a miss), now the most recent of the at most `max` kept. */
function remember<V>(cache: Map<string, V>, key: string, max: number, make: () => V): V {
  let value = cache.get(key)
  if (value !== undefined) cache.delete(key)
  else value = make()
  cache.set(key, value)
  while (cache.size > max) cache.delete(cache.keys().next().value as string)
  return value
}

function projectCache<V>(caches: WeakMap<Project, Map<string, V>>, project: Project): Map<string, V> {
  let cache = caches.get(project)
  if (!cache) caches.set(project, (cache = new Map()))
  return cache
}

// Dragging a box re-segments the same image many times: keep the last few decoded images per project.
const decoded = new WeakMap<Project, Map<string, Promise<RgbImage>>>()
const DECODED_IMAGES = 3

function imageOf(project: Project, hash: string): Promise<RgbImage> {
  const cache = projectCache(decoded, project)
  return remember(cache, hash, DECODED_IMAGES, () => {
    const img = loadRgb(project, hash)
    img.catch(() => cache.get(hash) === img && cache.delete(hash))
    return img
  })
}

// Every edit of a sample scores its objects against the same GT pieces, which take tens of milliseconds
// to find at 1080p: keep the last few GTs' pieces, keyed by the GT mask itself.
const pieces = new WeakMap<Project, Map<string, Rle[]>>()
const PIECE_SETS = 3

function gtPiecesOf(project: Project, sample: SampleRow, gt: Rle): Rle[] {
  const key = `${sample.height}x${sample.width}:${sample.gt_rle}`
  return remember(projectCache(pieces, project), key, PIECE_SETS, () => gtPieces(gt))
}

/** The sample's decoded image (from the cache above), which must have the size stored for the sample. */
export async function sampleImage(project: Project, sample: SampleRow): Promise<RgbImage> {
  const image = await imageOf(project, sample.media_hash)
  if (image.width !== sample.width || image.height !== sample.height) {
    throw new ApiError(
      'internal',
      `image media/${sample.media_hash} decodes to ${image.width}x${image.height} but sample ${sample.id} is ${sample.width}x${sample.height}`,
    )
  }
  return image
}

/** A batch segmentation's model: the one asked for, else the engine's selected one. */
async function batchModel(engine: Engine, modelId: string | undefined): Promise<ModelInfo> {
  await engine.ready
  const model = engine.listModels().find((m) => m.id === (modelId ?? engine.selectedModelId))
  if (!model) throw new ApiError('not_found', `no segmentation model '${modelId}'`)
  return model
}

/** A segmented run of that name is resumed; any other run of that name is in the way. */
function checkOutRun(project: Project, outRun: string): void {
  const existing = getRunByName(project.db, outRun)
  if (existing && existing.kind !== 'segmented') {
    throw new ApiError(
      'conflict',
      `run '${outRun}' already exists and is not a segmented run; pick another name`,
    )
  }
}

/** A job that segments a run into a new (or resumed) segmented run; answers with its gIoU and cIoU. */
function startCopyJob(
  { project, engine, jobs }: Pick<ApiContext, 'project' | 'engine' | 'jobs'>,
  label: string,
  opts: Omit<SegmentRunOptions, 'signal' | 'onProgress'>,
): string {
  return jobs.start(label, async (ctl) => {
    const r = await segmentRun(project, engine, {
      ...opts,
      signal: ctl.signal,
      onProgress: (p) => ctl.progress(p.done, p.total),
    })
    return `${r.total} samples (${r.resumed} resumed), gIoU ${r.gIoU.toFixed(3)}, cIoU ${r.cIoU.toFixed(3)}`
  })
}

export const segmentHandlers: HandlersFor<typeof segmentMethods> = {
  segmentSample: async ({ runId, sampleId, prompts, objectIds, refine, modelId }, { project, engine }) => {
    const { db } = project
    const sample = getSample(db, sampleId)
    if (!sample) throw new ApiError('not_found', `no sample with id ${sampleId} in this project`)
    const run = getRun(db, runId)
    if (!run) throw new ApiError('not_found', `no run with id ${runId} in this project`)
    if (run.dataset_id !== sample.dataset_id) {
      throw new ApiError('bad_request', `sample ${sampleId} is not in the dataset of run '${run.name}'`)
    }
    const sampleKey = `${runId}:${sampleId}`
    return engine.interactive.run(sampleKey, async (signal) => {
      const segmenter = await engine.getSegmenter(modelId)
      let seg: SampleSegmentation = { objects: [], union: emptyRle(sample.height, sample.width), score: 0 }
      if (prompts.length > 0) {
        const image = await sampleImage(project, sample)
        seg = await segmentSampleObjects(engine.objects, segmenter, {
          sampleKey,
          imageKey: sample.media_hash,
          image,
          prompts,
          ids: objectIds,
          refine,
          signal,
        })
      }
      // A stale result must not enter the edit history either.
      if (signal.aborted) throw new ApiError('cancelled', 'superseded by a newer segmentation request')
      const gt = fromCoco({ size: [sample.height, sample.width], counts: sample.gt_rle })
      const ignore = sample.ignore_rle
        ? fromCoco({ size: [sample.height, sample.width], counts: sample.ignore_rle })
        : null
      const mask = seg.union
      const { intersection, union } = maskCounts(mask, gt, ignore)
      const iou = sampleIou(intersection, union)
      const objects = scoreObjects(seg.objects, gtPiecesOf(project, sample, gt), ignore)
      const refined = refine && segmenter.refines === true
      const editId = recordPromptEdit(db, {
        runId,
        sampleId,
        prompts,
        model: segmenter.info.id,
        mask,
        score: seg.score,
        intersection,
        union,
        iou,
        refine: segmenter.refines ? refine : null,
        objects: objects.map(({ decoded: _decoded, ...o }) => o),
      })
      recomputeProposal(db, runId, sampleId) // the edit is the suggested tag's evidence now
      return {
        mask: toCoco(mask),
        score: seg.score,
        intersection,
        union,
        iou,
        model: segmenter.info,
        editId,
        refine: refined,
        objects,
      }
    })
  },

  prepareSample: async ({ runId, sampleId, modelId }, { project, engine }) => {
    const sample = getSample(project.db, sampleId)
    if (!sample) throw new ApiError('not_found', `no sample with id ${sampleId} in this project`)
    if (!getRun(project.db, runId)) throw new ApiError('not_found', `no run with id ${runId} in this project`)
    // One key for every sample: only the sample now on screen is worth an encoder run.
    return engine.interactive.run('prepare', async (signal) => {
      const segmenter = await engine.getSegmenter(modelId)
      try {
        const r = await prepareEmbedding(
          segmenter,
          sample.media_hash,
          () => imageOf(project, sample.media_hash),
          signal,
        )
        return { modelId: segmenter.info.id, ...r }
      } catch (err) {
        if (signal.aborted) throw new ApiError('cancelled', 'superseded by a newer sample')
        throw err
      }
    })
  },

  listModels: async (_input, { engine }) => {
    await engine.ready
    return {
      models: engine.listModels(),
      defaultModelId: engine.defaultModelId,
      selectedModelId: engine.selectedModelId,
      warnings: engine.warnings,
    }
  },

  getEngineStatus: async (_input, { engine }) => {
    await engine.ready
    return engine.status()
  },

  selectModel: async ({ modelId }, { engine }) => {
    await engine.ready
    return engine.select(modelId)
  },

  startSegmentRun: async ({ fromRunId, outRun, prompts, modelId, limit }, { project, engine, jobs }) => {
    const from = getRun(project.db, fromRunId)
    if (!from) throw new ApiError('not_found', `no run with id ${fromRunId} in this project`)
    checkOutRun(project, outRun)
    const model = await batchModel(engine, modelId)
    const jobId = startCopyJob(
      { project, engine, jobs },
      `Segment '${from.name}' → '${outRun}' (${model.label}, prompts ${prompts})`,
      { fromRun: fromRunId, modelId: model.id, prompts, outRun, limit },
    )
    return { jobId }
  },

  segmentRun: async ({ runId, modelId, outRun }, { project, engine, jobs }) => {
    const run = getRun(project.db, runId)
    if (!run) throw new ApiError('not_found', `no run with id ${runId} in this project`)
    const model = await batchModel(engine, modelId)
    const pending = countNotSegmented(project.db, runId)
    if (outRun) {
      checkOutRun(project, outRun)
      const jobId = startCopyJob(
        { project, engine, jobs },
        `Segment '${run.name}' → '${outRun}' (${model.label})`,
        { fromRun: runId, modelId: model.id, prompts: 'run', outRun },
      )
      return { jobId, samples: pending }
    }
    const jobId = jobs.start(`Segment '${run.name}' in place (${model.label})`, async (ctl) => {
      const r = await segmentRunInPlace(project, engine, {
        runId,
        modelId: model.id,
        signal: ctl.signal,
        onProgress: (p) => ctl.progress(p.done, p.total),
      })
      return `${r.segmented} samples segmented with ${r.model.label}`
    })
    return { jobId, samples: pending }
  },

  precomputeRun: async ({ runId, modelId }, { project, engine, jobs }) => {
    const run = getRun(project.db, runId)
    if (!run) throw new ApiError('not_found', `no run with id ${runId} in this project`)
    const segmenter = await engine.getSegmenter(modelId)
    if (!isEmbeddingSource(segmenter)) {
      throw new ApiError(
        'bad_request',
        `${segmenter.info.label} has no image embeddings to precompute; select a SAM model`,
      )
    }
    // Each image once, in the order the browser shows the samples.
    const hashes = project.db
      .prepare(
        `SELECT s.media_hash FROM predictions p JOIN samples s ON s.id = p.sample_id
         WHERE p.run_id = ? GROUP BY s.media_hash ORDER BY MIN(s.id)`,
      )
      .pluck()
      .all(runId) as string[]
    const images = hashes.map((key) => ({ key, load: () => loadRgb(project, key) }))
    const jobId = jobs.start(
      `Precompute embeddings for '${run.name}' (${segmenter.info.label})`,
      async (ctl) => {
        const s = await precomputeEmbeddings(segmenter, images, {
          signal: ctl.signal,
          onProgress: (p) => ctl.progress(p.done, images.length),
        })
        if (s.cancelled)
          throw new ApiError('cancelled', `precompute stopped after ${s.done} of ${images.length} images`)
        return `${s.computed} computed, ${s.cached} already cached${s.failed ? `, ${s.failed} failed` : ''}`
      },
    )
    return { jobId, images: images.length }
  },
}
