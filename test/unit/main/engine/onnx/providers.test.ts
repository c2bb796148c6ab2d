import { describe, expect, it } from 'vitest'
import {
  availableProviders,
  providerCandidates,
  type ProviderStatus,
} from '../../../../../src/main/engine/onnx/providers'

const statuses = (usable: Partial<Record<ProviderStatus['name'], boolean>>): ProviderStatus[] =>
  (['cpu', 'cuda', 'dml', 'coreml'] as const).map((name) => ({
    name,
    usable: usable[name] ?? name === 'cpu',
    reason: `${name} reason`,
  }))

describe('providerCandidates', () => {
  it('auto prefers the platform GPU provider, then cpu', () => {
    expect(providerCandidates('auto', statuses({ cuda: true }), 'linux')).toEqual({
      candidates: ['cuda', 'cpu'],
      notes: [],
    })
    expect(providerCandidates('auto', statuses({ cuda: true, dml: true }), 'win32').candidates).toEqual([
      'cuda',
      'dml',
      'cpu',
    ])
    expect(providerCandidates('auto', statuses({ coreml: true }), 'darwin').candidates).toEqual([
      'coreml',
      'cpu',
    ])
    expect(providerCandidates('auto', statuses({}), 'linux')).toEqual({ candidates: ['cpu'], notes: [] })
  })

  it('an unavailable explicit request falls back to cpu and says why', () => {
    expect(providerCandidates('cuda', statuses({}), 'linux')).toEqual({
      candidates: ['cpu'],
      notes: ['cuda requested but unavailable: cuda reason; using cpu'],
    })
    expect(providerCandidates('cpu', statuses({ cuda: true }), 'linux')).toEqual({
      candidates: ['cpu'],
      notes: [],
    })
  })
})

describe('availableProviders', () => {
  it('always offers cpu and rules out providers of other platforms', () => {
    const s = availableProviders('linux')
    expect(s.find((p) => p.name === 'cpu')?.usable).toBe(true)
    expect(s.find((p) => p.name === 'dml')).toMatchObject({
      usable: false,
      reason: 'dml is not available on linux',
    })
    expect(s.find((p) => p.name === 'coreml')?.usable).toBe(false)
  })
})
