/**
 * The re-ask tables (migration 4): versioned instruction templates, saved endpoints (no API keys), and the
 * variants produced by re-asking a sample. The shipped default templates are inserted as version 1 the first
 * time a project's templates are read.
 */
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { DEFAULT_TEMPLATES, QUESTION_PLACEHOLDER } from '../../shared/domain/reasonTemplates'
import type { Db } from '../store/project'
import type { EndpointSettings } from './client'

export interface TemplateRecord {
  name: string
  version: number
  text: string
  queryStrip: string
  inputSize: number
  description: string | null
  createdAt: string
}

/** A saved endpoint is exactly the settings the client calls it with. */
export type EndpointRecord = EndpointSettings

export interface VariantRecord {
  id: number
  runId: number | null
  sampleId: number
  query: string
  templateName: string
  templateVersion: number
  endpointName: string
  model: string
  rawOutput: string
  reasoning: string | null
  answer: string | null
  parseError: string | null
  prompts: ObjectPrompt[]
  maskRle: string | null
  segmenter: string | null
  intersection: number | null
  union: number | null
  iou: number | null
  latencyMs: number
  createdAt: string
}

interface TemplateRow {
  name: string
  version: number
  text: string
  query_strip: string
  input_size: number
  description: string | null
  created_at: string
}

const toTemplate = (r: TemplateRow): TemplateRecord => ({
  name: r.name,
  version: r.version,
  text: r.text,
  queryStrip: r.query_strip,
  inputSize: r.input_size,
  description: r.description,
  createdAt: r.created_at,
})

export function ensureDefaultTemplates(db: Db): void {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO reason_templates (name, version, text, query_strip, input_size, description)
     VALUES (?, 1, ?, ?, ?, ?)`,
  )
  db.transaction(() => {
    for (const t of DEFAULT_TEMPLATES) insert.run(t.name, t.text, t.queryStrip, t.inputSize, t.description)
  })()
}

/** Every version of every template, newest version first within a name. */
export function listTemplates(db: Db): TemplateRecord[] {
  ensureDefaultTemplates(db)
  const rows = db.prepare('SELECT * FROM reason_templates ORDER BY name, version DESC').all() as TemplateRow[]
  return rows.map(toTemplate)
}

/** A template version, or its latest version when `version` is omitted. */
export function getTemplate(db: Db, name: string, version?: number | null): TemplateRecord {
  ensureDefaultTemplates(db)
  const row = (
    version == null
      ? db.prepare('SELECT * FROM reason_templates WHERE name = ? ORDER BY version DESC LIMIT 1').get(name)
      : db.prepare('SELECT * FROM reason_templates WHERE name = ? AND version = ?').get(name, version)
  ) as TemplateRow | undefined
  if (!row) {
    const names = [...new Set(listTemplates(db).map((t) => t.name))]
    throw new Error(
      `no template '${name}'${version == null ? '' : ` version ${version}`} (the project has: ${names.join(', ')})`,
    )
  }
  return toTemplate(row)
}

/**
 * Saves an edit as the next version of `name` (version 1 for a new name). Saving the same text and settings
 * as the latest version returns that version instead of a duplicate.
 */
export function saveTemplate(
  db: Db,
  t: { name: string; text: string; queryStrip?: string; inputSize?: number; description?: string | null },
): TemplateRecord {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(t.name)) {
    throw new Error(`template name '${t.name}' must be 1-64 letters, digits, '.', '_' or '-'`)
  }
  if (!t.text.includes(QUESTION_PLACEHOLDER)) {
    throw new Error(`template '${t.name}' must contain ${QUESTION_PLACEHOLDER}, where the query goes`)
  }
  ensureDefaultTemplates(db)
  return db.transaction(() => {
    const latest = db
      .prepare('SELECT * FROM reason_templates WHERE name = ? ORDER BY version DESC LIMIT 1')
      .get(t.name) as TemplateRow | undefined
    const queryStrip = t.queryStrip ?? latest?.query_strip ?? '."?!'
    const inputSize = t.inputSize ?? latest?.input_size ?? 840
    if (
      latest &&
      latest.text === t.text &&
      latest.query_strip === queryStrip &&
      latest.input_size === inputSize
    ) {
      return toTemplate(latest)
    }
    const version = (latest?.version ?? 0) + 1
    db.prepare(
      `INSERT INTO reason_templates (name, version, text, query_strip, input_size, description) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(t.name, version, t.text, queryStrip, inputSize, t.description ?? latest?.description ?? null)
    return getTemplate(db, t.name, version)
  })()
}

interface EndpointRow {
  name: string
  base_url: string
  model: string
  temperature: number
  max_tokens: number
  timeout_ms: number
}

const toEndpoint = (r: EndpointRow): EndpointRecord => ({
  name: r.name,
  baseUrl: r.base_url,
  model: r.model,
  temperature: r.temperature,
  maxTokens: r.max_tokens,
  timeoutMs: r.timeout_ms,
})

export function listEndpoints(db: Db): EndpointRecord[] {
  return (db.prepare('SELECT * FROM reason_endpoints ORDER BY name').all() as EndpointRow[]).map(toEndpoint)
}

