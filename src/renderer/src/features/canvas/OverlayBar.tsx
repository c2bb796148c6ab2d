/** The layer toggles and opacity slider under the canvas. */
import type { OverlayLayer, OverlayState } from './useOverlaySettings'

const OVERLAY_LABELS: Record<OverlayLayer, string> = {
  gt: 'GT (g)',
  pred: 'pred (p)',
  live: 'live (o)',
  compare: 'vs (x)',
  diff: 'diff (d)',
  contour: 'contour (c)',
}

export function OverlayBar({ state, onFit }: { state: OverlayState; onFit(): void }) {
  const { overlay, flip, setOpacity } = state
  return (
    <div className="overlay-bar">
      {(['gt', 'pred', 'live', 'compare', 'diff', 'contour'] as const).map((k) => (
        <label key={k} className="toggle" data-testid={`toggle-${k}`}>
          <input type="checkbox" checked={overlay[k]} onChange={() => flip(k)} />
          {OVERLAY_LABELS[k]}
        </label>
      ))}
      <label className="toggle">
        opacity
        <input
          type="range"
          min={0.1}
          max={1}
          step={0.05}
          value={overlay.opacity}
          onChange={(e) => setOpacity(Number(e.target.value))}
        />
      </label>
      <button className="link" onClick={onFit}>
        fit (f)
      </button>
    </div>
  )
}
