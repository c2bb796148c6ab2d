/**
 * Import of rollouts made elsewhere (a GRPO training dump), one JSON object per line (docs/formats.md):
 *
 *   {"image_id": "…", "ann_id": "…", "solution": "[…]"?, "rollouts": [{"text": "…", "reward": 6.5?}, …]}
 *
 * `rollouts` may also be a list of strings. Every answer is scored with our reward and segmented; a reward the
 * trainer logged is kept beside ours and disagreements are listed. The whole file is validated first (an error
 * names the file, the line and what was wrong), then everything is written in one transaction, so a bad file
 * leaves the project as it was.
 */
import fs from 'node:fs'
import { fromCoco } from '../../shared/domain/rle'
import { groundTruthString, scoreRollout, type RewardKind } from '../../shared/domain/rewards/score'
import type { Segmenter } from '../engine/types'
import type { TemplateRecord } from '../reason/store'
import { loadRgb } from '../store/media'
import type { Project } from '../store/project'
import { createRun } from '../store/runs'
import type { SampleRow } from '../store/samples'
import {
  answeredRollout,
  parseRolloutText,
  putRolloutPrediction,
  rewardGroundTruthOf,
  segmentRollout,
} from './runner'
import { ensureGroup, finalizeGroup, putRollout, type NewRollout } from './store'

export interface ImportRolloutsOptions {
  file: string
  datasetId: number
  runName: string
  reward: RewardKind
  template: TemplateRecord
  segmenter: Segmenter | null
}

export interface ImportRolloutsSummary {
  runId: number
  samples: number
  rollouts: number
  trainerRewards: number
  disagreements: number
  disagreementList: { key: string; idx: number; ours: number; trainer: number }[]
  derivedGt: number
}

interface Line {
  lineNo: number
  sample: SampleRow
  solution: string | null
  rollouts: { text: string; reward: number | null }[]
}

