/**
 * Drop a run file, a parquet shard or a whole dataset folder here. In a browser it is uploaded to the
 * project's staging folder on the backend, and the form continues with the stored path as with a picked one;
 * on the desktop (`localPath`) the backend reads it where it lies, so the form just takes its path.
 */
import { useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { folderFiles, isConflict, type FolderFile } from './droppedFiles'

type Upload = NonNullable<ApiClient['upload']>

/** Tries `name`, `name-2`, … : a folder is uploaded once, into a name not taken yet. */
const FOLDER_ATTEMPTS = 20

async function uploadFolder(
  upload: Upload,
  files: FolderFile[],
  onProgress: (done: number) => void,
): Promise<string> {
  if (files.length === 0) throw new Error('the folder holds no file that can be imported')
  const top = files[0].rel.split('/')[0]
  const inner = (f: FolderFile) => f.rel.split('/').slice(1).join('/')
  let stored: { folder: string | null } | null = null
  let folder = top
  for (let k = 1; !stored && k <= FOLDER_ATTEMPTS; k++) {
    folder = k === 1 ? top : `${top}-${k}`
    try {
      stored = await upload(files[0].file, inner(files[0]), folder)
    } catch (e) {
      if (!isConflict(e)) throw e
    }
  }
  if (!stored?.folder) throw new Error(`${top}: already uploaded ${FOLDER_ATTEMPTS} times; rename the folder`)
  onProgress(1)
  for (let i = 1; i < files.length; i++) {
    await upload(files[i].file, inner(files[i]), folder)
    onProgress(i + 1)
  }
  return stored.folder
}

export function DropZone(
  props: (
    | { upload: Upload; localPath?: undefined }
    | { upload?: undefined; localPath: NonNullable<ApiClient['localPath']> }
  ) & { onUploaded(path: string): void },
) {
  const { upload, localPath, onUploaded } = props
  const [over, setOver] = useState(false)
  const [status, setStatus] = useState<{ kind: 'busy' | 'error'; text: string } | null>(null)

  const run = async (work: () => Promise<string>) => {
    try {
      const stored = await work()
      setStatus(null)
      onUploaded(stored)
    } catch (e) {
      setStatus({ kind: 'error', text: (e as Error).message })
    }
  }
  const sendFile = (file: File) => {
    if (!upload) return
    setStatus({ kind: 'busy', text: `Uploading ${file.name}…` })
    return run(async () => (await upload(file, file.name)).path)
  }
  const sendFolder = (files: Promise<FolderFile[]>) =>
    upload &&
    run(async () => {
      const list = await files
      const progress = (done: number) =>
        setStatus({
          kind: 'busy',
          text: `Uploading ${list[0]?.rel.split('/')[0]}: ${done} / ${list.length} files…`,
        })
      progress(0)
      return uploadFolder(upload, list, progress)
    })
  /** A desktop drop: a file or a folder alike has a path, and nothing is copied. */
  const takePath = (file: File | undefined) =>
    run(async () => {
      const p = file && localPath?.(file)
      if (!p) throw new Error('drop a file or folder from disk (this item has no path)')
      return p
    })

  return (
    <div
      className={`import-drop${over ? ' over' : ''}`}
      data-testid="import-drop"
      onDragOver={(e) => {
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault()
        setOver(false)
        if (localPath) return void takePath(e.dataTransfer.files[0])
        // Entries must be taken while the event lasts; reading a folder's files is asynchronous.
        const entry = e.dataTransfer.items?.[0]?.webkitGetAsEntry?.()
        if (entry?.isDirectory) void sendFolder(folderFiles.fromEntry(entry as FileSystemDirectoryEntry))
        else if (e.dataTransfer.files[0]) void sendFile(e.dataTransfer.files[0])
      }}
    >
      {localPath ? (
        'Or drop a .jsonl, .json or .parquet file or a dataset folder here'
      ) : (
        <>
          Drop a .jsonl, .json or .parquet file or a dataset folder here, or choose{' '}
          <label className="link">
            a file
            <input
              type="file"
              accept=".jsonl,.json,.parquet"
              hidden
              onChange={(e) => e.target.files?.[0] && void sendFile(e.target.files[0])}
              data-testid="import-file-input"
            />
          </label>{' '}
          or{' '}
          <label className="link">
            a folder
            <input
              type="file"
              hidden
              {...{ webkitdirectory: '' }}
              onChange={(e) =>
                e.target.files && void sendFolder(Promise.resolve(folderFiles.fromInput(e.target.files)))
              }
              data-testid="import-folder-input"
            />
          </label>
        </>
      )}
      {status && (
        <div className={status.kind === 'error' ? 'error' : 'muted'} data-testid="import-drop-status">
          {status.text}
        </div>
      )}
    </div>
  )
}
