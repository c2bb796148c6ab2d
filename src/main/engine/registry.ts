/**
 * The engine a host holds: which segmentation models exist (the GrabCut baseline always, SAM-family ONNX
 * models when installed), which one is selected, and one live Segmenter per model, created on first use
 * and reused. Also owns the latest-wins scheduler for interactive requests, so every host shares one.
 *
 * Creating an engine is cheap and synchronous: models are listed from the manifest files at once (so
 * `listModels()` and `defaultModelId` are right immediately); onnxruntime-node is loaded in the
 * background only to tell which execution provider a session will get (`ready`), and the models
 * themselves load on first use.
 */
import path from 'node:path'
import { ApiError } from '../../shared/contract/define'
import { createGrabCutSegmenter, GRABCUT_INFO } from './grabcut'
import { listOnnxModels, type InstalledModel } from './onnx/manifest'
import { ObjectStateCache } from './objects'
import { LatestWinsScheduler } from './scheduler'
import type { ModelInfo, Segmenter } from './types'

/** A provider of models besides the built-in baseline (the ONNX model store, or a test double). */
export interface ModelSource {
  /** Short name used in warnings, e.g. 'onnx models'. */
  name: string
  /** Synchronous, so an engine knows its models the moment it exists. */
  list(): ModelInfo[]
  /** Slow, optional groundwork that refines what `list` reports (the ONNX source: the provider in use). */
  prepare?(): Promise<void>
  create(id: string): Promise<Segmenter>
}

export interface EngineOptions {
  projectDir?: string
  /** Requested execution provider for ONNX models: 'auto' (default), 'cpu', 'cuda', 'dml' or 'coreml'. */
  provider?: string
  /** Model sources besides the baseline; defaults to the installed ONNX models. */
  sources?: ModelSource[]
}

export interface EngineStatus {
  modelId: string
  label: string
  provider: string
  isBaseline: boolean
}

export interface Engine {
  /** Settles once every source's groundwork is done (listed providers are then final); never rejects. */
  readonly ready: Promise<void>
  /** The baseline first, then every installed model. */
  listModels(): ModelInfo[]
  /** The first installed SAM-family model, else the baseline. */
  readonly defaultModelId: string
  /** The model interactive requests use when they name none. */
  readonly selectedModelId: string
  /** Problems met while listing models (a broken model store must not take the baseline down with it). */
  readonly warnings: string[]
  /** Creates the model's segmenter on first use and reuses it; defaults to the selected model. */
  getSegmenter(id?: string): Promise<Segmenter>
  select(id: string): EngineStatus
  status(): EngineStatus
  /** Lists the models again (after `reseg models add`); keeps live segmenters of models still present. */
  refresh(): Promise<void>
  readonly interactive: LatestWinsScheduler
  /** Per-object decode state of interactive edits (refinement logits, unchanged objects' masks). */
  readonly objects: ObjectStateCache
  dispose(): Promise<void>
}

