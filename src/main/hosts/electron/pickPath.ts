/**
 * The desktop host's native file/folder dialog behind the contract's pickPath. The user chooses the path
 * themselves, so it is not confined to the folder browser's root; the renderer only receives the path.
 * `dialog` is passed in (Electron's, or a fake in tests) so this module loads without Electron.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron'
import type { HostServices, PickPathRequest } from '../../api/types'

export function nativePicker(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  window: () => BrowserWindow | null,
): NonNullable<HostServices['pickPath']> {
  return async (req: PickPathRequest) => {
    const options: OpenDialogOptions = {
      title: req.title,
      properties: [req.kind === 'folder' ? 'openDirectory' : 'openFile'],
      // A folder dialog shows no files: filters would only hide nothing.
      filters: req.kind === 'file' && req.filters.length > 0 ? req.filters : undefined,
    }
    const win = window()
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]
  }
}
