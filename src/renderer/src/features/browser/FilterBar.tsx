/**
 * Run selection and filters. Text fields are applied after a short pause so typing does not re-query on
 * every key; numeric fields apply on change. An empty field means "no bound".
 */
import { useRef, useState, type Ref } from 'react'
import type { RunSummary } from '../../../../shared/contract/project'
import type { SampleFilter } from '../../../../shared/contract/samples'
import type { Tag } from '../../../../shared/contract/tags'

interface Props {
  runs: RunSummary[]
  runId: number | null
  compareRunId: number | null
  onRun(id: number | null): void
  /** Datasets offered as "no run" choices (listing a dataset's samples by themselves), when given. */
  datasets?: { id: number; name: string; split: string | null }[]
  datasetId?: number | null
  onDataset?(id: number): void
  onCompareRun(id: number | null): void
  filter: SampleFilter
  onFilter(f: SampleFilter): void
  tags: Tag[]
  searchRef?: Ref<HTMLInputElement>
}

const num = (s: string): number | undefined =>
  s.trim() === '' || Number.isNaN(Number(s)) ? undefined : Number(s)

function NumberField(props: {
  label: string
  value: number | undefined
  onChange(v: number | undefined): void
  step?: number
  testid: string
}) {
  const [text, setText] = useState(props.value?.toString() ?? '')
  // What was typed while it still means the applied value (so "0." stays while typing), else the value.
  const shown = num(text) === props.value ? text : (props.value?.toString() ?? '')
  return (
    <label className="field small">
      {props.label}
      <input
        type="number"
        step={props.step ?? 0.05}
        value={shown}
        data-testid={props.testid}
        onChange={(e) => {
          setText(e.target.value)
          props.onChange(num(e.target.value))
        }}
      />
    </label>
  )
}

export function FilterBar({ searchRef, ...p }: Props) {
  const [text, setText] = useState(p.filter.text ?? '')
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const { filter, onFilter } = p
  const set = (patch: Partial<SampleFilter>) => {
    const next: SampleFilter = { ...filter, ...patch }
    for (const k of Object.keys(next) as (keyof SampleFilter)[]) if (next[k] === undefined) delete next[k]
    onFilter(next)
  }
  const flags =
    filter.missing === true
      ? 'missing'
      : filter.parseError === true
        ? 'parse'
        : filter.missing === false
          ? 'present'
          : 'all'
  const active = Object.keys(filter).length > 0
  return (
    <div className="filterbar">
      <label className="field">
        Run
        <select
          value={p.runId ?? (p.datasetId != null ? `d${p.datasetId}` : '')}
          onChange={(e) => {
            const v = e.target.value
            if (v.startsWith('d')) p.onDataset?.(Number(v.slice(1)))
            else p.onRun(num(v) ?? null)
          }}
          data-testid="run-select"
        >
          {p.runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
          {p.datasets && p.datasets.length > 0 && (
            <optgroup label="no run: dataset">
              {p.datasets.map((d) => (
                <option key={d.id} value={`d${d.id}`}>
                  {d.name}
                  {d.split ? ` (${d.split})` : ''}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <label className="field">
        vs
        <select
          value={p.compareRunId ?? ''}
          onChange={(e) => p.onCompareRun(num(e.target.value) ?? null)}
          data-testid="compare-select"
        >
          <option value="">—</option>
          {p.runs
            .filter((r) => r.id !== p.runId)
            .map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
        </select>
      </label>
      <input
        ref={searchRef}
        className="search"
        type="search"
        placeholder="Search query & reasoning  /"
        value={text}
        data-testid="search"
        onChange={(e) => {
          const v = e.target.value
          setText(v)
          if (timer.current) clearTimeout(timer.current)
          timer.current = setTimeout(() => set({ text: v.trim() ? v : undefined }), 250)
        }}
      />
      <NumberField
        label="IoU ≥"
        value={filter.iouMin}
        onChange={(v) => set({ iouMin: v })}
        testid="iou-min"
      />
      <NumberField label="≤" value={filter.iouMax} onChange={(v) => set({ iouMax: v })} testid="iou-max" />
      <label className="field">
        Tag
        <select
          value={filter.untagged ? 'none' : (filter.tagIds?.[0] ?? '')}
          data-testid="tag-filter"
          onChange={(e) =>
            e.target.value === 'none'
              ? set({ untagged: true, tagIds: undefined })
              : set({ untagged: undefined, tagIds: e.target.value ? [Number(e.target.value)] : undefined })
          }
        >
          <option value="">any</option>
          <option value="none">untagged</option>
          {p.tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Show
        <select
          value={flags}
          data-testid="flag-filter"
          onChange={(e) => {
            const v = e.target.value
            set({
              missing: v === 'missing' ? true : v === 'present' ? false : undefined,
              parseError: v === 'parse' ? true : undefined,
            })
          }}
        >
          <option value="all">all</option>
          <option value="present">with prediction</option>
          <option value="missing">missing</option>
          <option value="parse">parse errors</option>
        </select>
      </label>
      <NumberField
        label="W ≥"
        value={filter.minWidth}
        step={1}
        onChange={(v) => set({ minWidth: v })}
        testid="min-width"
      />
      <NumberField
        label="H ≥"
        value={filter.minHeight}
        step={1}
        onChange={(v) => set({ minHeight: v })}
        testid="min-height"
      />
      {p.compareRunId != null && (
        <>
          <NumberField
            label="Δ ≥"
            value={filter.deltaMin}
            onChange={(v) => set({ deltaMin: v })}
            testid="delta-min"
          />
          <NumberField
            label="Δ ≤"
            value={filter.deltaMax}
            onChange={(v) => set({ deltaMax: v })}
            testid="delta-max"
          />
        </>
      )}
      {filter.sampleIds && <span className="chip">selection of {filter.sampleIds.length}</span>}
      {active && (
        <button
          className="link"
          onClick={() => {
            setText('')
            onFilter({})
          }}
        >
          clear
        </button>
      )}
    </div>
  )
}
