/** The desktop host's native dialog behind pickPath, with a fake `dialog`: options passed, choice returned. */
import type { BrowserWindow, Dialog, OpenDialogOptions, OpenDialogReturnValue } from 'electron'
import { describe, expect, it } from 'vitest'
import { nativePicker } from '../../../../../src/main/hosts/electron/pickPath'

function fakeDialog(answer: OpenDialogReturnValue) {
  const calls: { window: unknown; options: OpenDialogOptions }[] = []
  const dialog = {
    showOpenDialog: (a: unknown, b?: OpenDialogOptions) =>
      Promise.resolve(
        (calls.push(b ? { window: a, options: b } : { window: null, options: a as OpenDialogOptions }),
        answer),
      ),
  } as Pick<Dialog, 'showOpenDialog'>
  return { dialog, calls }
}

const WIN = { id: 1 } as unknown as BrowserWindow

describe('nativePicker', () => {
  it('opens a file dialog over the window with the filters and returns the chosen path', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/home/me/run.jsonl', '/x'] })
    const pick = nativePicker(dialog, () => WIN)
    const filters = [{ name: 'Run files', extensions: ['jsonl', 'json'] }]
    expect(await pick({ kind: 'file', title: 'Import run', filters })).toBe('/home/me/run.jsonl')
    expect(calls).toEqual([
      { window: WIN, options: { title: 'Import run', properties: ['openFile'], filters } },
    ])
  })

  it('asks for a folder without filters, and without a parent before the window exists', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/data/reasonseg'] })
    const pick = nativePicker(dialog, () => null)
    expect(await pick({ kind: 'folder', filters: [{ name: 'x', extensions: ['json'] }] })).toBe(
      '/data/reasonseg',
    )
    expect(calls).toEqual([
      { window: null, options: { title: undefined, properties: ['openDirectory'], filters: undefined } },
    ])
  })

  it('returns null when the user cancels', async () => {
    const { dialog } = fakeDialog({ canceled: true, filePaths: [] })
    expect(await nativePicker(dialog, () => WIN)({ kind: 'file', filters: [] })).toBeNull()
  })
})
