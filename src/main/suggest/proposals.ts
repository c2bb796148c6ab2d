/**
 * Suggested failure tags in the store: runs the pure failure rules over what the project keeps per
 * (run, sample) — the prediction or, where the user re-segmented, the current prompt edit; GT and ignore
 * masks; the oracle IoU of the stage attribution — and keeps the result in `tag_proposals`, apart from the
 * user's tags. Each row carries a fingerprint of its inputs, so `computeProposals` (called when a run is
 * opened) recomputes exactly the rows whose evidence changed, and `recomputeProposal` does one sample at
 * once from the paths that change evidence (prompt edits, stage attribution; GT edits at merge).
 */
import { createHash } from 'node:crypto'
import {
  assessSample,
  FAILURE_RULES_VERSION,
  resolveThresholds,
  type Evidence,
  type FailureThresholds,
  type Proposal,
} from '../../shared/domain/failureRules'
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { fromCoco } from '../../shared/domain/rle'
import { getEditState } from '../store/edits'
import type { Db } from '../store/project'

const THRESHOLDS_KEY = 'suggest_thresholds'

/** The project's thresholds: the defaults with its overrides (project_meta) on top. */
export function getThresholds(db: Db): {
  thresholds: FailureThresholds
  overrides: Partial<FailureThresholds>
} {
  const row = db.prepare('SELECT value FROM project_meta WHERE key = ?').get(THRESHOLDS_KEY) as
    { value: string } | undefined
  const overrides = row ? (JSON.parse(row.value) as Partial<FailureThresholds>) : {}
  return { thresholds: resolveThresholds(overrides), overrides }
}

/** Replaces the project's overrides (null or {} = the defaults); stored proposals go stale by fingerprint. */
export function setThresholds(db: Db, overrides: Partial<FailureThresholds> | null): FailureThresholds {
  const clean = Object.fromEntries(
    Object.entries(overrides ?? {}).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
  )
  if (Object.keys(clean).length === 0)
    db.prepare('DELETE FROM project_meta WHERE key = ?').run(THRESHOLDS_KEY)
  else {
    db.prepare('INSERT OR REPLACE INTO project_meta (key, value) VALUES (?, ?)').run(
      THRESHOLDS_KEY,
      JSON.stringify(clean),
    )
  }
  return resolveThresholds(clean)
}

interface InputRow {
  sample_id: number
  width: number
  height: number
  gt_rle: string
  ignore_rle: string | null
  predicted: number
  parse_error: string | null
  prompts_json: string | null
  mask_rle: string | null
  oracle_iou: number | null
  old_key: string | null
}

// The rules judge against the current ground truth: a sample's corrected revision where it has one (a fixed
// label is what the reviewer believes), else the imported one. The GT is part of the evidence key, so a GT
// edit makes the proposal stale.
const INPUT_SQL = `
  SELECT s.id AS sample_id, s.width, s.height,
         COALESCE(gr.mask_rle, s.gt_rle) AS gt_rle,
         CASE WHEN gr.sample_id IS NULL THEN s.ignore_rle ELSE gr.ignore_rle END AS ignore_rle,
         p.run_id IS NOT NULL AS predicted, p.parse_error, p.prompts_json, p.mask_rle,
         sl.oracle_iou, tp.evidence_key AS old_key
  FROM samples s
  LEFT JOIN gt_revisions gr ON gr.sample_id = s.id AND gr.revised = 1
  LEFT JOIN predictions p ON p.run_id = @run AND p.sample_id = s.id
  LEFT JOIN stage_labels sl ON sl.run_id = @run AND sl.sample_id = s.id
  LEFT JOIN tag_proposals tp ON tp.run_id = @run AND tp.sample_id = s.id
  WHERE s.dataset_id = (SELECT dataset_id FROM runs WHERE id = @run)`

interface Assessed {
  sampleId: number
  key: string
  iou: number
  failure: boolean
  proposal: Proposal | null
  alternatives: Proposal[]
}

interface Inputs {
  row: InputRow
  maskRle: string | null
  promptsJson: string | null
  key: string
}

