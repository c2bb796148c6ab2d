/**
 * The review queue over a run's suggested failure tags: the failures not yet confirmed, worst IoU first
 * or grouped by proposed tag, skipped ones at the back. The queue is derived from the stored reviews, so it
 * resumes where the user left off. Confirming puts the tag on the sample (sample_tags, the user's tags);
 * every action is logged so `undoReview` restores exactly the state before it. Also the numbers reports
 * show: counts by confirmed tag, the share unreviewed, the agreement matrix proposed × confirmed.
 */
import {
  FAILURE_RULES_VERSION,
  FAILURE_TAG_INFO,
  FAILURE_TAGS,
  type FailureTag,
} from '../../shared/domain/failureRules'
import type { Db } from '../store/project'
import { listTags, saveTag } from '../store/tags'
import {
  getThresholds,
  PROPOSAL_SELECT,
  toStoredProposal,
  type ProposalRecord,
  type StoredProposal,
} from './proposals'

export type QueueOrder = 'worst' | 'tag'

export interface ReviewProgress {
  failures: number
  confirmed: number
  skipped: number
  pending: number
}

export function reviewProgress(db: Db, runId: number): ReviewProgress {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS failures,
              COALESCE(SUM(r.state = 'confirmed'), 0) AS confirmed,
              COALESCE(SUM(r.state = 'skipped'), 0) AS skipped
       FROM tag_proposals tp LEFT JOIN tag_reviews r ON r.run_id = tp.run_id AND r.sample_id = tp.sample_id
       WHERE tp.run_id = ? AND tp.failure = 1`,
    )
    .get(runId) as { failures: number; confirmed: number; skipped: number }
  return { ...r, pending: r.failures - r.confirmed - r.skipped }
}

const TAG_ORDER_SQL = `CASE tp.tag ${FAILURE_TAGS.map((t, i) => `WHEN '${t.replace(/'/g, "''")}' THEN ${i}`).join(' ')} ELSE ${FAILURE_TAGS.length} END`

/**
 * The next `limit` unconfirmed failures: never-reviewed first, then the skipped ones. Worst-first reads the
 * never-reviewed ones straight off the (run, failure, iou, sample) index, so the next failure costs the same
 * at 300 failures as at 30,000.
 */
export function reviewQueue(
  db: Db,
  runId: number,
  order: QueueOrder = 'worst',
  limit = 20,
): { progress: ReviewProgress; items: StoredProposal[] } {
  const orderBy = `${order === 'tag' ? `${TAG_ORDER_SQL}, ` : ''}tp.iou, tp.sample_id`
  const pick = (state: 'IS NULL' | "= 'skipped'", n: number) =>
    db
      .prepare(
        `${PROPOSAL_SELECT} WHERE tp.run_id = ? AND tp.failure = 1 AND r.state ${state} ORDER BY ${orderBy} LIMIT ?`,
      )
      .all(runId, n) as ProposalRecord[]
  const rows = pick('IS NULL', limit)
  if (rows.length < limit) rows.push(...pick("= 'skipped'", limit - rows.length))
  return { progress: reviewProgress(db, runId), items: rows.map(toStoredProposal) }
}

/** The tag of that name, created (with the rules' colour and description) when the taxonomy lacks it. */
export function ensureTag(db: Db, name: FailureTag): number {
  // listTags seeds the default taxonomy first (once per project), which may already hold the tag.
  const existing = listTags(db).find((t) => t.name === name)
  if (existing) return existing.id
  const info = FAILURE_TAG_INFO[name]
  return saveTag(db, { name, color: info.color, description: info.description }).id
}

export type ReviewAction = { kind: 'accept' } | { kind: 'pick'; tagId: number } | { kind: 'skip' }

interface ReviewRow {
  state: 'confirmed' | 'skipped'
  tag_id: number | null
  proposed_tag: string | null
  reviewed_by: string | null
  reviewed_at: string
}

/** Applies one review action to (run, sample) in one transaction and logs it for undo. */
export function reviewSample(
  db: Db,
  runId: number,
  sampleId: number,
  action: ReviewAction,
  reviewedBy: string | null = null,
): void {
  db.transaction(() => {
    const prop = db
      .prepare('SELECT tag, failure FROM tag_proposals WHERE run_id = ? AND sample_id = ?')
      .get(runId, sampleId) as { tag: FailureTag | null; failure: number } | undefined
    if (!prop) throw new Error(`sample ${sampleId} of run ${runId} has no proposal; open the run first`)
    let tagId: number | null = null
    if (action.kind === 'accept') {
      if (!prop.tag) throw new Error(`sample ${sampleId} has no proposed tag to accept; pick one`)
      tagId = ensureTag(db, prop.tag)
    } else if (action.kind === 'pick') {
      if (!db.prepare('SELECT 1 FROM tags WHERE id = ?').get(action.tagId)) {
        throw new Error(`no tag with id ${action.tagId}`)
      }
      tagId = action.tagId
    }
    const prev = db
      .prepare(
        'SELECT state, tag_id, proposed_tag, reviewed_by, reviewed_at FROM tag_reviews WHERE run_id = ? AND sample_id = ?',
      )
      .get(runId, sampleId) as ReviewRow | undefined
    let added: number | null = null
    if (tagId != null) {
      const r = db
        .prepare('INSERT OR IGNORE INTO sample_tags (run_id, sample_id, tag_id) VALUES (?, ?, ?)')
        .run(runId, sampleId, tagId)
      if (r.changes > 0) added = tagId
    }
    db.prepare(
      `INSERT OR REPLACE INTO tag_reviews (run_id, sample_id, state, tag_id, proposed_tag, reviewed_by)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(runId, sampleId, tagId != null ? 'confirmed' : 'skipped', tagId, prop.tag, reviewedBy)
    db.prepare(
      'INSERT INTO tag_review_log (run_id, sample_id, prev_json, added_tag_id) VALUES (?, ?, ?, ?)',
    ).run(runId, sampleId, prev ? JSON.stringify(prev) : null, added)
  })()
}

