/**
 * `reseg models add <dir>`: finds a user's exported encoder/decoder pair in a folder, checks it against
 * the expected signature of its flavour (names, dtypes, ranks, read with ONNX Runtime) and registers it
 * in `<models dir>/user-models.json`. Errors name the file and the missing or odd tensor.
 */
import { readdirSync, statSync } from 'node:fs'
import { isSam3Decoder } from '../sam3/signature'
import { basename, join, resolve } from 'node:path'
import * as ort from 'onnxruntime-node'
import {
  assertSignature,
  detectDecoderFlavour,
  detectEncoderFlavour,
  FLAVOURS,
  signatureProblems,
  type Flavour,
  type SessionMeta,
} from './flavours'
import { modelsDir, saveUserModel, type UserModel } from './manifest'

async function readMeta(path: string): Promise<SessionMeta> {
  let s: ort.InferenceSession
  try {
    s = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] })
  } catch (e) {
    throw new Error(`${path}: ONNX Runtime cannot load it: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    })
  }
  const conv = (l: readonly ort.InferenceSession.ValueMetadata[]) =>
    l.map((m) =>
      m.isTensor
        ? { name: m.name, type: m.type, shape: [...m.shape] }
        : { name: m.name, type: 'non-tensor', shape: [] },
    )
  const meta = { inputs: conv(s.inputMetadata), outputs: conv(s.outputMetadata) }
  await s.release()
  return meta
}

function describeMeta(m: SessionMeta): string {
  const f = (l: SessionMeta['inputs']) => l.map((t) => `${t.name}:${t.type}[${t.shape.join(',')}]`).join(' ')
  return `inputs ${f(m.inputs) || 'none'}; outputs ${f(m.outputs) || 'none'}`
}

export interface InspectedModel {
  flavour: Flavour
  encoderPath: string
  decoderPath: string
  inputSize: number
}

/** Finds and validates the pair in `dir` (or the given files). Throws with the file and tensor at fault. */
export async function inspectModelDir(
  dir: string,
  opts: { encoder?: string; decoder?: string } = {},
): Promise<InspectedModel> {
  const root = resolve(dir)
  let files: string[]
  try {
    files = readdirSync(root)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => join(root, f))
      .filter((f) => statSync(f).isFile())
  } catch (e) {
    throw new Error(`${root}: cannot read folder: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    })
  }
  if (opts.encoder) files = [...new Set([...files, resolve(root, opts.encoder)])]
  if (opts.decoder) files = [...new Set([...files, resolve(root, opts.decoder)])]
  if (files.length === 0) throw new Error(`${root}: no .onnx files found`)
  const metas = new Map<string, SessionMeta>()
  for (const f of files) metas.set(f, await readMeta(f))

  const sam3 = files.find((f) => isSam3Decoder(metas.get(f)!))
  if (sam3) {
    // SAM 3 needs its language encoder and tokenizer files too; it installs as the manifest's sam3 entry.
    throw new Error(
      `${basename(sam3)} is a SAM 3 decoder (samexporter export_sam3): copy the three .onnx files (with their .data files) and the CLIP tokenizer.json + tokenizer_config.json into ${join(modelsDir(), 'sam3-text')} instead (models/README.md, "SAM 3")`,
    )
  }
  const decoders = opts.decoder
    ? [resolve(root, opts.decoder)]
    : files.filter((f) => detectDecoderFlavour(metas.get(f)!))
  if (decoders.length === 0) {
    // Report the closest known decoder signature for each file, so the missing tensor is named.
    const lines = files.map((f) => {
      const m = metas.get(f)!
      const best = (Object.keys(FLAVOURS) as Flavour[])
        .map((fl) => ({ fl, problems: signatureProblems(m, FLAVOURS[fl].decoder) }))
        .sort((a, b) => a.problems.length - b.problems.length)[0]
      return `${basename(f)}: not a known decoder (closest: ${best.fl} decoder — ${best.problems.slice(0, 3).join('; ')}); ${describeMeta(m)}`
    })
    throw new Error(`${root}: no SAM-family decoder found.\n${lines.join('\n')}`)
  }
  if (decoders.length > 1) {
    throw new Error(
      `${root}: several decoders (${decoders.map((d) => basename(d)).join(', ')}); choose one with --decoder`,
    )
  }
  const decoderPath = decoders[0]
  const flavour = detectDecoderFlavour(metas.get(decoderPath)!)
  if (!flavour)
    throw new Error(
      `${decoderPath}: not a known SAM-family decoder; ${describeMeta(metas.get(decoderPath)!)}`,
    )
  const encoders = opts.encoder
    ? [resolve(root, opts.encoder)]
    : files.filter((f) => f !== decoderPath && detectEncoderFlavour(metas.get(f)!) === flavour)
  if (encoders.length === 0) {
    throw new Error(
      `${root}: found a ${flavour} decoder (${basename(decoderPath)}) but no matching ${flavour} encoder among ${files.map((f) => basename(f)).join(', ')}`,
    )
  }
  if (encoders.length > 1) {
    throw new Error(
      `${root}: several ${flavour} encoders (${encoders.map((e) => basename(e)).join(', ')}); choose one with --encoder`,
    )
  }
  const encoderPath = encoders[0]
  const encMeta = metas.get(encoderPath)!
  assertSignature(
    flavour,
    { file: encoderPath, meta: encMeta },
    { file: decoderPath, meta: metas.get(decoderPath)! },
  )
  const h = encMeta.inputs[0]?.shape
  const inputSize = h && h.length === 4 && typeof h[2] === 'number' && h[2] > 0 ? h[2] : 1024
  return { flavour, encoderPath, decoderPath, inputSize }
}

/** Validates and registers a user's model; returns the stored entry. */
export async function addUserModel(
  dir: string,
  opts: { id?: string; label?: string; encoder?: string; decoder?: string } = {},
): Promise<UserModel> {
  const found = await inspectModelDir(dir, opts)
  const id =
    opts.id ??
    basename(resolve(dir))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
  const model: UserModel = {
    id,
    label: opts.label ?? `${basename(resolve(dir))} (${FLAVOURS[found.flavour].label})`,
    family: found.flavour,
    encoderPath: found.encoderPath,
    decoderPath: found.decoderPath,
    inputSize: found.inputSize,
    addedAt: new Date().toISOString(),
  }
  await saveUserModel(model)
  return model
}