/** The evidence of one row — the current prompt edit where the user re-segmented — and its fingerprint. */
function inputsOf(db: Db, runId: number, r: InputRow, tJson: string, edited: boolean): Inputs {
  let maskRle = r.mask_rle
  let promptsJson = r.prompts_json
  let editId: number | null = null
  if (r.predicted && edited) {
    const edit = getEditState(db, runId, r.sample_id, [r.height, r.width]).current
    if (edit?.mask) {
      editId = edit.id
      maskRle = edit.mask.counts
      promptsJson = JSON.stringify(edit.prompts)
    }
  }
  // A digest of every input the rules read (SHA-1 in native code: hashing the RLE strings in JS would cost
  // as much as assessing them). `\u0000` occurs in none of them, so it separates them; `\u0001` stands for null.
  const h = createHash('sha1')
  for (const part of [
    String(FAILURE_RULES_VERSION),
    tJson,
    String(r.predicted),
    r.parse_error ?? '\u0001',
    String(editId ?? 'run'),
    maskRle ?? '\u0001',
    promptsJson ?? '\u0001',
    r.gt_rle,
    r.ignore_rle ?? '\u0001',
    String(r.oracle_iou ?? '\u0001'),
  ])
    h.update(part).update('\u0000')
  const key = h.digest('base64')
  return { row: r, maskRle, promptsJson, key }
}

function assess({ row: r, maskRle, promptsJson, key }: Inputs, t: FailureThresholds): Assessed {
  const size: [number, number] = [r.height, r.width]
  const prompts = promptsJson ? (JSON.parse(promptsJson) as ObjectPrompt[]) : null
  const a = assessSample(
    {
      gt: fromCoco({ size, counts: r.gt_rle }),
      ignore: r.ignore_rle ? fromCoco({ size, counts: r.ignore_rle }) : null,
      pred: maskRle != null ? fromCoco({ size, counts: maskRle }) : null,
      predicted: r.predicted === 1,
      parseError: r.parse_error,
      boxes: prompts?.flatMap((p) => (p.box ? [p.box] : [])),
      answeredNothing: prompts != null && prompts.length === 0,
      oracleIou: r.oracle_iou,
    },
    t,
  )
  return {
    sampleId: r.sample_id,
    key,
    iou: a.iou,
    failure: a.failure,
    proposal: a.proposal,
    alternatives: a.fired.slice(1),
  }
}

const editedSamples = (db: Db, runId: number) =>
  new Set(
    db.prepare('SELECT DISTINCT sample_id FROM prompt_edits WHERE run_id = ?').pluck().all(runId) as number[],
  )

