/**
 * Public API of the ONNX SAM-family engine (used by the model registry, the segment handlers and the
 * CLI). Everything else in this folder is internal.
 */
export {
  listInstalledOnnxModels,
  listOnnxModels,
  modelsDir,
  type CatalogueEntry,
  type InstalledModel,
} from './manifest'
export {
  createOnnxSegmenter,
  ModelFileMissingError,
  OnnxSegmenter,
  type OnnxSegmenterOptions,
  type OnnxSegmenterStats,
} from './segmenter'
export { availableProviders, type ProviderRequest, type ProviderStatus } from './providers'
export { doctorReport, formatDoctorReport, type DoctorReport } from './doctor'
export { ModelSignatureError, type Flavour } from './flavours'
export {
  precomputeEmbeddings,
  type PrecomputeImage,
  type PrecomputeProgress,
  type PrecomputeSummary,
} from '../cache/precompute'
