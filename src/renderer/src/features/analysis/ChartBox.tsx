/**
 * Shows one SVG chart built by src/shared/charts (the same markup the HTML report inlines) and turns a
 * click on a mark into its `data-key` (bars) or `data-sample` (scatter points).
 */
import type { MouseEvent } from 'react'

interface Props {
  svg: string
  testId?: string
  onKey?(key: string, series: number): void
  onSample?(sampleId: number): void
}

export function ChartBox({ svg, testId, onKey, onSample }: Props) {
  const click = (e: MouseEvent<HTMLDivElement>) => {
    const target = e.target as Element
    const point = target.closest('[data-sample]')
    if (point && onSample) {
      onSample(Number(point.getAttribute('data-sample')))
      return
    }
    const mark = target.closest('[data-key]')
    if (mark && onKey)
      onKey(mark.getAttribute('data-key') ?? '', Number(mark.getAttribute('data-series') ?? 0))
  }
  return (
    <div
      className="analysis-chart"
      data-testid={testId}
      onClick={click}
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  )
}
