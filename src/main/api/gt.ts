/** Handlers for src/shared/contract/gt.ts. */
import { recomputeSampleProposals } from '../suggest/proposals'
import os from 'node:os'
import { ApiError } from '../../shared/contract/define'
import type { GtEditOp } from '../../shared/contract/gt'
import type { gtMethods } from '../../shared/contract/gt'
import type { GtOp } from '../../shared/domain/gtEdit'
import { MaskOpError } from '../../shared/domain/maskOps'
import { toCoco } from '../../shared/domain/rle'
import { analyzeGtChanges } from '../analysis/gtChanges'
import { segmentObjects } from '../engine/batch'
import {
  applyGtCommand,
  flagSample,
  getGroundTruth,
  GtError,
  listGtChanges,
  listGtCommands,
  moveGtCursor,
  revisionAuthor,
  setGtRevisionInfo,
  unflagSample,
} from '../store/groundTruth'
import { getSample } from '../store/samples'
import { sampleImage } from './segment'
import type { ApiContext, HandlersFor } from './types'
import { getDataset } from '../store/datasets'

/** The OS user name, the default author of GT revisions and flags. */
export function osUserName(): string {
  try {
    return os.userInfo().username || 'unknown'
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown'
  }
}

function mapErrors<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof GtError) throw new ApiError(err.code, err.message)
    if (err instanceof MaskOpError) throw new ApiError('bad_request', err.message)
    throw err
  }
}

/** Runs a segmenter-assisted edit through the engine and turns it into a stored `mask` operation. */
async function resolveOp(sampleId: number, op: GtEditOp, ctx: ApiContext): Promise<GtOp> {
  if (op.kind !== 'segment') return op
  const sample = getSample(ctx.project.db, sampleId)
  if (!sample) throw new ApiError('not_found', `no sample with id ${sampleId} in this project`)
  if (!op.prompt.box && op.prompt.points.length === 0) {
    throw new ApiError('bad_request', 'a segmenter-assisted edit needs a box or at least one point')
  }
  const segmenter = await ctx.engine.getSegmenter(op.modelId)
  const image = await sampleImage(ctx.project, sample)
  const { mask } = await segmentObjects(segmenter, sample.media_hash, image, [op.prompt])
  return {
    kind: 'mask',
    target: op.target,
    mode: op.mode,
    mask: toCoco(mask),
    segment: { prompt: op.prompt, model: segmenter.info.id },
  }
}

export const gtHandlers: HandlersFor<typeof gtMethods> = {
  getGroundTruth: ({ sampleId, which }, { project }) =>
    mapErrors(() => getGroundTruth(project.db, sampleId, which)),

  applyGtEdit: async ({ sampleId, op, author }, ctx) => {
    const { db } = ctx.project
    mapErrors(() => getGroundTruth(db, sampleId, 'original'))
    const resolved = await resolveOp(sampleId, op, ctx)
    return mapErrors(() => {
      applyGtCommand(db, sampleId, resolved, author ?? revisionAuthor(db, sampleId, osUserName()))
      recomputeSampleProposals(db, sampleId)
      return getGroundTruth(db, sampleId, 'corrected')
    })
  },

  undoGtEdit: ({ sampleId }, { project }) =>
    mapErrors(() => {
      moveGtCursor(project.db, sampleId, 'undo')
      recomputeSampleProposals(project.db, sampleId)
      return getGroundTruth(project.db, sampleId, 'corrected')
    }),

  redoGtEdit: ({ sampleId }, { project }) =>
    mapErrors(() => {
      moveGtCursor(project.db, sampleId, 'redo')
      recomputeSampleProposals(project.db, sampleId)
      return getGroundTruth(project.db, sampleId, 'corrected')
    }),

  resetGtToOriginal: ({ sampleId }, { project }) =>
    mapErrors(() => {
      const { db } = project
      applyGtCommand(db, sampleId, { kind: 'reset' }, revisionAuthor(db, sampleId, osUserName()))
      recomputeSampleProposals(db, sampleId)
      return getGroundTruth(db, sampleId, 'corrected')
    }),

  listGtCommands: ({ sampleId }, { project }) => mapErrors(() => listGtCommands(project.db, sampleId)),

  setGtRevisionInfo: ({ sampleId, reason, tagId, author }, { project }) =>
    mapErrors(() => {
      setGtRevisionInfo(project.db, sampleId, { reason, tagId, author }, osUserName())
      return getGroundTruth(project.db, sampleId, 'corrected')
    }),

  flagSample: ({ sampleId, kind, reason, author }, { project }) =>
    mapErrors(() => flagSample(project.db, sampleId, kind, reason, author ?? osUserName())),

  unflagSample: ({ sampleId }, { project }) =>
    mapErrors(() => ({ sampleId, removed: unflagSample(project.db, sampleId) })),

  analyzeGtChanges: ({ datasetId, runIds, seed, iterations }, { project }) => {
    if (!getDataset(project.db, datasetId)) {
      throw new ApiError('not_found', `no dataset with id ${datasetId} in this project`)
    }
    return analyzeGtChanges(project.db, datasetId, { runIds, seed, iterations })
  },

  listGtChanges: ({ datasetId }, { project }) => {
    if (!getDataset(project.db, datasetId)) {
      throw new ApiError('not_found', `no dataset with id ${datasetId} in this project`)
    }
    return listGtChanges(project.db, datasetId)
  },
}
