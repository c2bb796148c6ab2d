/**
 * Drop a run file or a parquet shard here (browser only): it is uploaded to the project's staging folder on
 * the backend, and the form continues with the stored path as with a picked one.
 */
import { useState } from 'react'

export function DropZone(props: {
  upload(file: Blob, name: string): Promise<{ path: string; size: number }>
  onUploaded(path: string): void
}) {
  const [over, setOver] = useState(false)
  const [status, setStatus] = useState<{ kind: 'busy' | 'error'; text: string } | null>(null)

  const send = async (files: FileList | null) => {
    const file = files?.[0]
    if (!file) return
    setStatus({ kind: 'busy', text: `Uploading ${file.name}…` })
    try {
      const stored = await props.upload(file, file.name)
      setStatus(null)
      props.onUploaded(stored.path)
    } catch (e) {
      setStatus({ kind: 'error', text: (e as Error).message })
    }
  }

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
        void send(e.dataTransfer.files)
      }}
    >
      Drop a .jsonl, .json or .parquet file here, or{' '}
      <label className="link">
        choose one
        <input
          type="file"
          accept=".jsonl,.json,.parquet"
          hidden
          onChange={(e) => void send(e.target.files)}
        />
      </label>
      {status && (
        <div className={status.kind === 'error' ? 'error' : 'muted'} data-testid="import-drop-status">
          {status.text}
        </div>
      )}
    </div>
  )
}
