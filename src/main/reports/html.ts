/**
 * The HTML report: one self-contained file (inline CSS, charts as inline SVG, thumbnails as data URIs,
 * no script, no external reference) that opens offline in any browser and prints to PDF, its sections
 * packed onto pages (each kept whole where it fits).
 * Sections: headline metrics, IoU distribution, one breakdown per dimension, stage attribution, run
 * comparison, worst-k samples, examples per tag, notes. Written section by section to a sink; only the
 * thumbnails of the samples shown are rendered, so size and memory do not grow with the dataset.
 */
import { barChartCi, cumulativeChart, escapeXml, histogramChart, scatterChart } from '../../shared/charts/svg'
import { resultIou, type GroupRow } from '../../shared/domain/breakdowns'
import type { Interval } from '../../shared/domain/bootstrap'
import { seededRng } from '../../shared/domain/random'
import { compareRuns, type RunComparison } from '../analysis/compare'
import { analyzeGtChanges } from '../analysis/gtChanges'
import { loadRunResults, requireRun, scoredResults } from '../analysis/results'
import { ORIGINAL_GT, type GtOptions } from '../metrics/runMetrics'
import { getStageAttribution, STAGE_LABELS } from '../analysis/stages'
import { analyzeLoaded, type RunAnalysis } from '../analysis/summary'
import { listGtChanges } from '../store/groundTruth'
import type { Project } from '../store/project'
import type { Sink } from './sink'
import { suggestSection } from './suggestSection'
import { renderThumbnail } from './thumbnails'
import { rolloutReportSection } from '../rollouts/analysis'

export interface HtmlReportOptions {
  runId: number
  compareRunId?: number | null
  /** GT version and flag exclusion (default: original, every sample); stated in the headline. */
  gt?: GtOptions
  /** Worst samples shown with thumbnails (default 12). */
  worstK?: number
  /** Example thumbnails per failure tag (default 3). */
  examplesPerTag?: number
  /** Points drawn in the comparison scatter (a seeded sample of them beyond this; default 4000). */
  maxScatterPoints?: number
  seed?: number
  iterations?: number
  /**
   * Author filter: the user's name and the samples they touched (sample id → methods). The per-sample
   * sections (worst samples, tag examples, notes) show only those; every metric stays the whole run's.
   */
  author?: { name: string; samples: ReadonlyMap<number, string> }
  signal?: AbortSignal
  onProgress?: (done: number, total: number, phase: string) => void
}

const h = escapeXml
const f4 = (v: number) => v.toFixed(4)
const pct = (v: number) => `${(v * 100).toFixed(1)}%`

const CSS = `
:root{color-scheme:light}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid #e3e6ea;padding-bottom:4px;margin:28px 0 12px}
.sub{color:#5b6475;margin:0 0 12px}table{border-collapse:collapse;margin:8px 0 12px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 10px;text-align:left;vertical-align:top}th{background:#f5f6f8;font-weight:600}
td.num,th.num{text-align:right}.headline{display:flex;gap:16px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid #e3e6ea;border-radius:8px;padding:10px 16px;min-width:150px}.card .v{font-size:24px;font-weight:600}
.card .ci{color:#5b6475;font-size:12px}.charts{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}
svg{max-width:100%;height:auto}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:12px}
figure{margin:0;border:1px solid #e3e6ea;border-radius:6px;padding:6px;break-inside:avoid}figure img{display:block;max-width:100%;height:auto}
figcaption{font-size:12px}.q{font-weight:600}.reason{color:#41495a;font-size:11.5px;white-space:pre-wrap;max-height:9em;overflow:hidden}
.tags{display:flex;flex-wrap:wrap;gap:12px 18px;align-items:flex-start}.taggroup{flex:1 1 240px;max-width:100%}.taggroup h3{margin:4px 0}
.tag{display:inline-block;background:#eef1f6;border-radius:4px;padding:0 5px;margin:1px;font-size:11px}.note{background:#fff8db;padding:2px 4px;font-size:12px}
.legend span{display:inline-block;margin-right:12px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
@page{size:A4;margin:12mm}@media print{body{margin:0;max-width:none}section.page{break-inside:avoid}h2,h3{break-after:avoid}tr,svg,.card{break-inside:avoid}}
`

