/**
 * The GT edit panel (right side, in GT mode): tools, combine mode, brush radius, the object list (select,
 * hide, delete, add) and the ignore region, clean-up commands, undo / redo, why the GT was corrected, and
 * the sample's flag.
 */
import { useState } from 'react'
import type { SampleFlagKind } from '../../../../shared/contract/gt'
import type { Tag } from '../../../../shared/contract/tags'
import type { CombineMode } from '../../../../shared/domain/maskOps'
import { IGNORE_COLOR, objectColor, rgbCss } from './objectColors'
import type { GtEditing, GtTargetChoice, GtTool } from './useGtEditing'

const TOOLS: [GtTool, string, string][] = [
  ['segment', 'Segment', 'Box (B + drag) / points → mask from the current model; Enter applies'],
  ['brush', 'Brush', 'Drag to paint; [ / ] change the radius'],
  ['eraser', 'Eraser', 'Drag to erase; [ / ] change the radius'],
  ['polygon', 'Polygon', 'Click vertices; click the first one or press Enter to fill; Esc cancels'],
]
const MODES: CombineMode[] = ['replace', 'add', 'subtract']
const FLAGS: SampleFlagKind[] = ['ambiguous', 'invalid', 'duplicate']

export function GtPanel({ gt, tags }: { gt: GtEditing; tags: Tag[] }) {
  const doc = gt.gt
  const [specks, setSpecks] = useState('20')
  if (!doc)
    return (
      <section className="panel gt-panel" data-testid="gt-panel">
        <h3>Ground truth</h3>
        <div className="muted">{gt.error ?? 'Loading…'}</div>
      </section>
    )
  const speckN = Number(specks)
  const speckOk = specks.trim() !== '' && Number.isInteger(speckN) && speckN >= 0
  const row = (t: GtTargetChoice, label: string, color: string, area: number | null) => (
    <li key={String(t)} className={gt.target === t ? 'on' : ''} data-testid={`gt-object-${t}`}>
      <label>
        <input type="radio" name="gt-target" checked={gt.target === t} onChange={() => gt.setTarget(t)} />
        <span className="swatch" style={{ background: color }} />
        {label}
        {area != null && <span className="muted small"> {area} px</span>}
      </label>
      <button
        className="icon"
        title={gt.hidden.has(t) ? 'Show' : 'Hide (view only)'}
        aria-label={gt.hidden.has(t) ? 'Show' : 'Hide'}
        onClick={() => gt.toggleHidden(t)}
        data-testid={`gt-hide-${t}`}
      >
        {gt.hidden.has(t) ? '◌' : '●'}
      </button>
      {t !== 'ignore' && (
        <button
          className="icon"
          title="Delete this object (undoable)"
          aria-label="Delete object"
          onClick={() => gt.deleteObject(t)}
          data-testid={`gt-delete-${t}`}
        >
          ×
        </button>
      )}
    </li>
  )
  return (
    <section className="panel gt-panel" data-testid="gt-panel">
      <h3>
        Ground truth{' '}
        {doc.revised ? <span className="gt-badge">corrected</span> : <span className="muted">original</span>}
        {gt.pending && <span className="spinner" data-testid="gt-pending" title="saving…" />}
        <button
          className="link"
          onClick={() => gt.setActive(false)}
          title="Leave GT edit mode (e)"
          data-testid="gt-leave"
        >
          Done
        </button>
      </h3>
      <div className="gt-tools" role="radiogroup" aria-label="GT tool">
        {TOOLS.map(([t, label, title]) => (
          <button
            key={t}
            className={gt.tool === t ? 'on' : ''}
            aria-pressed={gt.tool === t}
            title={title}
            onClick={() => gt.setTool(t)}
            data-testid={`gt-tool-${t}`}
          >
            {label}
          </button>
        ))}
      </div>
      {(gt.tool === 'polygon' || gt.tool === 'segment') && (
        <div className="gt-modes" role="radiogroup" aria-label="Combine mode">
          {MODES.map((m) => (
            <label key={m} className="toggle">
              <input type="radio" name="gt-mode" checked={gt.mode === m} onChange={() => gt.setMode(m)} />
              {m}
            </label>
          ))}
          {gt.tool === 'segment' && (
            <button
              onClick={gt.applySegment}
              disabled={gt.segmentPrompts.length === 0}
              data-testid="gt-apply-segment"
            >
              Apply (Enter)
            </button>
          )}
        </div>
      )}
      {(gt.tool === 'brush' || gt.tool === 'eraser') && (
        <div className="gt-radius">
          radius <b data-testid="gt-radius">{gt.radius}</b> px
          <button className="icon" onClick={() => gt.stepRadius(-1)} title="[">
            −
          </button>
          <button className="icon" onClick={() => gt.stepRadius(1)} title="]">
            +
          </button>
        </div>
      )}
      <ul className="gt-objects">
        {doc.objects.map((o, i) => row(o.id, o.label, rgbCss(objectColor(i)), o.area))}
        {doc.objects.length === 0 && (
          <li className="muted small">No target (empty GT): drawing adds an object.</li>
        )}
        {row('ignore', 'ignore region', rgbCss(IGNORE_COLOR), null)}
      </ul>
      <div className="buttons">
        <button onClick={gt.addObject} data-testid="gt-add-object">
          + Object
        </button>
        <button onClick={gt.fillHoles} data-testid="gt-fill-holes">
          Fill holes
        </button>
        <span className="gt-specks">
          <button
            onClick={() => speckOk && gt.removeSpecks(speckN)}
            disabled={!speckOk}
            data-testid="gt-remove-specks"
          >
            Remove specks &lt;
          </button>
          <input
            type="number"
            min={0}
            step={1}
            value={specks}
            onChange={(e) => setSpecks(e.target.value)}
            aria-label="Minimum speck size in pixels"
            data-testid="gt-speck-size"
          />
          px
        </span>
      </div>
      <div className="buttons">
        <button disabled={!doc.canUndo} onClick={gt.undo} data-testid="gt-undo" title="Ctrl/Cmd+Z">
          Undo
        </button>
        <button disabled={!doc.canRedo} onClick={gt.redo} data-testid="gt-redo" title="Shift+Ctrl/Cmd+Z">
          Redo
        </button>
        <button disabled={!doc.revised} onClick={gt.resetToOriginal} data-testid="gt-reset" title="Undoable">
          Back to original
        </button>
      </div>
      {gt.error && (
        <div className="error" data-testid="gt-error">
          {gt.error}
        </div>
      )}
      <RevisionForm key={`rev-${gt.sample?.id}`} gt={gt} tags={tags} />
      <FlagForm key={`flag-${gt.sample?.id}`} gt={gt} />
    </section>
  )
}

