/**
 * Model catalogue: `models/manifest.json` (known SAM-family exports: files, tensor names, preprocessing,
 * license, download URLs and checksums) plus models a user registered with `reseg models add`
 * (`<models dir>/user-models.json`, pointing at the user's own files).
 *
 * Models dir: `RESEG_MODELS_DIR`, else `<repo>/models/weights` (git-ignored). Manifest models live in
 * `<models dir>/<id>/<file>`. `RESEG_MODELS_MANIFEST` points at another manifest (tests).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { writeFileAtomic } from '../../files/atomicWrite'
import { FLAVOURS } from './flavours'
import type { PreprocessConfig } from './pipeline'

const triple = z.tuple([z.number(), z.number(), z.number()])
const flavourSchema = z.enum(['sam', 'sam2', 'hf-sam', 'hf-sam2'])
/** Manifest models may also be SAM 3 (three files and a tokenizer; text prompts). */
const familySchema = z.enum(['sam', 'sam2', 'hf-sam', 'hf-sam2', 'sam3'])
export type ModelFamily = z.infer<typeof familySchema>
const sessionFiles = z.object({
  file: z.string().min(1),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
})

export const manifestFileSchema = z.object({
  name: z.string().min(1),
  url: z.string().url().nullable(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  size: z.number().int().positive().optional(),
})

export const manifestModelSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  label: z.string().min(1),
  family: familySchema,
  encoder: sessionFiles,
  decoder: sessionFiles,
  /** SAM 3: the language (text) encoder. */
  language: sessionFiles.optional(),
  /** SAM 3: the CLIP tokenizer's files, shipped with the model. */
  tokenizer: z.object({ file: z.string().min(1), config: z.string().min(1) }).optional(),
  inputSize: z.number().int().positive(),
  resize: z.enum(['longest-side-pad', 'stretch']),
  normalization: z.object({ scale: z.literal('0-255'), mean: triple, std: triple }),
  license: z.string().min(1),
  files: z.array(manifestFileSchema),
  source: z.string().min(1),
  verified: z.string().min(1),
})

export const manifestSchema = z.object({
  version: z.literal(1),
  models: z.array(
    manifestModelSchema.refine((m) => m.family !== 'sam3' || (m.language && m.tokenizer), {
      message: 'a sam3 model needs `language` and `tokenizer`',
    }),
  ),
})

export type ManifestModel = z.infer<typeof manifestModelSchema>
export type ManifestFile = z.infer<typeof manifestFileSchema>

export interface InstalledModel {
  id: string
  label: string
  family: ModelFamily
  encoderPath: string
  decoderPath: string
  /** SAM 3 only. */
  languagePath?: string
  tokenizerPath?: string
  tokenizerConfigPath?: string
  preprocess: PreprocessConfig
  license?: string
  origin: 'manifest' | 'user'
}

export interface CatalogueEntry extends InstalledModel {
  installed: boolean
  /** Files expected but absent (manifest models). */
  missing: string[]
}

const userModelSchema = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  family: flavourSchema,
  encoderPath: z.string().min(1),
  decoderPath: z.string().min(1),
  inputSize: z.number().int().positive(),
  addedAt: z.string(),
})
const userFileSchema = z.object({ version: z.literal(1), models: z.array(userModelSchema) })
export type UserModel = z.infer<typeof userModelSchema>

/** The repository root: the nearest ancestor of this module holding models/manifest.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'models', 'manifest.json'))) return dir
    const up = dirname(dir)
    if (up === dir) return process.cwd()
    dir = up
  }
}

export function manifestPath(): string {
  return process.env.RESEG_MODELS_MANIFEST
    ? resolve(process.env.RESEG_MODELS_MANIFEST)
    : join(repoRoot(), 'models', 'manifest.json')
}

export function modelsDir(): string {
  return process.env.RESEG_MODELS_DIR
    ? resolve(process.env.RESEG_MODELS_DIR)
    : join(repoRoot(), 'models', 'weights')
}

export function loadManifest(path = manifestPath()): ManifestModel[] {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`${path}: cannot read model manifest: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    })
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${path}: invalid manifest at ${issue.path.join('.')}: ${issue.message}`)
  }
  return parsed.data.models
}

function userFile(): string {
  return join(modelsDir(), 'user-models.json')
}

export function loadUserModels(): UserModel[] {
  const path = userFile()
  if (!existsSync(path)) return []
  const parsed = userFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success) throw new Error(`${path}: invalid user model list: ${parsed.error.issues[0].message}`)
  return parsed.data.models
}

/** Adds or replaces a user model (atomic rewrite of user-models.json). */
export async function saveUserModel(model: UserModel): Promise<void> {
  const models = loadUserModels().filter((m) => m.id !== model.id)
  models.push(model)
  const path = userFile()
  await mkdir(dirname(path), { recursive: true })
  writeFileAtomic(path, JSON.stringify({ version: 1, models }, null, 2) + '\n')
}

export function manifestPreprocess(m: ManifestModel): PreprocessConfig {
  return { resize: m.resize, size: m.inputSize, mean: m.normalization.mean, std: m.normalization.std }
}

function userPreprocess(m: UserModel): PreprocessConfig {
  const f = FLAVOURS[m.family]
  return { resize: f.resize, size: m.inputSize, mean: f.mean, std: f.std }
}

/** Every known model, installed or not. */
export function listOnnxModels(): CatalogueEntry[] {
  const dir = modelsDir()
  const entries: CatalogueEntry[] = loadManifest().map((m) => {
    const base = join(dir, m.id)
    const needed = new Set([
      m.encoder.file,
      m.decoder.file,
      ...(m.language ? [m.language.file] : []),
      ...(m.tokenizer ? [m.tokenizer.file, m.tokenizer.config] : []),
      ...m.files.map((f) => f.name),
    ])
    const missing = [...needed].filter((f) => !isFile(join(base, f)))
    return {
      id: m.id,
      label: m.label,
      family: m.family,
      encoderPath: join(base, m.encoder.file),
      decoderPath: join(base, m.decoder.file),
      ...(m.language ? { languagePath: join(base, m.language.file) } : {}),
      ...(m.tokenizer
        ? { tokenizerPath: join(base, m.tokenizer.file), tokenizerConfigPath: join(base, m.tokenizer.config) }
        : {}),
      preprocess: manifestPreprocess(m),
      license: m.license,
      origin: 'manifest',
      installed: missing.length === 0,
      missing,
    }
  })
  for (const u of loadUserModels()) {
    const missing = [u.encoderPath, u.decoderPath].filter((p) => !isFile(p))
    const entry: CatalogueEntry = {
      id: u.id,
      label: u.label,
      family: u.family,
      encoderPath: u.encoderPath,
      decoderPath: u.decoderPath,
      preprocess: userPreprocess(u),
      origin: 'user',
      installed: missing.length === 0,
      missing,
    }
    const i = entries.findIndex((e) => e.id === u.id)
    if (i >= 0) entries[i] = entry
    else entries.push(entry)
  }
  return entries
}

/** Models whose files are all present. */
export async function listInstalledOnnxModels(): Promise<InstalledModel[]> {
  return listOnnxModels()
    .filter((m) => m.installed)
    .map(({ installed: _installed, missing: _missing, ...m }) => m)
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/** Identifies a model's files for the embedding cache (size + mtime of the encoder). */
export function modelFingerprint(model: InstalledModel): string {
  const s = statSync(model.encoderPath)
  return `${s.size}-${Math.round(s.mtimeMs)}`
}