interface SampleInfo {
  id: number
  image_id: string
  ann_id: string
  query: string
  media_hash: string
  width: number
  height: number
  gt_rle: string
  mask_rle: string | null
  reasoning: string | null
  note: string | null
  tags: string | null
}

export async function writeHtmlReport(project: Project, sink: Sink, opts: HtmlReportOptions): Promise<void> {
  const { db } = project
  const run = requireRun(db, opts.runId)
  const cmpRun = opts.compareRunId != null ? requireRun(db, opts.compareRunId) : null
  const boot = { seed: opts.seed, iterations: opts.iterations }
  const gtOpts = opts.gt ?? ORIGINAL_GT
  const loaded = loadRunResults(db, run.id, gtOpts)
  // A not-segmented sample (prompts but no mask) has no IoU: it is left out of the distribution, the
  // breakdowns and the worst samples, and while any remain the run's gIoU / cIoU are not computed (as
  // `reseg metrics` / runMetrics). Its thumbnail says "not segmented" instead of an IoU of 0.
  const notSegmented = loaded.notSegmented
  const results = scoredResults(loaded)
  const analysis = analyzeLoaded(run, loaded, boot)
  const cmpAnalysis = cmpRun ? analyzeLoaded(cmpRun, loadRunResults(db, cmpRun.id, gtOpts), boot) : null
  const comparison = cmpRun ? compareRuns(db, run.id, cmpRun.id, { ...boot, topK: 10, gt: gtOpts }) : null
  const stages = getStageAttribution(db, run.id)
  const worstK = opts.worstK ?? 12
  const perTag = opts.examplesPerTag ?? 3

  const touched = (list: typeof results) =>
    opts.author ? list.filter((r) => opts.author!.samples.has(r.sampleId)) : list
  const worst = touched(results)
    .map((r) => ({ id: r.sampleId, iou: resultIou(r) }))
    .sort((a, b) => a.iou - b.iou || a.id - b.id)
    .slice(0, worstK)
  const tagExamples = new Map<string, number[]>()
  for (const r of touched(loaded.results)) {
    for (const t of r.tags) {
      const list = tagExamples.get(t) ?? []
      if (list.length < perTag) list.push(r.sampleId)
      tagExamples.set(t, list)
    }
  }
  const totalThumbs = worst.length + [...tagExamples.values()].reduce((s, l) => s + l.length, 0)
  let thumbsDone = 0
  const progress = (phase: string) => opts.onProgress?.(thumbsDone, totalThumbs, phase)
  progress('analysis')

  const info = db.prepare(
    `SELECT s.id, s.image_id, s.ann_id, s.query, s.media_hash, s.width, s.height, p.mask_rle, p.reasoning,
            COALESCE(CASE WHEN @corrected = 1 THEN (SELECT r.mask_rle FROM gt_revisions r
              WHERE r.sample_id = s.id AND r.revised = 1) END, s.gt_rle) AS gt_rle,
            (SELECT text FROM notes n WHERE n.run_id = @run AND n.sample_id = s.id) AS note,
            (SELECT group_concat(t.name, ', ') FROM sample_tags st JOIN tags t ON t.id = st.tag_id
              WHERE st.run_id = @run AND st.sample_id = s.id) AS tags
     FROM samples s LEFT JOIN predictions p ON p.sample_id = s.id AND p.run_id = @run WHERE s.id = @id`,
  )
  const iouById = new Map(results.map((r) => [r.sampleId, resultIou(r)]))
  const figure = async (id: number): Promise<string> => {
    if (opts.signal?.aborted) throw new Error('export cancelled')
    // Thumbnails outline the GT the numbers were computed against.
    const s = info.get({ run: run.id, id, corrected: gtOpts.gt === 'corrected' ? 1 : 0 }) as SampleInfo
    const src = await renderThumbnail(project, s, s.mask_rle)
    thumbsDone++
    progress('thumbnails')
    const iou = notSegmented.has(id) ? 'not segmented' : f4(iouById.get(id) ?? 0)
    const reasoning = s.reasoning ? excerpt(s.reasoning, 280) : ''
    return (
      `<figure data-sample="${id}"><img alt="${h(`${s.image_id}/${s.ann_id}`)}" src="${src}">` +
      `<figcaption><div class="q">${h(s.query)}</div><div>${h(s.image_id)} / ${h(s.ann_id)} · IoU <b>${iou}</b>` +
      `${s.mask_rle == null ? ' · no mask stored' : ''}</div>` +
      (s.tags
        ? `<div>${s.tags
            .split(', ')
            .map((t) => `<span class="tag">${h(t)}</span>`)
            .join('')}</div>`
        : '') +
      (reasoning ? `<div class="reason">${h(reasoning)}</div>` : '') +
      (s.note ? `<div class="note"><b>Note:</b> ${h(s.note)}</div>` : '') +
      '</figcaption></figure>'
    )
  }

  await sink.write(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${h(`ReSeg report — ${run.name}`)}</title><style>${CSS}</style></head><body>`,
  )
  await sink.write(headline(analysis, cmpAnalysis, project.dir, opts.author))
  await sink.write(distribution(analysis, cmpAnalysis))
  for (const b of analysis.breakdowns) {
    const other = cmpAnalysis?.breakdowns.find((x) => x.dimension === b.dimension)
    await sink.write(breakdownSection(b.dimension, b.label, b.rows, other?.rows, run.name, cmpRun?.name))
  }
  await sink.write(stageSection(stages))
  // The label-noise section appears once the dataset has corrected or flagged samples (its analysis
  // re-scores every run twice with a bootstrap: not worth doing for a dataset without any).
  const gtChanges = listGtChanges(db, run.dataset_id)
  if (gtChanges.revised.length > 0 || gtChanges.flagged.length > 0) {
    const noise = analyzeGtChanges(db, run.dataset_id, {
      seed: opts.seed,
      iterations: opts.iterations,
      runIds: cmpRun ? [run.id, cmpRun.id] : [run.id],
    })
    await sink.write(labelNoiseSection(noise))
  }
  await sink.write(suggestSection(db, run.id))
  // GRPO rollouts (issue 12): '' for runs without rollout groups.
  await sink.write(await rolloutReportSection(project, run.id))
  if (comparison)
    await sink.write(comparisonSection(comparison, opts.maxScatterPoints ?? 4000, opts.seed ?? 1))

  await sink.write(
    `<section class="page" id="worst"><h2>Worst ${worst.length} samples</h2>` +
      `<p class="sub legend"><span><i class="sw" style="background:#e62828"></i>prediction</span>` +
      `<span><i class="sw" style="background:#28dc5a"></i>ground-truth outline</span></p><div class="grid">`,
  )
  for (const w of worst) await sink.write(await figure(w.id))
  await sink.write('</div></section>')

  await sink.write('<section class="page" id="tags"><h2>Examples per failure tag</h2>')
  if (tagExamples.size === 0)
    await sink.write(
      `<p class="sub">No sample of this run${opts.author ? ` touched by ${h(opts.author.name)}` : ''} is tagged.</p>`,
    )
  else await sink.write('<div class="tags">')
  for (const [tag, ids] of [...tagExamples.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    await sink.write(`<div class="taggroup" data-tag="${h(tag)}"><h3>${h(tag)}</h3><div class="grid">`)
    for (const id of ids) await sink.write(await figure(id))
    await sink.write('</div></div>')
  }
  await sink.write(`${tagExamples.size ? '</div>' : ''}</section>`)
  await sink.write(notesSection(project, run.id, opts.author?.samples))
  await sink.write(
    `<footer class="sub"><p>Generated by ReSeg Inspector on ${new Date().toISOString()}. ` +
      `Metrics: Seg-Zero convention (IoU = I/U, 0 when U = 0; gIoU = mean IoU; cIoU = ΣI/ΣU); a sample without ` +
      `prediction counts as an empty mask. ${h(analysis.gt.statement)} Intervals: percentile bootstrap, ${analysis.bootstrap.iterations} resamples, ` +
      `seed ${analysis.bootstrap.seed}.</p></footer></body></html>\n`,
  )
  progress('done')
}

/** Label noise: what the GT corrections changed and what they do to the runs' numbers. */
function labelNoiseSection(r: ReturnType<typeof analyzeGtChanges>): string {
  let s = `<section class="page" id="label-noise"><h2>Label noise (GT corrections)</h2>`
  s +=
    `<p class="sub">${r.changed.length} of ${r.samples} samples of dataset ${h(r.dataset)} have a corrected ground truth; ` +
    `${r.flagged.length} flagged. Differences are corrected − original with a paired bootstrap 95% interval ` +
    `(${r.bootstrap.iterations} resamples, seed ${r.bootstrap.seed}).</p>`
  if (r.runs.length > 0) {
    s +=
      '<table><tr><th>run</th><th class="num">gIoU original</th><th class="num">gIoU corrected</th><th>Δ gIoU</th>'
    s += '<th class="num">cIoU original</th><th class="num">cIoU corrected</th><th>Δ cIoU</th></tr>'
    for (const x of r.runs) {
      s +=
        `<tr data-run="${h(x.run)}"><td>${h(x.run)}</td><td class="num">${f4(x.original.gIoU)}</td>` +
        `<td class="num">${f4(x.corrected.gIoU)}</td><td data-metric="gt-gIoU-diff" data-value="${x.gIoUDiff.value}">` +
        `${f4(x.gIoUDiff.value)} ${ci(x.gIoUDiff)}</td><td class="num">${f4(x.original.cIoU)}</td>` +
        `<td class="num">${f4(x.corrected.cIoU)}</td><td data-metric="gt-cIoU-diff" data-value="${x.cIoUDiff.value}">` +
        `${f4(x.cIoUDiff.value)} ${ci(x.cIoUDiff)}</td></tr>`
      if (x.gt.notApplicable > 0) s += `<tr><td colspan="7" class="sub">${h(x.gt.statement)}</td></tr>`
    }
    s += '</table>'
  }
  if (r.changed.length > 0) {
    s +=
      '<table><tr><th>sample</th><th>query</th><th class="num">original px</th><th class="num">corrected px</th>' +
      '<th class="num">added</th><th class="num">removed</th><th>reason</th></tr>'
    for (const c of r.changed) {
      s +=
        `<tr data-sample="${c.sampleId}"><td>${h(c.imageId)} / ${h(c.annId)}</td><td>${h(excerpt(c.query, 80))}</td>` +
        `<td class="num">${c.originalArea}</td><td class="num">${c.correctedArea}</td><td class="num">${c.added}</td>` +
        `<td class="num">${c.removed}</td><td>${h(c.reason ?? '')}</td></tr>`
    }
    s += '</table>'
  }
  if (r.flagged.length > 0) {
    s += '<table><tr><th>flagged sample</th><th>kind</th><th>reason</th></tr>'
    for (const f of r.flagged)
      s += `<tr><td>${h(f.imageId)}</td><td>${h(f.kind)}</td><td>${h(f.reason)}</td></tr>`
    s += '</table>'
  }
  return `${s}</section>`
}

function excerpt(text: string, n: number): string {
  const t = text.trim()
  return t.length > n ? `${t.slice(0, n - 1)}…` : t
}

function ci(i: Interval): string {
  return `95% CI [${f4(i.lo)}, ${f4(i.hi)}]`
}

function headline(
  a: RunAnalysis,
  b: RunAnalysis | null,
  dir: string,
  author?: HtmlReportOptions['author'],
): string {
  const plain = (label: string, metric: string, v: number) =>
    `<div class="card"><div>${label}</div><div class="v" data-metric="${metric}" data-value="${v}">${v}</div></div>`
  const cards = (r: RunAnalysis, prefix: string) => {
    const id = (m: string) => (prefix ? `${prefix}-${m}` : m)
    const total = r.n + r.notSegmented
    const card = (label: string, metric: string, i: Interval) =>
      r.notSegmented > 0
        ? `<div class="card"><div>${label}</div><div class="v" data-metric="${id(metric)}" data-not-segmented="${r.notSegmented}">not segmented</div>` +
          `<div class="ci">${r.notSegmented} of ${total} samples have prompts but no mask: segment the run</div></div>`
        : `<div class="card"><div>${label}</div><div class="v" data-metric="${id(metric)}" data-value="${i.value}">${f4(i.value)}</div><div class="ci">${ci(i)}</div></div>`
    return (
      `<div class="headline">${card('gIoU', 'gIoU', r.gIoU)}${card('cIoU', 'cIoU', r.cIoU)}${plain('samples', id('n'), total)}` +
      `${plain('missing predictions', id('missing'), r.missing)}` +
      `${r.notSegmented > 0 ? plain('not segmented', id('notSegmented'), r.notSegmented) : ''}</div>` +
      (r.notSegmented > 0
        ? `<p class="sub">The distribution, breakdowns and worst samples cover the ${r.n} segmented samples of ${h(r.runName)}.</p>`
        : '')
    )
  }
  let s =
    `<section class="page" id="headline"><h1>Error analysis — ${h(a.runName)}</h1>` +
    `<p class="sub">Project ${h(dir)} · model ${h(a.model ?? 'unknown')}${b ? ` · compared with ${h(b.runName)}` : ''}</p>` +
    `<p class="sub" data-gt="${a.gt.gt}">${h(a.gt.statement)}</p>` +
    (author
      ? `<p class="sub" data-author="${h(author.name)}" data-author-samples="${author.samples.size}"><b>Filtered to samples touched by ` +
        `${h(author.name)} (${author.samples.size} samples)</b>: the worst samples, tag examples and notes show only ` +
        `those; the metrics, charts, breakdowns and comparisons are those of the whole run.</p>`
      : '') +
    cards(a, '')
  if (b) s += `<h2>${h(b.runName)}</h2>${cards(b, 'compare')}`
  return `${s}</section>`
}

function distribution(a: RunAnalysis, b: RunAnalysis | null): string {
  return (
    `<section class="page" id="distribution"><h2>IoU distribution</h2><div class="charts">` +
    histogramChart({ title: `IoU histogram — ${a.runName}`, bins: a.histogram }) +
    cumulativeChart({
      title: 'Share of samples with IoU ≥ t',
      series: [
        { name: a.runName, points: a.cumulative },
        ...(b ? [{ name: b.runName, points: b.cumulative }] : []),
      ],
    }) +
    `</div><table><tr><th>IoU</th>${a.histogram.map((x) => `<th class="num">${x.lo.toFixed(1)}–${x.hi.toFixed(1)}</th>`).join('')}</tr>` +
    `<tr><td>${h(a.runName)}</td>${a.histogram.map((x) => `<td class="num">${x.count}</td>`).join('')}</tr>` +
    (b
      ? `<tr><td>${h(b.runName)}</td>${b.histogram.map((x) => `<td class="num">${x.count}</td>`).join('')}</tr>`
      : '') +
    '</table></section>'
  )
}

function breakdownSection(
  dim: string,
  label: string,
  rows: GroupRow[],
  other: GroupRow[] | undefined,
  nameA: string,
  nameB?: string,
): string {
  const bars = (rs: GroupRow[], metric: 'gIoU' | 'cIoU') =>
    rs.map((r) => ({ key: r.key, label: r.label, n: r.n, ...r[metric] }))
  const aligned = other
    ? rows.map(
        (r) => other.find((o) => o.key === r.key) ?? { ...r, n: 0, missing: 0, gIoU: zero, cIoU: zero },
      )
    : undefined
  const table =
    `<table data-breakdown="${dim}"><tr><th>group</th><th class="num">n</th><th class="num">missing</th><th class="num">gIoU</th><th>95% CI</th><th class="num">cIoU</th><th>95% CI</th></tr>` +
    rows
      .map(
        (r) =>
          `<tr data-key="${h(r.key)}"><td>${h(r.label)}</td><td class="num">${r.n}</td><td class="num">${r.missing}</td>` +
          (r.n === 0
            ? '<td class="num">–</td><td></td><td class="num">–</td><td></td></tr>'
            : `<td class="num" data-value="${r.gIoU.value}">${f4(r.gIoU.value)}</td><td>[${f4(r.gIoU.lo)}, ${f4(r.gIoU.hi)}]</td>` +
              `<td class="num" data-value="${r.cIoU.value}">${f4(r.cIoU.value)}</td><td>[${f4(r.cIoU.lo)}, ${f4(r.cIoU.hi)}]</td></tr>`),
      )
      .join('') +
    '</table>'
  const series = nameB ? ([nameA, nameB] as [string, string]) : undefined
  return (
    `<section class="page" id="breakdown-${dim}"><h2>By ${h(label.charAt(0).toLowerCase() + label.slice(1))}</h2>${table}<div class="charts">` +
    (['gIoU', 'cIoU'] as const)
      .map((metric) =>
        barChartCi({
          title: `${metric} by ${label}`,
          yLabel: metric,
          bars: bars(rows, metric),
          compare: aligned && bars(aligned, metric),
          seriesNames: series,
        }),
      )
      .join('') +
    `</div>${rulesNote(dim)}</section>`
  )
}

const zero: Interval = { value: 0, lo: 0, hi: 0 }

function rulesNote(dim: string): string {
  const notes: Record<string, string> = {
    queryKind:
      "Long sentence vs short phrase: the dataset's is_sentence flag when present, else a query of 8 or more words or ending in '.', '?' or '!' is a sentence.",
    objectSize:
      'GT mask area as a share of the image area: tiny < 1%, small 1–5%, medium 5–20%, large ≥ 20%.',
    imageSize: 'Image area in megapixels (width × height / 10⁶).',
    tag: 'A sample with several tags counts in each of their rows; samples without tags form “(untagged)”.',
  }
  return notes[dim] ? `<p class="sub">${h(notes[dim])}</p>` : ''
}

function stageSection(att: ReturnType<typeof getStageAttribution>): string {
  let s = '<section class="page" id="stages"><h2>Stage attribution</h2>'
  if (!att) {
    return (
      s +
      '<p class="sub">Not computed for this run. Run <code>reseg analyze stages --project DIR --run RUN --model ID</code> ' +
      '(or the Analysis view) to segment every sample from an oracle prompt derived from its ground truth and tell ' +
      'reasoning/localization failures from segmentation failures.</p></section>'
    )
  }
  s +=
    `<p class="sub">Oracle run <b>${h(att.oracleRunName)}</b> (the run's model prompted from the ground truth). Success: run IoU ≥ ${att.thresholds.successIou}; ` +
    `otherwise a reasoning/localization failure when the oracle IoU ≥ ${att.thresholds.oracleIou}, else a segmentation failure.` +
    `${att.unattributed ? ` ${att.unattributed} samples without an oracle result (no prediction in the run) are not attributed.` : ''}</p>` +
    '<table data-stages><tr><th>label</th><th class="num">samples</th><th class="num">share</th><th class="num">mean run IoU</th><th class="num">mean oracle IoU</th><th class="num">mean predicted-box IoU</th></tr>' +
    att.summary
      .map((r) => {
        const color = STAGE_LABELS.find((l) => l.id === r.label)!.color
        return (
          `<tr data-key="${r.label}"><td><i class="sw" style="background:${color}"></i>${h(r.name)}</td><td class="num">${r.n}</td><td class="num">${pct(r.share)}</td>` +
          `<td class="num">${r.n ? f4(r.meanRunIou) : '–'}</td><td class="num">${r.n ? f4(r.meanOracleIou) : '–'}</td><td class="num">${r.meanBoxIou == null ? '–' : f4(r.meanBoxIou)}</td></tr>`
        )
      })
      .join('') +
    '</table>'
  return `${s}</section>`
}

function comparisonSection(c: RunComparison, maxPoints: number, seed: number): string {
  let points = c.points
  if (points.length > maxPoints) {
    const rand = seededRng(seed)
    points = points.filter(() => rand() < maxPoints / c.points.length)
  }
  const list = (title: string, rows: RunComparison['regressions']) =>
    `<h3>${title}</h3><table><tr><th>sample</th><th>query</th><th class="num">IoU ${h(c.runA.name)}</th><th class="num">IoU ${h(c.runB.name)}</th><th class="num">Δ</th></tr>` +
    (rows.length
      ? rows
          .map(
            (r) =>
              `<tr data-sample="${r.sampleId}"><td>${h(r.imageId)} / ${h(r.annId)}</td><td>${h(excerpt(r.query, 90))}</td>` +
              `<td class="num">${f4(r.iouA)}</td><td class="num">${f4(r.iouB)}</td><td class="num">${r.delta > 0 ? '+' : ''}${f4(r.delta)}</td></tr>`,
          )
          .join('')
      : '<tr><td colspan="5">none</td></tr>') +
    '</table>'
  return (
    `<section class="page" id="comparison"><h2>Comparison: ${h(c.runB.name)} vs ${h(c.runA.name)}</h2>` +
    `<table><tr><th></th><th class="num">difference (B − A)</th><th>paired bootstrap 95% CI</th></tr>` +
    `<tr><td>gIoU</td><td class="num" data-metric="gIoU-diff" data-value="${c.gIoUDiff.value}">${f4(c.gIoUDiff.value)}</td><td>[${f4(c.gIoUDiff.lo)}, ${f4(c.gIoUDiff.hi)}]</td></tr>` +
    `<tr><td>cIoU</td><td class="num" data-metric="cIoU-diff" data-value="${c.cIoUDiff.value}">${f4(c.cIoUDiff.value)}</td><td>[${f4(c.cIoUDiff.lo)}, ${f4(c.cIoUDiff.hi)}]</td></tr></table>` +
    `<p class="sub">${c.better} samples better, ${c.worse} worse, ${c.same} unchanged${c.notSegmented > 0 ? ` · <span data-metric="compare-not-segmented" data-value="${c.notSegmented}">${c.notSegmented} left out: not segmented in one of the runs</span>` : ''}${points.length < c.points.length ? ` · scatter shows a random ${points.length} of ${c.points.length}` : ''}.</p>` +
    `<div class="charts">${scatterChart({
      title: 'Per-sample IoU',
      points: points.map(([id, x, y]) => ({ id, x, y })),
      xLabel: `IoU ${c.runA.name}`,
      yLabel: `IoU ${c.runB.name}`,
    })}</div>` +
    list('Largest regressions', c.regressions) +
    list('Largest improvements', c.improvements) +
    '</section>'
  )
}

function notesSection(project: Project, runId: number, only?: ReadonlyMap<number, string>): string {
  const all = project.db
    .prepare(
      `SELECT s.id, s.image_id, s.ann_id, s.query, n.text FROM notes n JOIN samples s ON s.id = n.sample_id
       WHERE n.run_id = ? ORDER BY s.id LIMIT 1000`,
    )
    .all(runId) as { id: number; image_id: string; ann_id: string; query: string; text: string }[]
  const rows = only ? all.filter((r) => only.has(r.id)) : all
  return (
    `<section class="page" id="notes"><h2>Notes</h2>` +
    (rows.length
      ? `<table><tr><th>sample</th><th>query</th><th>note</th></tr>${rows
          .map(
            (r) =>
              `<tr><td>${h(r.image_id)} / ${h(r.ann_id)}</td><td>${h(excerpt(r.query, 90))}</td><td>${h(r.text)}</td></tr>`,
          )
          .join('')}</table>`
      : `<p class="sub">No notes on this run${only ? ' among these samples' : ''}.</p>`) +
    '</section>'
  )
}
