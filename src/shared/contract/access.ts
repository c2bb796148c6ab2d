/**
 * Who may call what when a project is served to a team: every contract method is classified as a read, an
 * annotation (the per-sample work of an annotator) or an admin action (imports, jobs, configuration). The
 * dispatcher enforces it for callers of the serve host; the Electron host is one local user, an admin.
 */
import type { MethodName } from './index'

export type AccessClass = 'read' | 'annotate' | 'admin'
export type Role = 'viewer' | 'annotator' | 'admin'
export const roles: readonly Role[] = ['viewer', 'annotator', 'admin']

/** A caller as the dispatcher sees it: a name for the audit log and the role that gates methods. */
export interface Caller {
  user: string
  role: Role
  /** Client address for the audit log (X-Forwarded-For only with --trust-proxy). */
  remote?: string | null
}

const ALLOWED: Record<Role, ReadonlySet<AccessClass>> = {
  viewer: new Set(['read']),
  annotator: new Set(['read', 'annotate']),
  admin: new Set(['read', 'annotate', 'admin']),
}

export function roleAllows(role: Role, cls: AccessClass): boolean {
  return ALLOWED[role].has(cls)
}

/** Every method, classified; a unit test fails when a contract method is missing here. */
export const methodAccess: Record<MethodName, AccessClass> = {
  // project
  getProjectInfo: 'read',
  listJobs: 'read',
  cancelJob: 'admin',
  // samples (getThumbnails writes a cache, not a result: a read)
  listSamples: 'read',
  locateSample: 'read',
  getSampleDetail: 'read',
  getThumbnails: 'read',
  // tags: the taxonomy is shared configuration; tagging a sample is annotation
  listTags: 'read',
  saveTag: 'admin',
  deleteTag: 'admin',
  setSampleTag: 'annotate',
  // notes
  getNote: 'read',
  saveNote: 'annotate',
  // prompt edits (created by segmentSample) and the variant run made from them
  listPromptEdits: 'read',
  undoPromptEdit: 'annotate',
  redoPromptEdit: 'annotate',
  resetPromptEdits: 'annotate',
  saveRunVariant: 'annotate',
  // metrics and analysis; computing and storing attributions, tagging in bulk and exports are admin
  getRunMetrics: 'read',
  analyzeRun: 'read',
  analysisSampleIds: 'read',
  compareRuns: 'read',
  getStageAttribution: 'read',
  attributeStages: 'admin',
  startStageAttribution: 'admin',
  stageLabelsToTags: 'admin',
  exportReport: 'admin',
  // reasoning endpoints and templates are configuration; a re-ask of one sample is annotation
  listEndpoints: 'read',
  saveEndpoint: 'admin',
  deleteEndpoint: 'admin',
  testEndpoint: 'admin',
  listTemplates: 'read',
  saveTemplate: 'admin',
  previewPrompt: 'read',
  reaskSample: 'annotate',
  cancelReask: 'annotate',
  listVariants: 'read',
  deleteVariant: 'annotate',
  promoteVariants: 'annotate',
  // segmentation: a live prompt edit is annotation; model choice and batch jobs are admin
  segmentSample: 'annotate',
  listModels: 'read',
  getEngineStatus: 'read',
  selectModel: 'admin',
  startSegmentRun: 'admin',
  precomputeRun: 'admin',
  // imports
  listDatasets: 'read',
  importDataset: 'admin',
  importRun: 'admin',
  // lab
  getSampleHistory: 'read',
  whoAmI: 'read',
  // ground truth: editing, flagging and undoing GT is an annotator's work
  getGroundTruth: 'read',
  listGtCommands: 'read',
  listGtChanges: 'read',
  analyzeGtChanges: 'read',
  applyGtEdit: 'annotate',
  undoGtEdit: 'annotate',
  redoGtEdit: 'annotate',
  resetGtToOriginal: 'annotate',
  setGtRevisionInfo: 'annotate',
  flagSample: 'annotate',
  unflagSample: 'annotate',
  // authoring new samples (images, queries) is annotation too; exporting a dataset is a job
  listDatasetImages: 'read',
  addImages: 'annotate',
  addSampleQuery: 'annotate',
  deleteAuthoredSample: 'annotate',
  exportDataset: 'admin',
  // suggested tags: proposals are computed on open (a cache, like thumbnails); confirming one is annotation,
  // the thresholds are project configuration
  openTagProposals: 'read',
  listTagProposals: 'read',
  getReviewQueue: 'read',
  getReviewSummary: 'read',
  getSuggestThresholds: 'read',
  reviewTagProposal: 'annotate',
  undoTagReview: 'annotate',
  setSuggestThresholds: 'admin',
  // GRPO rollouts: sampling is a job
  getRolloutGroup: 'read',
  analyzeRollouts: 'read',
  rolloutFilterSamples: 'read',
  startRollouts: 'admin',
  // project health: the check with --fix removes files
  getProjectHealth: 'read',
  checkProject: 'admin',
  // segmentation: warming the shown sample's embedding is a read; segmenting a whole run is a job
  prepareSample: 'read',
  segmentRun: 'admin',
  // the import form: listing folders, opening a dialog and reading files on the backend's machine are
  // part of importing, an admin action
  getImportSources: 'admin',
  browseFolder: 'admin',
  pickPath: 'admin',
  previewImport: 'admin',
}