/** Undoes the run's newest review action; returns the sample it concerned, or null when none is left. */
export function undoReview(db: Db, runId: number): number | null {
  return db.transaction(() => {
    const last = db
      .prepare(
        'SELECT id, sample_id, prev_json, added_tag_id FROM tag_review_log WHERE run_id = ? ORDER BY id DESC LIMIT 1',
      )
      .get(runId) as
      { id: number; sample_id: number; prev_json: string | null; added_tag_id: number | null } | undefined
    if (!last) return null
    if (last.added_tag_id != null) {
      db.prepare('DELETE FROM sample_tags WHERE run_id = ? AND sample_id = ? AND tag_id = ?').run(
        runId,
        last.sample_id,
        last.added_tag_id,
      )
    }
    db.prepare('DELETE FROM tag_reviews WHERE run_id = ? AND sample_id = ?').run(runId, last.sample_id)
    const p = last.prev_json ? (JSON.parse(last.prev_json) as ReviewRow) : null
    // A review confirmed with a tag deleted since is gone with the tag: nothing to restore.
    if (p && (p.tag_id == null || db.prepare('SELECT 1 FROM tags WHERE id = ?').get(p.tag_id))) {
      db.prepare(
        `INSERT INTO tag_reviews (run_id, sample_id, state, tag_id, proposed_tag, reviewed_by, reviewed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(runId, last.sample_id, p.state, p.tag_id, p.proposed_tag, p.reviewed_by, p.reviewed_at)
    }
    db.prepare('DELETE FROM tag_review_log WHERE id = ?').run(last.id)
    return last.sample_id
  })()
}

export interface ReviewSummary {
  rulesVersion: number
  thresholds: Record<string, number>
  failures: number
  confirmed: number
  skipped: number
  unreviewed: number
  /** Share of the failures not confirmed yet (never reviewed or skipped). */
  unreviewedShare: number
  /** Failures per proposed tag ('(none)' = no rule fired). */
  proposed: { tag: string; n: number }[]
  byConfirmedTag: { tag: string; n: number }[]
  /** Rows: proposed tags ('(none)' last); columns: confirmed tags; cells: confirmed samples. */
  matrix: { proposed: string[]; confirmed: string[]; counts: number[][] }
  /** Confirmed samples whose confirmed tag is the proposed one, over all confirmed samples. */
  agreement: number | null
}

export const NO_PROPOSAL = '(none)'

export function reviewSummary(db: Db, runId: number): ReviewSummary {
  const p = reviewProgress(db, runId)
  const proposed = (
    db
      .prepare(
        `SELECT COALESCE(tag, '${NO_PROPOSAL}') AS tag, COUNT(*) AS n FROM tag_proposals
         WHERE run_id = ? AND failure = 1 GROUP BY tag`,
      )
      .all(runId) as { tag: string; n: number }[]
  ).sort((a, b) => b.n - a.n || a.tag.localeCompare(b.tag))
  const pairs = db
    .prepare(
      `SELECT COALESCE(r.proposed_tag, '${NO_PROPOSAL}') AS proposed, t.name AS confirmed, COUNT(*) AS n
       FROM tag_reviews r JOIN tags t ON t.id = r.tag_id
       WHERE r.run_id = ? AND r.state = 'confirmed' GROUP BY proposed, confirmed`,
    )
    .all(runId) as { proposed: string; confirmed: string; n: number }[]
  const known = (names: Iterable<string>) => {
    const set = new Set(names)
    const ordered: string[] = FAILURE_TAGS.filter((t) => set.has(t))
    const rest = [...set].filter((t) => !ordered.includes(t) && t !== NO_PROPOSAL).sort()
    return [...ordered, ...rest, ...(set.has(NO_PROPOSAL) ? [NO_PROPOSAL] : [])]
  }
  const rows = known([...proposed.map((x) => x.tag), ...pairs.map((x) => x.proposed)])
  const cols = known(pairs.map((x) => x.confirmed))
  const counts = rows.map(() => cols.map(() => 0))
  let agree = 0
  let confirmedTotal = 0
  const byTag = new Map<string, number>()
  for (const x of pairs) {
    counts[rows.indexOf(x.proposed)][cols.indexOf(x.confirmed)] += x.n
    confirmedTotal += x.n
    if (x.proposed === x.confirmed) agree += x.n
    byTag.set(x.confirmed, (byTag.get(x.confirmed) ?? 0) + x.n)
  }
  const unreviewed = p.failures - p.confirmed
  return {
    rulesVersion: FAILURE_RULES_VERSION,
    thresholds: { ...getThresholds(db).thresholds },
    failures: p.failures,
    confirmed: p.confirmed,
    skipped: p.skipped,
    unreviewed,
    unreviewedShare: p.failures ? unreviewed / p.failures : 0,
    proposed,
    byConfirmedTag: [...byTag]
      .map(([tag, n]) => ({ tag, n }))
      .sort((a, b) => b.n - a.n || a.tag.localeCompare(b.tag)),
    matrix: { proposed: rows, confirmed: cols, counts },
    agreement: confirmedTotal ? agree / confirmedTotal : null,
  }
}
