import { expect, it } from 'vitest'
import { exportRequest, initialForm } from '../../../../../src/renderer/src/features/exportDataset/exportForm'
import { contract } from '../../../../../src/shared/contract'

it('starts on the first dataset, hf-parquet, original GT, nothing forced', () => {
  expect(initialForm(['a', 'b'])).toEqual({
    dataset: 'a',
    format: 'hf-parquet',
    gt: 'original',
    excludeFlagged: false,
    out: '',
    force: false,
  })
})

it('asks for a dataset and an output folder before sending', () => {
  expect(exportRequest(initialForm([]))).toEqual({ ok: false, error: 'Choose a dataset.' })
  expect(exportRequest({ ...initialForm(['a']), out: '   ' })).toMatchObject({
    ok: false,
    error: /output folder/,
  })
})

it('sends a request the contract accepts, path trimmed', () => {
  const r = exportRequest({
    ...initialForm(['rs']),
    format: 'lisa',
    gt: 'corrected',
    out: ' /tmp/x ',
    force: true,
  })
  expect(r).toEqual({
    ok: true,
    input: {
      dataset: 'rs',
      format: 'lisa',
      gt: 'corrected',
      excludeFlagged: false,
      out: '/tmp/x',
      force: true,
    },
  })
  if (r.ok) expect(contract.exportDataset.input.parse(r.input)).toEqual(r.input)
})
