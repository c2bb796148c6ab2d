/** The prompt-edit panel: live IoU of the current edit, undo / redo / reset, and saving a run variant. */
import { fmtIou, iouClass } from '../browser/SampleList'
import { OVERLAY_COLORS } from '../canvas/SampleCanvas'
import type { PromptEditing } from './usePromptEditing'

interface Props {
  editing: PromptEditing
  canUndo: boolean
  canRedo: boolean
  runSelected: boolean
  onSaveVariant(): void
  message: string | null
  /** A model's label from its id (edits store the id); the id itself for a model no longer installed. */
  modelLabel(id: string): string
}

export function PromptPanel({
  editing,
  canUndo,
  canRedo,
  runSelected,
  onSaveVariant,
  message,
  modelLabel,
}: Props) {
  const { edit, pending, error, moveEdit } = editing
  return (
    <section className="panel edit-panel">
      <h3>Prompts</h3>
      <div className="live-line">
        <span className="swatch" style={{ background: OVERLAY_COLORS.live }} />
        <span>
          live IoU{' '}
          <b data-testid="live-iou" className={iouClass(edit?.iou ?? null)}>
            {edit ? fmtIou(edit.iou) : '—'}
          </b>
        </span>
        {pending && <span className="spinner" data-testid="segmenting" title="segmenting…" />}
        {edit?.model && <span className="muted">{modelLabel(edit.model)}</span>}
        {edit?.refine != null && (
          <span className="muted small" data-testid="edit-refine" title="How this edit was decoded">
            {edit.refine ? 'refined' : 'not refined'}
          </span>
        )}
      </div>
      <label
        className="toggle"
        title="SAM's iterative refinement: an edited object is decoded with its previous mask logits as mask_input (as SAM's demo does after the first click). Models without a mask input ignore it."
      >
        <input
          type="checkbox"
          checked={editing.refine}
          onChange={(e) => editing.setRefine(e.target.checked)}
          data-testid="refine-toggle"
        />
        refine with the previous mask
      </label>
      {error && (
        <div className="error" data-testid="edit-error">
          {error}
        </div>
      )}
      <div className="buttons">
        <button
          disabled={!canUndo}
          onClick={() => void moveEdit('undo')}
          data-testid="undo"
          title="Ctrl/Cmd+Z"
        >
          Undo
        </button>
        <button
          disabled={!canRedo}
          onClick={() => void moveEdit('redo')}
          data-testid="redo"
          title="Shift+Ctrl/Cmd+Z"
        >
          Redo
        </button>
        <button disabled={!edit} onClick={() => void moveEdit('reset')} title="r" data-testid="reset">
          Model prompts
        </button>
        <button
          onClick={onSaveVariant}
          disabled={!runSelected}
          title="Copy the run with your edits as a new run"
        >
          Save as run variant
        </button>
      </div>
      {message && <div className="muted small">{message}</div>}
      <p className="hint">
        Click: + point · Shift-click: − point · B-drag: new box · Alt-click / Del: delete
      </p>
    </section>
  )
}
