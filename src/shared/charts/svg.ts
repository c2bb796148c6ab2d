/**
 * Pure SVG chart builders returning markup strings, shared by the HTML report (inlined as-is, so the file
 * needs no script or network) and the renderer's analysis view (which injects the same markup and reads
 * the `data-key` / `data-sample` attributes on click). Every clickable mark carries one of those attributes.
 */
import { scaleBand, scaleLinear } from 'd3-scale'
import { line } from 'd3-shape'

export const CHART_COLORS = { a: '#3b6fd8', b: '#d8733b', grid: '#e3e6ea', axis: '#555', whisker: '#222' }

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '–')
const r2 = (v: number) => Math.round(v * 100) / 100

interface Frame {
  width: number
  height: number
  margin: { top: number; right: number; bottom: number; left: number }
}

/** A [0, 1] (IoU or share) axis across the frame's plot area: x left to right, y bottom to top. */
const unitX = (f: Frame) =>
  scaleLinear()
    .domain([0, 1])
    .range([f.margin.left, f.width - f.margin.right])
const unitY = (f: Frame) =>
  scaleLinear()
    .domain([0, 1])
    .range([f.height - f.margin.bottom, f.margin.top])
const FIFTHS = [0, 0.2, 0.4, 0.6, 0.8, 1]

function open(kind: string, title: string, f: Frame): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-${kind}" role="img" width="${f.width}" height="${f.height}" ` +
    `viewBox="0 0 ${f.width} ${f.height}" font-family="system-ui, sans-serif" font-size="11">` +
    `<title>${escapeXml(title)}</title>`
  )
}

function yAxis(y: (v: number) => number, ticks: number[], f: Frame, label: string, digits = 1): string {
  const x0 = f.margin.left
  const x1 = f.width - f.margin.right
  let s = ''
  for (const t of ticks) {
    const yy = r2(y(t))
    s += `<line x1="${x0}" x2="${x1}" y1="${yy}" y2="${yy}" stroke="${CHART_COLORS.grid}"/>`
    s += `<text x="${x0 - 4}" y="${yy + 3}" text-anchor="end" fill="${CHART_COLORS.axis}">${fmt(t, digits)}</text>`
  }
  const midY = (f.margin.top + f.height - f.margin.bottom) / 2
  s += `<text transform="translate(12 ${midY}) rotate(-90)" text-anchor="middle" fill="${CHART_COLORS.axis}">${escapeXml(label)}</text>`
  return s
}

export interface CiBar {
  key: string
  label: string
  value: number
  lo: number
  hi: number
  n: number
}

/** Vertical bars with 95% CI whiskers, one per group; optional second series drawn beside the first. */
export function barChartCi(opts: {
  title: string
  bars: CiBar[]
  compare?: CiBar[]
  seriesNames?: [string, string]
  yLabel?: string
  width?: number
  height?: number
}): string {
  const f: Frame = {
    width: opts.width ?? Math.max(320, 90 * opts.bars.length + 80),
    height: opts.height ?? 260,
    margin: { top: 24, right: 12, bottom: 48, left: 48 },
  }
  const x = scaleBand<string>()
    .domain(opts.bars.map((b) => b.key))
    .range([f.margin.left, f.width - f.margin.right])
    .padding(0.25)
  const y = unitY(f)
  const series = opts.compare ? [opts.bars, opts.compare] : [opts.bars]
  const bw = x.bandwidth() / series.length
  let s = open('bars', opts.title, f) + yAxis(y, [0, 0.25, 0.5, 0.75, 1], f, opts.yLabel ?? 'IoU', 2)
  series.forEach((bars, si) => {
    const color = si === 0 ? CHART_COLORS.a : CHART_COLORS.b
    for (const b of bars) {
      const x0 = r2((x(b.key) ?? 0) + si * bw)
      const top = r2(y(b.value))
      const cx = r2(x0 + bw / 2)
      s += `<g class="mark" data-key="${escapeXml(b.key)}" data-series="${si}" style="cursor:pointer">`
      s += `<title>${escapeXml(`${b.label}: ${fmt(b.value)} [${fmt(b.lo)}, ${fmt(b.hi)}], n = ${b.n}`)}</title>`
      s += `<rect class="bar" x="${x0}" y="${top}" width="${r2(bw - 2)}" height="${r2(y(0) - top)}" fill="${color}"/>`
      if (b.n > 0) {
        const ylo = r2(y(b.lo))
        const yhi = r2(y(b.hi))
        s += `<line class="whisker" x1="${cx}" x2="${cx}" y1="${ylo}" y2="${yhi}" stroke="${CHART_COLORS.whisker}"/>`
        s += `<line x1="${cx - 4}" x2="${cx + 4}" y1="${ylo}" y2="${ylo}" stroke="${CHART_COLORS.whisker}"/>`
        s += `<line x1="${cx - 4}" x2="${cx + 4}" y1="${yhi}" y2="${yhi}" stroke="${CHART_COLORS.whisker}"/>`
      }
      s += '</g>'
    }
  })
  for (const b of opts.bars) {
    const cx = r2((x(b.key) ?? 0) + x.bandwidth() / 2)
    const yy = f.height - f.margin.bottom + 14
    s += `<text x="${cx}" y="${yy}" text-anchor="middle">${escapeXml(truncate(b.label, 18))}</text>`
    s += `<text x="${cx}" y="${yy + 13}" text-anchor="middle" fill="${CHART_COLORS.axis}">n = ${b.n}</text>`
  }
  if (opts.compare && opts.seriesNames) s += legend(opts.seriesNames, f)
  return s + '</svg>'
}

