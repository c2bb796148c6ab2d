/** The original | corrected GT switch beside the sample's metrics, with the IoU against the corrected GT. */
import { fmtIou, iouClass } from '../browser/SampleList'
import type { GtView } from './useGtView'

export function GtSwitch({ view, hasPrediction }: { view: GtView; hasPrediction: boolean }) {
  return (
    <span className="gt-switch" data-testid="gt-switch" title="Ground truth to show and score against">
      GT
      {(['original', 'corrected'] as const).map((w) => (
        <button
          key={w}
          className={view.which === w ? 'on' : ''}
          aria-pressed={view.which === w}
          onClick={() => view.setWhich(w)}
          data-testid={`gt-switch-${w}`}
        >
          {w}
        </button>
      ))}
      {view.which === 'corrected' && hasPrediction && (
        <span className={`metric ${iouClass(view.correctedIou)}`} data-testid="pred-iou-corrected">
          IoU {view.correctedIou == null ? '…' : fmtIou(view.correctedIou)}
        </span>
      )}
    </span>
  )
}
