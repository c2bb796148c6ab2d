/** The `?` overlay: every shortcut from the shortcut table, plus mouse gestures on the canvas. */
import { MOUSE_HELP, SHORTCUTS } from './shortcuts'

const pretty = (k: string) =>
  k
    .replace('Mod+', navigator.platform.startsWith('Mac') ? '⌘ ' : 'Ctrl ')
    .replace('Shift+', 'Shift ')
    .replace('ArrowDown', '↓')
    .replace('ArrowUp', '↑')
    .replace('ArrowLeft', '←')
    .replace('ArrowRight', '→')

export function HelpOverlay({ onClose }: { onClose(): void }) {
  return (
    <div
      className="overlay"
      role="dialog"
      aria-label="Keyboard shortcuts"
      onClick={onClose}
      data-testid="help"
    >
      <div className="help" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k) => (
                    <kbd key={k}>{pretty(k)}</kbd>
                  ))}
                </td>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Canvas</h3>
        <table>
          <tbody>
            {MOUSE_HELP.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  )
}
