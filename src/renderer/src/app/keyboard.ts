/**
 * Whether a key event belongs to a control the user is typing into, so global shortcuts stay out of its
 * way. Checkboxes, radios, sliders and buttons are not text: after clicking an overlay toggle, j/k and
 * the other shortcuts must keep working.
 */
const NON_TEXT_INPUTS = new Set([
  'checkbox',
  'radio',
  'range',
  'button',
  'submit',
  'reset',
  'color',
  'file',
  'image',
])

export function isTypingTarget(target: EventTarget | null): boolean {
  const t = target as HTMLElement | null
  if (!t || typeof t.tagName !== 'string') return false
  if (t.tagName === 'INPUT')
    return !NON_TEXT_INPUTS.has(((t as HTMLInputElement).type || 'text').toLowerCase())
  return t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable === true
}
