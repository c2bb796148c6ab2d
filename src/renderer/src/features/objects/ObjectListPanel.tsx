/**
 * The object list: one row per object of the answer (colour, IoU against the GT piece it matched, score,
 * refinement), with select, hide and delete, and "add object". The union's IoU (the sample's score) is
 * the prompt panel's live IoU; this panel is the per-object view of it.
 */
import { fmtIou, iouClass } from '../browser/SampleList'
import type { PromptEditing } from '../edit/usePromptEditing'
import type { ObjectRow } from './objectList'
import type { ObjectList } from './useObjectList'
import './objects.css'

interface Props {
  objects: ObjectList
  editing: PromptEditing
  editable: boolean
}

const HIDE_TIP =
  'Hide / show this object on the canvas (h). A hidden object still counts in the union (the prediction) ' +
  'until it is deleted.'

export function ObjectListPanel({ objects, editing, editable }: Props) {
  const { rows, active, hidden, hasResults } = objects
  // The engine's report of which objects it decoded belongs to the edit it made only (not after undo).
  const { decoded, edit } = editing
  const report = decoded && decoded.editId === edit?.id ? decoded.decoded : null
  return (
    <section className="panel objects-panel" data-testid="object-list">
      <h3>
        Objects <span className="muted small">{rows.length}</span>
      </h3>
      {rows.length === 0 && <div className="muted small">No objects: add one, then draw a box or click.</div>}
      <ul className="object-rows">
        {rows.map((r) => (
          <ObjectItem
            key={r.id}
            row={r}
            active={active === r.index}
            hidden={hidden.has(r.index)}
            decoded={report?.[r.id]}
            editable={editable}
            objects={objects}
          />
        ))}
      </ul>
      {!hasResults && rows.length > 0 && (
        <div className="muted small" data-testid="objects-union-only">
          The model&apos;s prediction keeps only the union mask: per-object IoUs appear once the sample is
          segmented here (any prompt edit).{' '}
          {editable && (
            <button
              className="link"
              // The model's own prompts, segmented object by object: an edit whose masks and IoUs are per object.
              onClick={() => objects.onCanvasChange(editing.prompts)}
              disabled={editing.pending}
              data-testid="objects-segment"
            >
              Segment each object
            </button>
          )}
        </div>
      )}
      <div className="buttons">
        <button
          onClick={objects.add}
          disabled={!editable}
          title="New object: the next box (B-drag) or click goes into it (n)"
          data-testid="object-add"
        >
          + Object (n)
        </button>
        <label className="toggle" title="Draw each object's mask in its colour, or the union in one colour">
          <input
            type="checkbox"
            checked={objects.byObject}
            onChange={(e) => objects.setByObject(e.target.checked)}
            data-testid="object-colours"
          />
          colour by object
        </label>
      </div>
      <p className="hint">
        Tab / Shift+Tab: next / previous object · h: hide · Del: delete (no point selected)
      </p>
    </section>
  )
}

function ObjectItem(props: {
  row: ObjectRow
  active: boolean
  hidden: boolean
  decoded: boolean | undefined
  editable: boolean
  objects: ObjectList
}) {
  const { row, active, hidden, decoded, editable, objects } = props
  const res = row.result
  const iou = res ? res.iou : null
  return (
    <li
      className={`object-row${active ? ' active' : ''}${hidden ? ' hidden' : ''}`}
      data-testid="object-row"
      data-object-id={row.id}
      data-index={row.index}
      data-active={active}
      data-hidden={hidden}
      data-decoded={decoded === undefined ? '' : String(decoded)}
      onClick={() => objects.select(active ? null : row.index)}
      onMouseEnter={() => objects.setHoverRow(row.index)}
      onMouseLeave={() => objects.setHoverRow(null)}
    >
      <span className="object-swatch" style={{ background: row.color }} />
      <span className="object-name">
        Object {row.index + 1}
        {row.draft && <span className="muted small"> (new: draw a box or click)</span>}
      </span>
      <span
        className={`object-iou ${iouClass(iou)}`}
        data-testid="object-iou"
        title={
          res
            ? res.gtIndex != null
              ? `IoU against GT piece ${res.gtIndex + 1} (matched one-to-one on mask IoU): I ${res.intersection} / U ${res.union}`
              : 'No GT piece left to match: IoU 0'
            : 'No per-object mask for this prediction'
        }
      >
        {iou == null ? '—' : fmtIou(iou)}
      </span>
      <span className="muted small object-gt" data-testid="object-gt">
        {res ? (res.gtIndex != null ? `GT ${res.gtIndex + 1}` : 'no GT') : ''}
      </span>
      <span className="muted small" title="The model's quality estimate for this object">
        {res && res.score > 0 ? res.score.toFixed(2) : ''}
      </span>
      {res?.refined && (
        <span className="object-badge" title="Decoded with its previous mask as SAM's mask_input">
          refined
        </span>
      )}
      {decoded === true && (
        <span className="object-badge" title="Re-decoded by the last edit (the others came from memory)">
          ↻
        </span>
      )}
      <button
        className="link object-eye"
        title={HIDE_TIP}
        data-testid="object-hide"
        onClick={(e) => {
          e.stopPropagation()
          objects.toggleHidden(row.index)
        }}
      >
        <EyeIcon open={!hidden} />
      </button>
      <button
        className="link object-delete"
        title="Delete this object: the union is re-made from the others"
        data-testid="object-delete"
        disabled={!editable}
        onClick={(e) => {
          e.stopPropagation()
          objects.remove(row.index)
        }}
      >
        ✕
      </button>
    </li>
  )
}

/** An eye (shown) or a struck-through eye (hidden), drawn so it needs no emoji font. */
function EyeIcon({ open }: { open: boolean }) {
  return (
    <svg width="16" height="12" viewBox="0 0 16 12" aria-label={open ? 'shown' : 'hidden'} role="img">
      <path
        d="M1 6c2-3.5 4.5-5 7-5s5 1.5 7 5c-2 3.5-4.5 5-7 5S3 9.5 1 6z"
        fill="none"
        stroke="currentColor"
      />
      <circle cx="8" cy="6" r="2.2" fill={open ? 'currentColor' : 'none'} stroke="currentColor" />
      {!open && <line x1="2" y1="11" x2="14" y2="1" stroke="currentColor" strokeWidth="1.5" />}
    </svg>
  )
}
