/**
 * `reseg models doctor`: what this install can run — ONNX Runtime version, execution providers usable
 * here (and why not), the models dir and which catalogue models are installed. With `probe`, each
 * installed model is loaded once to report the provider actually used.
 */
import * as ort from 'onnxruntime-node'
import { listOnnxModels, manifestPath, modelsDir } from './manifest'
import { availableProviders, type ProviderRequest, type ProviderStatus } from './providers'
import { createOnnxSegmenter } from './segmenter'

export interface DoctorModel {
  id: string
  family: string
  origin: 'manifest' | 'user'
  installed: boolean
  missing: string[]
  /** With probe: provider used, or the load error. */
  probe?: { provider?: string; notes?: string[]; error?: string }
}

export interface DoctorReport {
  onnxruntime: string
  platform: string
  node: string
  providers: ProviderStatus[]
  modelsDir: string
  manifest: string
  models: DoctorModel[]
  hints: string[]
}

export async function doctorReport(
  opts: { probe?: boolean; provider?: ProviderRequest } = {},
): Promise<DoctorReport> {
  const providers = availableProviders()
  const models: DoctorModel[] = listOnnxModels().map((m) => ({
    id: m.id,
    family: m.family,
    origin: m.origin,
    installed: m.installed,
    missing: m.missing,
  }))
  if (opts.probe) {
    for (const entry of listOnnxModels()) {
      if (!entry.installed) continue
      const target = models.find((m) => m.id === entry.id)!
      try {
        const notes: string[] = []
        const load = { provider: opts.provider ?? 'auto', onNote: (n: string) => notes.push(n) }
        const seg =
          entry.family === 'sam3'
            ? await (await import('../sam3/segmenter')).createSam3Segmenter(entry, load)
            : await createOnnxSegmenter(entry, load)
        target.probe = { provider: seg.info.provider, notes }
        await seg.dispose()
      } catch (e) {
        target.probe = { error: e instanceof Error ? e.message : String(e) }
      }
    }
  }
  const hints: string[] = []
  if (!providers.some((p) => p.name !== 'cpu' && p.usable)) {
    hints.push(
      'Only the CPU provider is usable. NVIDIA GPU on Linux/Windows: `npm install --onnxruntime-node-install=cuda12` (CUDA 12 + cuDNN 9).',
    )
  }
  if (!models.some((m) => m.installed)) {
    hints.push(
      'No SAM-family model installed: `npm run models:fetch -- <id>` or `reseg models add <dir>` (see models/README.md). The GrabCut baseline stays the default.',
    )
  }
  return {
    onnxruntime: ort.env.versions.common,
    platform: `${process.platform}/${process.arch}`,
    node: process.versions.node,
    providers,
    modelsDir: modelsDir(),
    manifest: manifestPath(),
    models,
    hints,
  }
}

export function formatDoctorReport(r: DoctorReport): string {
  const lines = [
    `onnxruntime-node ${r.onnxruntime} on ${r.platform}, node ${r.node}`,
    'execution providers:',
    ...r.providers.map((p) => `  ${p.usable ? 'yes' : 'no '} ${p.name.padEnd(7)} ${p.reason}`),
    `models dir: ${r.modelsDir}`,
    `manifest:   ${r.manifest}`,
    'models:',
    ...r.models.map((m) => {
      const state = m.installed ? 'installed' : `missing ${m.missing.join(', ')}`
      const probe = m.probe
        ? m.probe.error
          ? ` — load failed: ${m.probe.error}`
          : ` — loads on ${m.probe.provider}`
        : ''
      return `  ${m.id.padEnd(24)} ${m.family.padEnd(8)} ${m.origin.padEnd(8)} ${state}${probe}`
    }),
    ...r.hints.map((h) => `hint: ${h}`),
  ]
  return lines.join('\n')
}