/** The file's text; an error names the file. */
function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw new Error(`${file}: cannot read (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    })
  }
}

function parseLines(project: Project, file: string, datasetId: number): Line[] {
  const text = readText(file)
  const find = project.db.prepare(
    'SELECT * FROM samples WHERE dataset_id = ? AND image_id = ? AND ann_id = ?',
  )
  const out: Line[] = []
  const seen = new Set<number>()
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1
    if (!raw.trim()) return
    const fail = (what: string): never => {
      throw new Error(`${file}, line ${lineNo}: ${what}`)
    }
    let v: unknown
    try {
      v = JSON.parse(raw)
    } catch (err) {
      fail(`not JSON (${err instanceof Error ? err.message : String(err)})`)
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('expected a JSON object')
    const o = v as Record<string, unknown>
    const imageId = o.image_id
    const annId = o.ann_id ?? '0'
    if (typeof imageId !== 'string' || typeof annId !== 'string')
      fail('"image_id" (and "ann_id" when given) must be strings')
    const sample = find.get(datasetId, imageId, annId) as SampleRow | undefined
    if (!sample)
      fail(`no sample with image_id '${String(imageId)}' and ann_id '${String(annId)}' in the dataset`)
    const s = sample as SampleRow
    if (seen.has(s.id)) fail(`sample ${String(imageId)}/${String(annId)} appears twice`)
    seen.add(s.id)
    if (o.solution !== undefined && typeof o.solution !== 'string')
      fail('"solution" must be a string (the training JSON)')
    if (!Array.isArray(o.rollouts) || o.rollouts.length === 0) fail('"rollouts" must be a non-empty list')
    const rollouts = (o.rollouts as unknown[]).map((r, j) => {
      if (typeof r === 'string') return { text: r, reward: null }
      if (typeof r !== 'object' || r === null)
        return fail(`rollouts[${j}] must be a string or {"text", "reward"?}`)
      const rr = r as Record<string, unknown>
      if (typeof rr.text !== 'string') return fail(`rollouts[${j}].text must be a string`)
      if (
        rr.reward !== undefined &&
        rr.reward !== null &&
        (typeof rr.reward !== 'number' || !Number.isFinite(rr.reward))
      )
        return fail(`rollouts[${j}].reward must be a number`)
      return { text: rr.text, reward: typeof rr.reward === 'number' ? rr.reward : null }
    })
    out.push({ lineNo, sample: s, solution: (o.solution as string | undefined) ?? null, rollouts })
  })
  if (out.length === 0) throw new Error(`${file}: no rollouts in the file`)
  return out
}

/**
 * The `solution` strings of a dataset's samples from a JSONL file of `{"image_id", "ann_id"?, "solution"}` lines
 * (the training data's column; the dataset importers do not keep it). Errors name the file and line.
 */
export function readSolutions(project: Project, file: string, datasetId: number): Map<number, string> {
  const text = readText(file)
  const find = project.db.prepare(
    'SELECT id FROM samples WHERE dataset_id = ? AND image_id = ? AND ann_id = ?',
  )
  const out = new Map<number, string>()
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return
    const where = `${file}, line ${i + 1}`
    let v: unknown
    try {
      v = JSON.parse(raw)
    } catch (err) {
      throw new Error(`${where}: not JSON (${err instanceof Error ? err.message : String(err)})`, {
        cause: err,
      })
    }
    const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>
    const annId = o.ann_id ?? '0'
    if (typeof o.image_id !== 'string' || typeof annId !== 'string' || typeof o.solution !== 'string')
      throw new Error(`${where}: expected {"image_id": string, "ann_id"?: string, "solution": string}`)
    const row = find.get(datasetId, o.image_id, annId) as { id: number } | undefined
    if (!row)
      throw new Error(
        `${where}: no sample with image_id '${o.image_id}' and ann_id '${annId}' in the dataset`,
      )
    out.set(row.id, o.solution)
  })
  return out
}

export async function importRollouts(
  project: Project,
  opts: ImportRolloutsOptions,
): Promise<ImportRolloutsSummary> {
  const { db } = project
  const lines = parseLines(project, opts.file, opts.datasetId)
  const k = Math.max(...lines.map((l) => l.rollouts.length))
  // Score and segment everything before touching the database.
  const prepared: {
    line: Line
    gt: ReturnType<typeof rewardGroundTruthOf>
    gtString: string
    rows: Omit<NewRollout, 'runId'>[]
  }[] = []
  let derivedGt = 0
  const disagreementList: ImportRolloutsSummary['disagreementList'] = []
  let trainerRewards = 0
  for (const l of lines) {
    const s = l.sample
    const gt = rewardGroundTruthOf(s, l.solution)
    if (gt.source === 'derived') derivedGt++
    const gtString = groundTruthString(opts.reward, gt)
    const rgb = opts.segmenter ? await loadRgb(project, s.media_hash) : null
    const rows: Omit<NewRollout, 'runId'>[] = []
    for (const [idx, r] of l.rollouts.entries()) {
      const score = scoreRollout(opts.reward, r.text, gtString)
      const parsed = parseRolloutText(r.text, s, opts.template)
      const mask = await segmentRollout(opts.segmenter, s, rgb, parsed.objects)
      if (r.reward !== null) {
        trainerRewards++
        if (Math.abs(r.reward - score.total) > 1e-6)
          disagreementList.push({
            key: `${s.image_id}/${s.ann_id}`,
            idx,
            ours: score.total,
            trainer: r.reward,
          })
      }
      rows.push({
        sampleId: s.id,
        idx,
        ...answeredRollout(s, r.text, score, parsed, mask),
        latencyMs: null,
        promptTokens: null,
        completionTokens: null,
        endpoint: null,
        finishReason: null,
        trainerReward: r.reward,
      })
    }
    prepared.push({ line: l, gt, gtString, rows })
  }
  const write = db.transaction(() => {
    const runId = createRun(db, {
      datasetId: opts.datasetId,
      name: opts.runName,
      kind: 'imported',
      source: opts.file,
      meta: {
        rollouts: { k, reward: opts.reward, template: opts.template.name, imported: true, pick: 'first' },
      },
    })
    for (const p of prepared) {
      const s = p.line.sample
      ensureGroup(db, {
        runId,
        sampleId: s.id,
        k: p.rows.length,
        rewardKind: opts.reward,
        gtSource: p.gt.source,
        gtSolution: p.gtString,
      })
      for (const r of p.rows) putRollout(db, { ...r, runId })
      finalizeGroup(db, runId, s.id)
      // The sample's prediction is its first rollout, so metrics and reports work on the run.
      const first = p.rows[0]
      const mask = first.maskRle ? fromCoco({ size: [s.height, s.width], counts: first.maskRle }) : null
      const text = first.rawText ?? ''
      putRolloutPrediction(db, runId, s, text, parseRolloutText(text, s, opts.template), mask)
    }
    return runId
  })
  const runId = write()
  return {
    runId,
    samples: prepared.length,
    rollouts: prepared.reduce((a, p) => a + p.rows.length, 0),
    trainerRewards,
    disagreements: disagreementList.length,
    disagreementList,
    derivedGt,
  }
}
