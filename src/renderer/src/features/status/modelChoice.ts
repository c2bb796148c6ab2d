/**
 * How the model picker and the status bar name segmentation models: a classical baseline is always
 * marked as one (never passed off as SAM), and the engine line names the execution provider.
 */
import type { EngineStatusDto, ModelInfoDto } from '../../../../shared/contract/segment'

type Named = Pick<ModelInfoDto, 'label' | 'isBaseline'>

/** The model's label, with "baseline, not SAM" added when a baseline's own label does not already say so. */
export function modelLabel(m: Named): string {
  if (!m.isBaseline || /baseline/i.test(m.label)) return m.label
  return `${m.label} (baseline, not SAM)`
}

/** The status bar's engine text: "label · provider", or a placeholder while no engine answered. */
export function engineText(s: EngineStatusDto | null): string {
  if (!s) return 'no engine'
  return s.provider ? `${modelLabel(s)} · ${s.provider}` : modelLabel(s)
}

/** Picker options with the provider each model runs on; baselines sort after the SAM-family models. */
export function pickerOptions(models: ModelInfoDto[]): { id: string; text: string }[] {
  return [...models]
    .sort((a, b) => Number(a.isBaseline) - Number(b.isBaseline))
    .map((m) => ({ id: m.id, text: `${modelLabel(m)} · ${m.provider}` }))
}
