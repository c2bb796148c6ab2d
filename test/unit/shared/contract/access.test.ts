import { describe, expect, it } from 'vitest'
import { methodNames } from '../../../../src/shared/contract'
import { methodAccess, roleAllows, roles } from '../../../../src/shared/contract/access'

describe('access classification', () => {
  // A method added on another branch fails here until it is classified in src/shared/contract/access.ts.
  it('EVERY contract method has an access class (read | annotate | admin) in access.ts', () => {
    const unclassified = methodNames.filter(
      (m) => !['read', 'annotate', 'admin'].includes((methodAccess as Record<string, string>)[m]),
    )
    expect(unclassified).toEqual([])
    const stale = Object.keys(methodAccess).filter((m) => !(methodNames as string[]).includes(m))
    expect(stale).toEqual([])
  })

  it('classifies the issue-named actions as the issue says', () => {
    // annotators: tags, notes, prompt edits, re-ask of one sample
    for (const m of ['setSampleTag', 'saveNote', 'segmentSample', 'undoPromptEdit', 'reaskSample'] as const)
      expect(methodAccess[m]).toBe('annotate')
    // admins: imports and jobs
    for (const m of [
      'importDataset',
      'importRun',
      'startSegmentRun',
      'precomputeRun',
      'exportReport',
      'cancelJob',
    ] as const)
      expect(methodAccess[m]).toBe('admin')
    for (const m of ['getSampleDetail', 'listSamples', 'getNote', 'getSampleHistory'] as const)
      expect(methodAccess[m]).toBe('read')
  })

  it('lets each role call exactly its classes', () => {
    const table = roles.map((r) => [
      r,
      roleAllows(r, 'read'),
      roleAllows(r, 'annotate'),
      roleAllows(r, 'admin'),
    ])
    expect(table).toEqual([
      ['viewer', true, false, false],
      ['annotator', true, true, false],
      ['admin', true, true, true],
    ])
  })
})
