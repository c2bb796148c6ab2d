import { describe, expect, it } from 'vitest'
import { barChartCi, cumulativeChart, histogramChart, scatterChart } from '../../../../src/shared/charts/svg'

const attrs = (svg: string, tag: string) =>
  [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  )

describe('barChartCi', () => {
  const bars = [
    { key: 'phrase', label: 'short phrase', value: 0.5, lo: 0.4, hi: 0.6, n: 10 },
    { key: 'a<b', label: 'tag "x" & <y>', value: 1, lo: 0.9, hi: 1, n: 3 },
    { key: 'empty', label: 'empty', value: 0, lo: 0, hi: 0, n: 0 },
  ]
  const svg = barChartCi({ title: 'by kind', bars, height: 260 })

  it('bar heights are proportional to the value on a 0–1 axis', () => {
    const rects = attrs(svg, 'rect').filter((r) => r.class === 'bar')
    expect(rects).toHaveLength(3)
    // Plot area: 260 - 24 (top) - 48 (bottom) = 188 px for IoU 0..1.
    expect(Number(rects[0].height)).toBeCloseTo(94, 1)
    expect(Number(rects[1].height)).toBeCloseTo(188, 1)
    expect(Number(rects[2].height)).toBe(0)
  })

  it('draws a whisker from lo to hi for non-empty groups only', () => {
    const w = attrs(svg, 'line').filter((l) => l.class === 'whisker')
    expect(w).toHaveLength(2)
    expect(Number(w[0].y1) - Number(w[0].y2)).toBeCloseTo(0.2 * 188, 1)
  })

  it('escapes labels and keys and tags marks with data-key', () => {
    expect(svg).not.toContain('<y>')
    expect(svg).toContain('data-key="a&lt;b"')
    expect(svg).toContain('tag &quot;x&quot; &amp; &lt;y&gt;')
  })

  it('draws the comparison series beside the first', () => {
    const two = barChartCi({ title: 't', bars, compare: bars, seriesNames: ['A', 'B'] })
    expect(attrs(two, 'rect').filter((r) => r.class === 'bar')).toHaveLength(6)
  })
})

describe('histogramChart', () => {
  it('one bar per bin with the tallest at the top of the plot', () => {
    const bins = Array.from({ length: 10 }, (_, i) => ({
      lo: i / 10,
      hi: (i + 1) / 10,
      count: i === 9 ? 8 : i,
    }))
    const svg = histogramChart({ title: 'h', bins, height: 240 })
    const rects = attrs(svg, 'rect')
    expect(rects.map((r) => r['data-key'])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(Number(rects[9].y)).toBeCloseTo(16, 1)
    expect(Number(rects[0].height)).toBe(0)
    expect(Number(rects[4].height) / Number(rects[9].height)).toBeCloseTo(4 / 8, 2)
  })
})

describe('cumulativeChart and scatterChart', () => {
  it('one path per series, starting at the top-left', () => {
    const pts = [
      { t: 0, atLeast: 1 },
      { t: 1, atLeast: 0 },
    ]
    const svg = cumulativeChart({
      title: 'c',
      series: [
        { name: 'A', points: pts },
        { name: 'B', points: pts },
      ],
      width: 420,
      height: 240,
    })
    const paths = attrs(svg, 'path')
    expect(paths).toHaveLength(2)
    expect(paths[0].d).toBe('M48,22L408,204')
  })
  it('one circle per point with its sample id, above the diagonal when B is better', () => {
    const svg = scatterChart({
      title: 's',
      points: [
        { id: 7, x: 0.2, y: 0.8 },
        { id: 9, x: 0.5, y: 0.1 },
      ],
      xLabel: 'A',
      yLabel: 'B',
    })
    const c = attrs(svg, 'circle')
    expect(c.map((p) => p['data-sample'])).toEqual(['7', '9'])
    expect(c[0].fill).not.toBe(c[1].fill)
  })
})