function RevisionForm({ gt, tags }: { gt: GtEditing; tags: Tag[] }) {
  const rev = gt.gt?.revision ?? null
  const [reason, setReason] = useState(rev?.reason ?? '')
  const [tagId, setTagId] = useState<number | null>(rev?.tagId ?? null)
  const dirty = reason !== (rev?.reason ?? '') || tagId !== (rev?.tagId ?? null)
  return (
    <div className="gt-revision">
      <div className="small muted" data-testid="gt-revision">
        {rev
          ? `corrected by ${rev.author}, ${new Date(rev.updatedAt).toLocaleString()}`
          : 'not corrected yet'}
      </div>
      <textarea
        rows={2}
        placeholder="Why the GT was corrected"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        data-testid="gt-reason"
      />
      <div className="buttons">
        <select
          value={tagId ?? ''}
          onChange={(e) => setTagId(e.target.value === '' ? null : Number(e.target.value))}
          aria-label="Failure tag the correction came from"
          data-testid="gt-reason-tag"
        >
          <option value="">(no tag)</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <button
          disabled={!dirty}
          onClick={() => gt.setRevisionInfo({ reason: reason.trim() === '' ? null : reason, tagId })}
          data-testid="gt-save-reason"
        >
          Save reason
        </button>
      </div>
    </div>
  )
}

function FlagForm({ gt }: { gt: GtEditing }) {
  const flag = gt.gt?.flag ?? null
  const [kind, setKind] = useState<SampleFlagKind>(flag?.kind ?? 'ambiguous')
  const [reason, setReason] = useState(flag?.reason ?? '')
  return (
    <div className="gt-flag">
      <div className="small" data-testid="gt-flag">
        {flag ? (
          <span className="gt-flagged">
            flagged {flag.kind}
            {flag.reason ? `: ${flag.reason}` : ''}
          </span>
        ) : (
          <span className="muted">not flagged</span>
        )}
      </div>
      <div className="buttons">
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as SampleFlagKind)}
          aria-label="Flag kind"
          data-testid="gt-flag-kind"
        >
          {FLAGS.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <input
          type="text"
          placeholder="reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="gt-flag-reason"
        />
        <button onClick={() => gt.flag(kind, reason)} data-testid="gt-flag-button">
          Flag
        </button>
        {flag && (
          <button onClick={gt.unflag} data-testid="gt-unflag">
            Unflag
          </button>
        )}
      </div>
    </div>
  )
}

/** The banner over the canvas that says GT edit mode is on and what is being edited. */
export function GtBanner({ gt }: { gt: GtEditing }) {
  const doc = gt.gt
  const obj =
    gt.target === 'ignore'
      ? 'the ignore region'
      : (() => {
          const i = doc?.objects.findIndex((o) => o.id === gt.target) ?? -1
          if (!doc || i === -1) return 'a new object'
          return `object “${doc.objects[i].label}” (${i + 1} of ${doc.objects.length})`
        })()
  const tool = gt.tool === 'brush' || gt.tool === 'eraser' ? `${gt.tool} r=${gt.radius}` : gt.tool
  return (
    <div className="gt-banner" data-testid="gt-banner" role="status">
      <b>Editing ground truth</b> · sample #{gt.sample?.id} · {obj} · {tool}
      <span className="muted"> — e leaves, Ctrl/Cmd+Z undoes</span>
    </div>
  )
}
