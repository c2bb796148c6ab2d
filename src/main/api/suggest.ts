/** Handlers for src/shared/contract/suggest.ts. */
import os from 'node:os'
import { ApiError } from '../../shared/contract/define'
import type { suggestMethods } from '../../shared/contract/suggest'
import {
  DEFAULT_FAILURE_THRESHOLDS,
  FAILURE_RULES_VERSION,
  THRESHOLD_KEYS,
  type FailureThresholds,
} from '../../shared/domain/failureRules'
import { computeProposals, getThresholds, listProposals, setThresholds } from '../suggest/proposals'
import { reviewProgress, reviewQueue, reviewSample, reviewSummary, undoReview } from '../suggest/review'
import type { Db } from '../store/project'
import { sampleTagIds } from '../store/tags'
import { run } from './analysis'
import type { HandlersFor } from './types'

/** Who reviews when the caller does not say: the account running the backend (the app is single-user). */
function localUser(): string | null {
  try {
    return os.userInfo().username || null
  } catch {
    return null
  }
}

function thresholdsDto(db: Db) {
  const { thresholds, overrides } = getThresholds(db)
  return {
    rulesVersion: FAILURE_RULES_VERSION,
    thresholds: { ...thresholds },
    defaults: { ...DEFAULT_FAILURE_THRESHOLDS },
    overrides: { ...overrides } as Record<string, number>,
  }
}

export const suggestHandlers: HandlersFor<typeof suggestMethods> = {
  openTagProposals: ({ runId }, ctx) => {
    run(ctx, runId)
    const { computed } = computeProposals(ctx.project.db, runId)
    return { computed, progress: reviewProgress(ctx.project.db, runId) }
  },
  listTagProposals: ({ runId, ...filter }, ctx) => {
    run(ctx, runId)
    return listProposals(ctx.project.db, runId, filter)
  },
  getReviewQueue: ({ runId, order, limit }, ctx) => {
    run(ctx, runId)
    return reviewQueue(ctx.project.db, runId, order, limit)
  },
  reviewTagProposal: ({ runId, order, limit, sampleId, action, tagId, reviewedBy }, ctx) => {
    run(ctx, runId)
    try {
      reviewSample(
        ctx.project.db,
        runId,
        sampleId,
        action === 'pick' ? { kind: 'pick', tagId: tagId as number } : { kind: action },
        reviewedBy ?? localUser(),
      )
    } catch (e) {
      throw new ApiError('bad_request', (e as Error).message)
    }
    return {
      ...reviewQueue(ctx.project.db, runId, order, limit),
      tagIds: sampleTagIds(ctx.project.db, runId, sampleId),
    }
  },
  undoTagReview: ({ runId, order, limit }, ctx) => {
    run(ctx, runId)
    const sampleId = undoReview(ctx.project.db, runId)
    return {
      sampleId,
      tagIds: sampleId == null ? [] : sampleTagIds(ctx.project.db, runId, sampleId),
      queue: reviewQueue(ctx.project.db, runId, order, limit),
    }
  },
  getSuggestThresholds: (_input, ctx) => thresholdsDto(ctx.project.db),
  setSuggestThresholds: ({ overrides }, ctx) => {
    const unknown = Object.keys(overrides).filter(
      (k) => !THRESHOLD_KEYS.includes(k as keyof FailureThresholds),
    )
    if (unknown.length) {
      throw new ApiError(
        'bad_request',
        `unknown threshold${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${THRESHOLD_KEYS.join(', ')})`,
      )
    }
    setThresholds(ctx.project.db, overrides)
    return thresholdsDto(ctx.project.db)
  },
  getReviewSummary: ({ runId }, ctx) => {
    run(ctx, runId)
    return reviewSummary(ctx.project.db, runId)
  },
}
