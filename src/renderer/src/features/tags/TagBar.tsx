/** Failure tags for the current sample (number keys toggle them) and the taxonomy editor. */
import { useState } from 'react'
import type { Tag } from '../../../../shared/contract/tags'

interface Props {
  tags: Tag[]
  active: number[]
  disabled: boolean
  onToggle(tag: Tag): void
  onSaveTag(t: { id?: number; name: string; color?: string }): Promise<void>
  onDeleteTag(id: number): Promise<void>
}

export function TagBar({ tags, active, disabled, onToggle, onSaveTag, onDeleteTag }: Props) {
  const [editing, setEditing] = useState(false)
  const [name, setName] = useState('')
  const [err, setErr] = useState<string | null>(null)
  const on = new Set(active)
  const run = (p: Promise<void>) => p.then(() => setErr(null)).catch((e: Error) => setErr(e.message))
  return (
    <div className="tagbar" data-testid="tagbar">
      <div className="tag-chips">
        {tags.map((t, i) => (
          <button
            key={t.id}
            className={`tag-chip${on.has(t.id) ? ' on' : ''}`}
            style={{ ['--tag' as string]: t.color }}
            disabled={disabled}
            aria-pressed={on.has(t.id)}
            title={t.description ?? t.name}
            data-testid="tag-chip"
            data-tag-id={t.id}
            onClick={() => onToggle(t)}
          >
            {i < 9 && <kbd>{i + 1}</kbd>}
            {t.name}
          </button>
        ))}
        <button className="link" onClick={() => setEditing((e) => !e)}>
          {editing ? 'done' : 'edit tags'}
        </button>
      </div>
      {editing && (
        <div className="tag-editor">
          {tags.map((t) => (
            <div key={t.id} className="tag-edit-row">
              <input
                type="color"
                value={t.color}
                aria-label={`colour of ${t.name}`}
                onChange={(e) => void run(onSaveTag({ id: t.id, name: t.name, color: e.target.value }))}
              />
              <input
                defaultValue={t.name}
                aria-label="tag name"
                onBlur={(e) =>
                  e.target.value !== t.name && void run(onSaveTag({ id: t.id, name: e.target.value }))
                }
              />
              <button
                className="link danger"
                onClick={() => void run(onDeleteTag(t.id))}
                title="delete tag"
                aria-label={`delete tag ${t.name}`}
              >
                ✕
              </button>
            </div>
          ))}
          <form
            className="tag-edit-row"
            onSubmit={(e) => {
              e.preventDefault()
              if (name.trim()) void run(onSaveTag({ name }).then(() => setName('')))
            }}
          >
            <input value={name} placeholder="new tag…" onChange={(e) => setName(e.target.value)} />
            <button type="submit">add</button>
          </form>
          {err && <div className="error">{err}</div>}
        </div>
      )}
    </div>
  )
}