function writer(db: Db, runId: number, tJson: string) {
  const ins = db.prepare(
    `INSERT OR REPLACE INTO tag_proposals (run_id, sample_id, failure, iou, tag, confidence, evidence_json,
       alternatives_json, rules_version, thresholds_json, evidence_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  return (a: Assessed) =>
    ins.run(
      runId,
      a.sampleId,
      a.failure ? 1 : 0,
      a.iou,
      a.proposal?.tag ?? null,
      a.proposal?.confidence ?? null,
      a.proposal ? JSON.stringify(a.proposal.evidence) : null,
      JSON.stringify(a.alternatives),
      FAILURE_RULES_VERSION,
      tJson,
      a.key,
    )
}

/**
 * Brings a run's proposals up to date: every sample of its dataset whose inputs changed since its row was
 * written (or that has none) is assessed again, in one transaction. Returns how many rows were written.
 */
export function computeProposals(
  db: Db,
  runId: number,
  opts: { force?: boolean } = {},
): { computed: number } {
  const { thresholds } = getThresholds(db)
  const tJson = JSON.stringify(thresholds)
  const rows = db.prepare(INPUT_SQL).all({ run: runId }) as InputRow[]
  const write = writer(db, runId, tJson)
  const edited = editedSamples(db, runId)
  return db.transaction(() => {
    let computed = 0
    for (const r of rows) {
      const inputs = inputsOf(db, runId, r, tJson, edited.has(r.sample_id))
      if (!opts.force && inputs.key === r.old_key) continue
      write(assess(inputs, thresholds))
      computed++
    }
    return { computed }
  })()
}

/** Re-assesses one sample of a run now (after a prompt edit, a new oracle result or a GT change). */
export function recomputeProposal(db: Db, runId: number, sampleId: number): void {
  const { thresholds } = getThresholds(db)
  const tJson = JSON.stringify(thresholds)
  const r = db.prepare(`${INPUT_SQL} AND s.id = @sample`).get({ run: runId, sample: sampleId }) as
    InputRow | undefined
  if (!r) return
  writer(db, runId, tJson)(assess(inputsOf(db, runId, r, tJson, true), thresholds))
}

/** Re-assesses one sample in every run that has a proposal for it (after a GT change of that sample). */
export function recomputeSampleProposals(db: Db, sampleId: number): void {
  const runs = db
    .prepare('SELECT run_id FROM tag_proposals WHERE sample_id = ?')
    .pluck()
    .all(sampleId) as number[]
  for (const runId of runs) recomputeProposal(db, runId, sampleId)
}

/** Re-assesses every sample of a run that already has proposals (after a new stage attribution). */
export function refreshProposals(db: Db, runId: number): void {
  const has = db.prepare('SELECT 1 FROM tag_proposals WHERE run_id = ? LIMIT 1').get(runId)
  if (has) computeProposals(db, runId)
}

export interface StoredProposal {
  sampleId: number
  imageId: string
  query: string
  iou: number
  failure: boolean
  tag: string | null
  confidence: number | null
  evidence: Evidence | null
  alternatives: Proposal[]
  review: {
    state: 'confirmed' | 'skipped'
    tagId: number | null
    tagName: string | null
    proposedTag: string | null
    reviewedBy: string | null
    reviewedAt: string
  } | null
}

export interface ProposalRecord {
  sample_id: number
  image_id: string
  query: string
  iou: number
  failure: number
  tag: string | null
  confidence: number | null
  evidence_json: string | null
  alternatives_json: string
  state: 'confirmed' | 'skipped' | null
  review_tag_id: number | null
  review_tag_name: string | null
  proposed_tag: string | null
  reviewed_by: string | null
  reviewed_at: string | null
}

export const PROPOSAL_SELECT = `
  SELECT tp.sample_id, s.image_id, s.query, tp.iou, tp.failure, tp.tag, tp.confidence, tp.evidence_json,
         tp.alternatives_json, r.state, r.tag_id AS review_tag_id, t.name AS review_tag_name, r.proposed_tag,
         r.reviewed_by, r.reviewed_at
  FROM tag_proposals tp
  JOIN samples s ON s.id = tp.sample_id
  LEFT JOIN tag_reviews r ON r.run_id = tp.run_id AND r.sample_id = tp.sample_id
  LEFT JOIN tags t ON t.id = r.tag_id`

export function toStoredProposal(r: ProposalRecord): StoredProposal {
  return {
    sampleId: r.sample_id,
    imageId: r.image_id,
    query: r.query,
    iou: r.iou,
    failure: r.failure === 1,
    tag: r.tag,
    confidence: r.confidence,
    evidence: r.evidence_json ? (JSON.parse(r.evidence_json) as Evidence) : null,
    alternatives: JSON.parse(r.alternatives_json) as Proposal[],
    review: r.state
      ? {
          state: r.state,
          tagId: r.review_tag_id,
          tagName: r.review_tag_name,
          proposedTag: r.proposed_tag,
          reviewedBy: r.reviewed_by,
          reviewedAt: r.reviewed_at as string,
        }
      : null,
  }
}

export interface ProposalFilter {
  /** Only failures (default true). */
  failuresOnly?: boolean
  /** Only proposals of this tag ('' = failures no rule explains). */
  tag?: string
  minConfidence?: number
  review?: 'unreviewed' | 'confirmed' | 'skipped'
  sampleIds?: number[]
}

/** A run's stored proposals, filtered, worst IoU first. */
export function listProposals(db: Db, runId: number, f: ProposalFilter = {}): StoredProposal[] {
  const where = ['tp.run_id = @run']
  const params: Record<string, unknown> = { run: runId }
  if (f.failuresOnly !== false) where.push('tp.failure = 1')
  if (f.tag !== undefined) {
    if (f.tag === '') where.push('tp.tag IS NULL')
    else {
      where.push('tp.tag = @tag')
      params.tag = f.tag
    }
  }
  if (f.minConfidence !== undefined) {
    where.push('tp.confidence >= @minConfidence')
    params.minConfidence = f.minConfidence
  }
  if (f.review === 'unreviewed') where.push('r.state IS NULL')
  else if (f.review) {
    where.push('r.state = @state')
    params.state = f.review
  }
  if (f.sampleIds) where.push(`tp.sample_id IN (${f.sampleIds.map((id) => Number(id)).join(',') || 'NULL'})`)
  const rows = db
    .prepare(`${PROPOSAL_SELECT} WHERE ${where.join(' AND ')} ORDER BY tp.iou, tp.sample_id`)
    .all(params) as ProposalRecord[]
  return rows.map(toStoredProposal)
}