export function getEndpoint(db: Db, name: string): EndpointRecord {
  const row = db.prepare('SELECT * FROM reason_endpoints WHERE name = ?').get(name) as EndpointRow | undefined
  if (!row) {
    const names = listEndpoints(db).map((e) => e.name)
    throw new Error(
      `no endpoint '${name}' (the project has: ${names.join(', ') || 'none; add one with saveEndpoint or --base-url/--model'})`,
    )
  }
  return toEndpoint(row)
}

export function validateEndpoint(e: EndpointRecord): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(e.name)) {
    throw new Error(`endpoint name '${e.name}' must be 1-64 letters, digits, '.', '_' or '-'`)
  }
  let url: URL
  try {
    url = new URL(e.baseUrl)
  } catch {
    throw new Error(
      `endpoint '${e.name}': base URL '${e.baseUrl}' is not a URL (expected e.g. http://127.0.0.1:8000)`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`endpoint '${e.name}': base URL must be http:// or https://, got '${url.protocol}'`)
  }
  if (url.username || url.password) {
    throw new Error(`endpoint '${e.name}': put credentials in the API key, not in the base URL`)
  }
  if (!e.model.trim()) throw new Error(`endpoint '${e.name}': model name is empty`)
  if (!(e.temperature >= 0 && e.temperature <= 2))
    throw new Error(`endpoint '${e.name}': temperature must be 0-2`)
  if (!(Number.isInteger(e.maxTokens) && e.maxTokens > 0))
    throw new Error(`endpoint '${e.name}': max tokens must be > 0`)
  if (!(Number.isInteger(e.timeoutMs) && e.timeoutMs >= 100))
    throw new Error(`endpoint '${e.name}': timeout must be >= 100 ms`)
}

export function saveEndpoint(db: Db, e: EndpointRecord): EndpointRecord {
  validateEndpoint(e)
  db.prepare(
    `INSERT INTO reason_endpoints (name, base_url, model, temperature, max_tokens, timeout_ms)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(name) DO UPDATE SET base_url = excluded.base_url, model = excluded.model,
       temperature = excluded.temperature, max_tokens = excluded.max_tokens, timeout_ms = excluded.timeout_ms,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  ).run(e.name, e.baseUrl, e.model, e.temperature, e.maxTokens, e.timeoutMs)
  return getEndpoint(db, e.name)
}

export function deleteEndpoint(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM reason_endpoints WHERE name = ?').run(name).changes > 0
}

interface VariantRow {
  id: number
  run_id: number | null
  sample_id: number
  query: string
  template_name: string
  template_version: number
  endpoint_name: string
  model: string
  raw_output: string
  reasoning: string | null
  answer: string | null
  parse_error: string | null
  prompts_json: string
  mask_rle: string | null
  segmenter: string | null
  intersection: number | null
  union_px: number | null
  iou: number | null
  latency_ms: number
  created_at: string
}

const toVariant = (r: VariantRow): VariantRecord => ({
  id: r.id,
  runId: r.run_id,
  sampleId: r.sample_id,
  query: r.query,
  templateName: r.template_name,
  templateVersion: r.template_version,
  endpointName: r.endpoint_name,
  model: r.model,
  rawOutput: r.raw_output,
  reasoning: r.reasoning,
  answer: r.answer,
  parseError: r.parse_error,
  prompts: JSON.parse(r.prompts_json) as ObjectPrompt[],
  maskRle: r.mask_rle,
  segmenter: r.segmenter,
  intersection: r.intersection,
  union: r.union_px,
  iou: r.iou,
  latencyMs: r.latency_ms,
  createdAt: r.created_at,
})

export type NewVariant = Omit<VariantRecord, 'id' | 'createdAt'>

export function insertVariant(db: Db, v: NewVariant): VariantRecord {
  const res = db
    .prepare(
      `INSERT INTO reason_variants (run_id, sample_id, query, template_name, template_version, endpoint_name, model,
         raw_output, reasoning, answer, parse_error, prompts_json, mask_rle, segmenter, intersection, union_px, iou,
         latency_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      v.runId,
      v.sampleId,
      v.query,
      v.templateName,
      v.templateVersion,
      v.endpointName,
      v.model,
      v.rawOutput,
      v.reasoning,
      v.answer,
      v.parseError,
      JSON.stringify(v.prompts),
      v.maskRle,
      v.segmenter,
      v.intersection,
      v.union,
      v.iou,
      Math.round(v.latencyMs),
    )
  return getVariant(db, Number(res.lastInsertRowid))
}

export function getVariant(db: Db, id: number): VariantRecord {
  const row = db.prepare('SELECT * FROM reason_variants WHERE id = ?').get(id) as VariantRow | undefined
  if (!row) throw new Error(`no variant ${id}`)
  return toVariant(row)
}

/** A sample's variants, oldest first; with `runId`, only those asked while looking at that run. */
export function listVariants(db: Db, sampleId: number, runId?: number | null): VariantRecord[] {
  const rows = (
    runId == null
      ? db.prepare('SELECT * FROM reason_variants WHERE sample_id = ? ORDER BY id').all(sampleId)
      : db
          .prepare('SELECT * FROM reason_variants WHERE sample_id = ? AND run_id = ? ORDER BY id')
          .all(sampleId, runId)
  ) as VariantRow[]
  return rows.map(toVariant)
}

export function deleteVariant(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM reason_variants WHERE id = ?').run(id).changes > 0
}
