import { describe, expect, it } from 'vitest'
import { isTypingTarget } from '../../../../src/renderer/src/app/keyboard'

// Plain objects with the DOM properties the check reads: the unit project runs in Node, without a DOM.
const input = (type: string) =>
  ({ tagName: 'INPUT', type, isContentEditable: false }) as unknown as EventTarget
const el = (tagName: string, isContentEditable = false) =>
  ({ tagName, isContentEditable }) as unknown as EventTarget

describe('isTypingTarget', () => {
  it('treats text fields, text areas, selects and editable content as typing', () => {
    for (const t of ['text', 'search', 'number', 'email', '']) expect(isTypingTarget(input(t))).toBe(true)
    expect(isTypingTarget(el('TEXTAREA'))).toBe(true)
    expect(isTypingTarget(el('SELECT'))).toBe(true)
    expect(isTypingTarget(el('DIV', true))).toBe(true)
  })

  it('lets shortcuts through from checkboxes, sliders, buttons and the page itself', () => {
    for (const t of ['checkbox', 'radio', 'range', 'button']) expect(isTypingTarget(input(t))).toBe(false)
    expect(isTypingTarget(el('BUTTON'))).toBe(false)
    expect(isTypingTarget(el('DIV'))).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})