export function createEngine(opts: EngineOptions = {}): Engine {
  const sources = opts.sources ?? [onnxModelSource(opts)]
  let models: { info: ModelInfo; source: ModelSource | null }[] = []
  let listWarnings: string[] = []
  const prepareWarnings: string[] = []
  let selected = GRABCUT_INFO.id
  let userSelected = false
  let defaultId = GRABCUT_INFO.id
  const live = new Map<string, Promise<Segmenter>>()
  // A live segmenter's own info wins over the listed one: it names the provider it actually got.
  const resolvedInfo = new Map<string, ModelInfo>()
  const interactive = new LatestWinsScheduler()
  const objects = new ObjectStateCache()

  const scan = () => {
    const found: { info: ModelInfo; source: ModelSource | null }[] = [{ info: GRABCUT_INFO, source: null }]
    const problems: string[] = []
    for (const source of sources) {
      try {
        for (const info of source.list()) {
          if (found.some((m) => m.info.id === info.id))
            problems.push(`${source.name}: duplicate model id '${info.id}' ignored`)
          else found.push({ info, source })
        }
      } catch (err) {
        problems.push(`${source.name}: could not list models: ${message(err)}`)
      }
    }
    models = found
    listWarnings = problems
    defaultId = found.find((m) => !m.info.isBaseline)?.info.id ?? GRABCUT_INFO.id
    if (!userSelected || !found.some((m) => m.info.id === selected)) {
      selected = defaultId
      userSelected = false
    }
    for (const [id, seg] of live) {
      if (!found.some((m) => m.info.id === id)) {
        live.delete(id)
        resolvedInfo.delete(id)
        void seg.then((s) => s.dispose()).catch(() => undefined)
      }
    }
  }

  const find = (id: string) => {
    const m = models.find((x) => x.info.id === id)
    if (!m) {
      throw new ApiError(
        'not_found',
        `no segmentation model '${id}'; available: ${models.map((x) => x.info.id).join(', ')}`,
      )
    }
    return m
  }

  const toStatus = (id: string): EngineStatus => {
    const info = resolvedInfo.get(id) ?? find(id).info
    return { modelId: info.id, label: info.label, provider: info.provider, isBaseline: info.isBaseline }
  }

  scan()
  const ready = (async () => {
    for (const source of sources) {
      try {
        await source.prepare?.()
      } catch (err) {
        prepareWarnings.push(`${source.name}: ${message(err)}`)
      }
    }
    scan()
  })()

  return {
    ready,
    listModels: () => models.map((m) => resolvedInfo.get(m.info.id) ?? m.info),
    get defaultModelId() {
      return defaultId
    },
    get selectedModelId() {
      return selected
    },
    get warnings() {
      return [...listWarnings, ...prepareWarnings]
    },
    async getSegmenter(id?: string) {
      const key = id ?? selected
      const m = find(key)
      let seg = live.get(key)
      if (!seg) {
        const source = m.source
        const created = source ? source.create(key) : Promise.resolve(createGrabCutSegmenter())
        live.set(key, created)
        created.then(
          (s) => resolvedInfo.set(key, s.info),
          () => live.get(key) === created && live.delete(key),
        )
        seg = created
      }
      return seg
    },
    select(id) {
      find(id)
      selected = id
      userSelected = true
      return toStatus(id)
    },
    status: () => toStatus(selected),
    refresh: async () => {
      await ready
      scan()
    },
    interactive,
    objects,
    async dispose() {
      interactive.cancelAll()
      const all = [...live.values()]
      live.clear()
      await Promise.all(all.map((p) => p.then((s) => s.dispose()).catch(() => undefined)))
    },
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

const PROVIDER_REQUESTS = ['auto', 'cpu', 'cuda', 'dml', 'coreml'] as const
type ProviderRequest = (typeof PROVIDER_REQUESTS)[number]

/**
 * SAM-family models installed under models/ (manifest or `reseg models add`). Listing reads only the
 * manifest files; onnxruntime-node is imported by `prepare` and `create`, never at start-up.
 */
export function onnxModelSource(opts: { projectDir?: string; provider?: string }): ModelSource {
  const request = PROVIDER_REQUESTS.find((p) => p === (opts.provider ?? 'auto'))
  const cacheDir = opts.projectDir ? path.join(opts.projectDir, 'cache', 'embeddings') : undefined
  let installed = new Map<string, InstalledModel>()
  // Until `prepare` has asked onnxruntime-node, the provider is only what was requested.
  let expectedProvider: string = request ?? 'auto'
  const validRequest = (): ProviderRequest => {
    if (!request) {
      throw new Error(
        `unknown execution provider '${opts.provider}' (expected one of ${PROVIDER_REQUESTS.join(', ')})`,
      )
    }
    return request
  }
  return {
    name: 'onnx models',
    list() {
      validRequest()
      const models = listOnnxModels().filter((m) => m.installed)
      installed = new Map(models.map((m) => [m.id, m]))
      return models.map((m) => ({
        id: m.id,
        label: m.label,
        family: m.family,
        isBaseline: false,
        provider: expectedProvider,
      }))
    },
    async prepare() {
      if (!request || installed.size === 0) return
      const { providerCandidates } = await import('./onnx/providers')
      // The provider a session will most likely get; the live segmenter reports the one it really got.
      expectedProvider = providerCandidates(request).candidates[0]
    },
    async create(id) {
      const model = installed.get(id)
      if (!model) throw new ApiError('not_found', `ONNX model '${id}' is not installed`)
      if (model.family === 'sam3') {
        const { createSam3Segmenter } = await import('./sam3/segmenter')
        return createSam3Segmenter(model, { provider: validRequest() })
      }
      const onnx = await import('./onnx/index')
      return onnx.createOnnxSegmenter(model, { provider: validRequest(), cacheDir })
    },
  }
}
