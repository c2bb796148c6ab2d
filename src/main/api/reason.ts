/** Handlers for src/shared/contract/reason.ts. */
import crypto from 'node:crypto'
import { ApiError } from '../../shared/contract/define'
import type { EndpointInfo, Template, Variant, reasonMethods } from '../../shared/contract/reason'
import { DEFAULT_TEMPLATES, renderTemplate } from '../../shared/domain/reasonTemplates'
import { normalizeQuery } from '../../shared/domain/segZeroQuery'
import type { Segmenter } from '../engine/types'
import { VlmRequestError, listModels } from '../reason/client'
import { describeKeySource, forgetApiKey, resolveApiKey, storeApiKey } from '../reason/credentials'
import { promoteVariants } from '../reason/promote'
import { ModelImageCache, reaskAndStore } from '../reason/reask'
import {
  deleteEndpoint,
  deleteVariant,
  getEndpoint,
  getTemplate,
  listEndpoints,
  listTemplates,
  listVariants,
  saveEndpoint,
  saveTemplate,
  type EndpointRecord,
  type TemplateRecord,
  type VariantRecord,
} from '../reason/store'
import type { Db } from '../store/project'
import { getSample } from '../store/samples'
import type { ApiContext, HandlersFor } from './types'

/** Running re-asks by request id, so the renderer can cancel one. */
const inFlight = new Map<string, AbortController>()
/** Model inputs of recently re-asked images: re-asking a sample again skips decode, resize and PNG. */
const images = new ModelImageCache(4)

function endpointInfo(e: EndpointRecord): EndpointInfo {
  return { ...e, key: describeKeySource(e.name) }
}

function templateOut(t: TemplateRecord): Template {
  const ref = DEFAULT_TEMPLATES.find((d) => d.name === t.name)
  const isReference = Boolean(
    ref && ref.text === t.text && ref.queryStrip === t.queryStrip && ref.inputSize === t.inputSize,
  )
  return { ...t, isReference }
}

function variantOut(db: Db, v: VariantRecord): Variant {
  const s = getSample(db, v.sampleId)
  const { maskRle, ...rest } = v
  return { ...rest, mask: maskRle && s ? { size: [s.height, s.width], counts: maskRle } : null }
}

/** Store lookups fail with "no …" messages: those are not_found, anything else a bad request. */
function storeCall<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    if (err instanceof ApiError) throw err
    const msg = err instanceof Error ? err.message : String(err)
    throw new ApiError(msg.startsWith('no ') ? 'not_found' : 'bad_request', msg)
  }
}

/** The model the canvas currently uses; without a working engine variants keep prompts but no mask. */
async function segmenterFor(ctx: ApiContext): Promise<Segmenter | null> {
  try {
    return await ctx.engine.getSegmenter(ctx.engine.selectedModelId)
  } catch {
    return null
  }
}

export const reasonHandlers: HandlersFor<typeof reasonMethods> = {
  listEndpoints: (_input, { project }) => listEndpoints(project.db).map(endpointInfo),

  saveEndpoint: ({ apiKey, ...e }, { project }) => {
    const saved = storeCall(() => saveEndpoint(project.db, e))
    if (apiKey !== undefined) storeApiKey(saved.name, apiKey)
    return endpointInfo(saved)
  },

  deleteEndpoint: ({ name }, { project }) => {
    const deleted = deleteEndpoint(project.db, name)
    if (deleted) forgetApiKey(name)
    return { deleted }
  },

  testEndpoint: async ({ name }, { project }) => {
    const e = storeCall(() => getEndpoint(project.db, name))
    try {
      const { models, latencyMs } = await listModels(e, { apiKey: resolveApiKey(e.name) })
      return { ok: true, models, modelServed: models.includes(e.model), latencyMs, error: null }
    } catch (err) {
      return {
        ok: false,
        models: [],
        modelServed: false,
        latencyMs: null,
        error: err instanceof Error ? err.message : String(err),
      }
    }
  },

  listTemplates: (_input, { project }) => listTemplates(project.db).map(templateOut),

  saveTemplate: (input, { project }) => templateOut(storeCall(() => saveTemplate(project.db, input))),

  previewPrompt: ({ sampleId, query, template }, { project }) => {
    const t = storeCall(() => getTemplate(project.db, template.name, template.version))
    const s = getSample(project.db, sampleId)
    if (!s) throw new ApiError('not_found', `no sample ${sampleId}`)
    const q = query ?? s.query
    return {
      query: q,
      normalizedQuery: normalizeQuery(q, t.queryStrip),
      text: renderTemplate(t, q),
      inputSize: t.inputSize,
    }
  },

  reaskSample: async (input, ctx) => {
    const { db } = ctx.project
    const template = storeCall(() => getTemplate(db, input.template.name, input.template.version))
    const endpoint = storeCall(() => getEndpoint(db, input.endpoint))
    const sample = getSample(db, input.sampleId)
    if (!sample) throw new ApiError('not_found', `no sample ${input.sampleId}`)
    if (!normalizeQuery(input.query ?? sample.query, template.queryStrip).trim()) {
      throw new ApiError(
        'bad_request',
        'the query is empty once normalized (lower-cased, stripped of ' + template.queryStrip + ')',
      )
    }
    const requestId = input.requestId ?? crypto.randomUUID()
    if (inFlight.has(requestId)) throw new ApiError('conflict', `request ${requestId} is already running`)
    const abort = new AbortController()
    inFlight.set(requestId, abort)
    try {
      const variant = await reaskAndStore(
        {
          project: ctx.project,
          segmenter: await segmenterFor(ctx),
          apiKey: resolveApiKey(endpoint.name),
          signal: abort.signal,
          stream: input.stream,
          images,
          onEvent: (e) =>
            ctx.emit(
              e.type === 'delta'
                ? { type: 'reason.delta', requestId, text: e.text, reset: false }
                : { type: 'reason.delta', requestId, text: '', reset: true },
            ),
        },
        { runId: input.runId, sampleId: input.sampleId, query: input.query, template, endpoint },
      )
      return variantOut(db, variant)
    } catch (err) {
      if (err instanceof ApiError) throw err
      if (err instanceof VlmRequestError) {
        throw new ApiError(
          err.kind === 'cancelled' ? 'cancelled' : 'unavailable',
          `${endpoint.name}: ${err.message}`,
        )
      }
      if (abort.signal.aborted) throw new ApiError('cancelled', 're-ask cancelled')
      throw new ApiError('internal', err instanceof Error ? err.message : String(err))
    } finally {
      inFlight.delete(requestId)
    }
  },

  cancelReask: ({ requestId }) => {
    const abort = inFlight.get(requestId)
    abort?.abort()
    return { cancelled: Boolean(abort) }
  },

  listVariants: ({ sampleId, runId }, { project }) =>
    listVariants(project.db, sampleId, runId).map((v) => variantOut(project.db, v)),

  deleteVariant: ({ id }, { project }) => ({ deleted: deleteVariant(project.db, id) }),

  promoteVariants: (input, { project }) => {
    try {
      return promoteVariants(project.db, input)
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      throw new ApiError(
        msg.startsWith('no ') ? 'not_found' : msg.includes('already exists') ? 'conflict' : 'bad_request',
        msg,
      )
    }
  },
}
