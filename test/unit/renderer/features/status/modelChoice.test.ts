import { expect, it } from 'vitest'
import {
  engineText,
  modelLabel,
  pickerOptions,
} from '../../../../../src/renderer/src/features/status/modelChoice'
import type { ModelInfoDto } from '../../../../../src/shared/contract/segment'

const grabcut: ModelInfoDto = {
  id: 'grabcut',
  label: 'GrabCut baseline (not SAM)',
  family: 'grabcut',
  isBaseline: true,
  provider: 'wasm',
}
const sam: ModelInfoDto = {
  id: 'sam-b',
  label: 'SAM ViT-B',
  family: 'sam',
  isBaseline: false,
  provider: 'cpu',
}

it('never lets a baseline pass for SAM', () => {
  expect(modelLabel(grabcut)).toBe('GrabCut baseline (not SAM)')
  expect(modelLabel({ label: 'Watershed', isBaseline: true })).toBe('Watershed (baseline, not SAM)')
  expect(modelLabel(sam)).toBe('SAM ViT-B')
})

it('names the execution provider in the status text', () => {
  expect(engineText(null)).toBe('no engine')
  expect(engineText({ modelId: 'grabcut', label: grabcut.label, provider: 'wasm', isBaseline: true })).toBe(
    'GrabCut baseline (not SAM) · wasm',
  )
  expect(engineText({ modelId: 'x', label: 'Odd', provider: '', isBaseline: true })).toBe(
    'Odd (baseline, not SAM)',
  )
})

it('lists SAM-family models before baselines, each with its provider', () => {
  expect(pickerOptions([grabcut, sam])).toEqual([
    { id: 'sam-b', text: 'SAM ViT-B · cpu' },
    { id: 'grabcut', text: 'GrabCut baseline (not SAM) · wasm' },
  ])
})