function legend(names: string[], f: Frame): string {
  let s = ''
  names.forEach((n, i) => {
    const x = f.margin.left + 4 + i * 150
    s += `<rect x="${x}" y="6" width="10" height="10" fill="${i === 0 ? CHART_COLORS.a : CHART_COLORS.b}"/>`
    s += `<text x="${x + 14}" y="15">${escapeXml(truncate(n, 22))}</text>`
  })
  return s
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}

/** IoU histogram; bar i carries `data-key="i"` (bin index). */
export function histogramChart(opts: {
  title: string
  bins: { lo: number; hi: number; count: number }[]
  width?: number
  height?: number
}): string {
  const f: Frame = {
    width: opts.width ?? 420,
    height: opts.height ?? 240,
    margin: { top: 16, right: 12, bottom: 36, left: 48 },
  }
  const maxCount = Math.max(1, ...opts.bins.map((b) => b.count))
  const x = unitX(f)
  const y = scaleLinear()
    .domain([0, maxCount])
    .nice()
    .range([f.height - f.margin.bottom, f.margin.top])
  const ticks = y.ticks(4).filter((t) => Number.isInteger(t))
  let s = open('histogram', opts.title, f) + yAxis(y, ticks, f, 'samples', 0)
  opts.bins.forEach((b, i) => {
    const x0 = r2(x(b.lo) + 1)
    const top = r2(y(b.count))
    s += `<rect class="bar mark" data-key="${i}" x="${x0}" y="${top}" width="${r2(x(b.hi) - x(b.lo) - 2)}" height="${r2(y(0) - top)}" fill="${CHART_COLORS.a}" style="cursor:pointer">`
    s += `<title>IoU ${fmt(b.lo, 1)}–${fmt(b.hi, 1)}: ${b.count}</title></rect>`
  })
  s += xTicks(x, FIFTHS, f, 'IoU')
  return s + '</svg>'
}

function xTicks(x: (v: number) => number, ticks: number[], f: Frame, label: string): string {
  const yy = f.height - f.margin.bottom
  let s = `<line x1="${f.margin.left}" x2="${f.width - f.margin.right}" y1="${yy}" y2="${yy}" stroke="${CHART_COLORS.axis}"/>`
  for (const t of ticks) s += `<text x="${r2(x(t))}" y="${yy + 14}" text-anchor="middle">${fmt(t, 1)}</text>`
  s += `<text x="${(f.margin.left + f.width - f.margin.right) / 2}" y="${f.height - 4}" text-anchor="middle" fill="${CHART_COLORS.axis}">${escapeXml(label)}</text>`
  return s
}

/** Share of samples with IoU ≥ t, one line per run. */
export function cumulativeChart(opts: {
  title: string
  series: { name: string; points: { t: number; atLeast: number }[] }[]
  width?: number
  height?: number
}): string {
  const f: Frame = {
    width: opts.width ?? 420,
    height: opts.height ?? 240,
    margin: { top: 22, right: 12, bottom: 36, left: 48 },
  }
  const x = unitX(f)
  const y = unitY(f)
  let s = open('cumulative', opts.title, f) + yAxis(y, [0, 0.25, 0.5, 0.75, 1], f, 'share with IoU ≥ t', 2)
  const path = line<{ t: number; atLeast: number }>()
    .x((p) => r2(x(p.t)))
    .y((p) => r2(y(p.atLeast)))
  opts.series.forEach((ser, i) => {
    s += `<path class="curve" d="${path(ser.points) ?? ''}" fill="none" stroke="${i === 0 ? CHART_COLORS.a : CHART_COLORS.b}" stroke-width="2"/>`
  })
  if (opts.series.length > 1)
    s += legend(
      opts.series.map((x) => x.name),
      f,
    )
  s += xTicks(x, FIFTHS, f, 'IoU threshold t')
  return s + '</svg>'
}

/** Per-sample IoU of run A (x) against run B (y); each point carries `data-sample`. */
export function scatterChart(opts: {
  title: string
  points: { id: number; x: number; y: number }[]
  xLabel: string
  yLabel: string
  size?: number
}): string {
  const size = opts.size ?? 320
  const f: Frame = { width: size, height: size, margin: { top: 12, right: 12, bottom: 36, left: 48 } }
  const x = unitX(f)
  const y = unitY(f)
  let s = open('scatter', opts.title, f) + yAxis(y, FIFTHS, f, opts.yLabel, 1)
  s += `<line class="diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="${CHART_COLORS.axis}" stroke-dasharray="4 3"/>`
  for (const p of opts.points) {
    const color = p.y > p.x ? CHART_COLORS.a : p.y < p.x ? CHART_COLORS.b : CHART_COLORS.axis
    s += `<circle class="point mark" data-sample="${p.id}" cx="${r2(x(p.x))}" cy="${r2(y(p.y))}" r="3" fill="${color}" fill-opacity="0.65" style="cursor:pointer"/>`
  }
  s += xTicks(x, FIFTHS, f, opts.xLabel)
  return s + '</svg>'
}
