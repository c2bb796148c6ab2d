/**
 * The labelled fields the app's forms (import, export, authoring) are made of: a label above a select or a
 * text input, and a checkbox beside its text. One place for their markup, so the forms read as their fields.
 */
import type { ReactNode } from 'react'

export function SelectField<T extends string>(props: {
  label: ReactNode
  value: T
  /** [value, text] in display order. */
  options: readonly (readonly [T, string])[]
  onChange(value: T): void
  testId?: string
}) {
  return (
    <label>
      {props.label}
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
        data-testid={props.testId}
      >
        {props.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

export function TextField(props: {
  label: ReactNode
  value: string
  onChange(value: string): void
  placeholder?: string
  testId?: string
}) {
  return (
    <label>
      {props.label}
      <input
        type="text"
        value={props.value}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  )
}

export function CheckField(props: {
  label: ReactNode
  checked: boolean
  onChange(checked: boolean): void
  testId?: string
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        data-testid={props.testId}
      />
      {props.label}
    </label>
  )
}
