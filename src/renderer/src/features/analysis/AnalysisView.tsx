/**
 * The analysis view: headline gIoU / cIoU with bootstrap intervals, IoU distribution, breakdowns, stage
 * attribution and run comparison — the same numbers and charts as the HTML report. Every bar, table row
 * and scatter point is linked: clicking it hands the sample ids behind it to `onSelectSamples`, which
 * filters the browser. Report export (HTML, CSV, JSON, COCO, PDF) runs as a background job.
 */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type {
  RunAnalysisDto,
  RunComparisonDto,
  StageAttributionDto,
} from '../../../../shared/contract/analysis'
import type { ApiEvent, Job } from '../../../../shared/contract/events'
import type { GtWhich } from '../../../../shared/contract/gt'
import { barChartCi, cumulativeChart, histogramChart, scatterChart } from '../../../../shared/charts/svg'
import type { Dimension } from '../../../../shared/domain/breakdowns'
import { ReviewSummaryPanel } from '../review/ReviewSummaryPanel'
import { ChartBox } from './ChartBox'
import './analysis.css'

export interface AnalysisViewProps {
  api: ApiClient
  runId: number
  compareRunId: number | null
  onSelectSamples(sampleIds: number[]): void
  /** Ground truth to score against (the inspector's original | corrected switch); default original. */
  gt?: GtWhich
}

const f4 = (v: number) => v.toFixed(4)
const ci = (i: { lo: number; hi: number }) => `[${f4(i.lo)}, ${f4(i.hi)}]`
const FORMATS = ['html', 'csv', 'json', 'coco', 'pdf'] as const

export function AnalysisView({ api, runId, compareRunId, onSelectSamples, gt }: AnalysisViewProps) {
  const [analysis, setAnalysis] = useState<RunAnalysisDto | null>(null)
  const [other, setOther] = useState<RunAnalysisDto | null>(null)
  const [comparison, setComparison] = useState<RunComparisonDto | null>(null)
  const [stages, setStages] = useState<StageAttributionDto | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [jobs, setJobs] = useState<Record<string, Job>>({})

  // Bumped when a stage-attribution job finishes, to fetch its result.
  const [reloads, setReloads] = useState(0)

  useEffect(() => {
    let current = true
    fetchAll(api, runId, compareRunId, gt).then(
      ({ a, b, c, s }) => {
        if (!current) return
        setAnalysis(a)
        setOther(b)
        setComparison(c)
        setStages(s)
        setError(null)
      },
      (e: unknown) => current && setError(e instanceof Error ? e.message : String(e)),
    )
    return () => {
      current = false
    }
  }, [api, runId, compareRunId, gt, reloads])

  useEffect(
    () =>
      api.subscribe((e: ApiEvent) => {
        if (e.type !== 'job') return
        setJobs((j) => (j[e.job.id] ? { ...j, [e.job.id]: e.job } : j))
        if (e.job.status === 'done' && e.job.label.startsWith('Stage attribution')) setReloads((n) => n + 1)
      }),
    [api],
  )

  const track = (jobId: string, label: string) =>
    setJobs((j) => ({
      ...j,
      [jobId]: { id: jobId, label, status: 'running', done: 0, total: null, message: null },
    }))

  const select = async (dimension: Dimension | 'histogram', key: string) => {
    try {
      onSelectSamples((await api.analysisSampleIds({ runId, dimension, key, gt })).sampleIds)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  if (error)
    return (
      <div className="analysis pad error" data-testid="analysis-error">
        {error}
      </div>
    )
  // A previous run's analysis stays in state until the new one arrives; never show it under this run.
  if (!analysis || analysis.runId !== runId)
    return <div className="analysis pad muted">Computing the analysis…</div>

  return (
    <div className="analysis" data-testid="analysis-view">
      <section>
        <h2>{analysis.runName}</h2>
        <div className="muted small" data-testid="analysis-gt">
          {analysis.gt.statement}
        </div>
        <div className="analysis-cards">
          {(['gIoU', 'cIoU'] as const).map((m) =>
            // No gIoU / cIoU for a run with samples still to segment (as `reseg metrics`); the charts below
            // cover its scored samples.
            analysis.notSegmented > 0 ? (
              <Card
                key={m}
                label={m}
                text="not segmented"
                sub={`${f4(analysis[m].value)} over the ${analysis.n} scored samples`}
                metric={m}
              />
            ) : (
              <Card
                key={m}
                label={m}
                value={analysis[m].value}
                sub={`95% CI ${ci(analysis[m])}`}
                metric={m}
              />
            ),
          )}
          <Card
            label="samples"
            text={String(analysis.n + analysis.notSegmented)}
            sub={`${analysis.missing} without prediction${analysis.notSegmented > 0 ? `, ${analysis.notSegmented} not segmented` : ''}`}
            metric="n"
          />
          {other && (
            <Card
              label={`gIoU ${other.runName}`}
              value={other.gIoU.value}
              sub={`95% CI ${ci(other.gIoU)}`}
              metric="compare-gIoU"
            />
          )}
          {other && (
            <Card
              label={`cIoU ${other.runName}`}
              value={other.cIoU.value}
              sub={`95% CI ${ci(other.cIoU)}`}
              metric="compare-cIoU"
            />
          )}
        </div>
        <p className="muted">
          Seg-Zero convention; intervals: percentile bootstrap, {analysis.bootstrap.iterations} resamples,
          seed {analysis.bootstrap.seed}. Click a bar, row or point to show its samples in the browser.
        </p>
      </section>

      <section>
        <h3>IoU distribution</h3>
        <div className="analysis-charts">
          <ChartBox
            testId="chart-histogram"
            svg={histogramChart({ title: 'IoU histogram', bins: analysis.histogram })}
            onKey={(k) => void select('histogram', k)}
          />
          <ChartBox
            svg={cumulativeChart({
              title: 'Share of samples with IoU ≥ t',
              series: [
                { name: analysis.runName, points: analysis.cumulative },
                ...(other ? [{ name: other.runName, points: other.cumulative }] : []),
              ],
            })}
          />
        </div>
      </section>

      {analysis.breakdowns.map((b) => {
        const o = other?.breakdowns.find((x) => x.dimension === b.dimension)
        const bars = (rows: typeof b.rows, m: 'gIoU' | 'cIoU') =>
          rows.map((r) => ({ key: r.key, label: r.label, n: r.n, ...r[m] }))
        const aligned =
          o &&
          b.rows.map(
            (r) => o.rows.find((x) => x.key === r.key) ?? { ...r, n: 0, gIoU: { value: 0, lo: 0, hi: 0 } },
          )
        return (
          <section key={b.dimension}>
            <h3>{b.label}</h3>
            <div className="analysis-charts">
              <ChartBox
                testId={`chart-${b.dimension}`}
                svg={barChartCi({
                  title: `gIoU by ${b.label}`,
                  yLabel: 'gIoU',
                  bars: bars(b.rows, 'gIoU'),
                  compare: aligned && bars(aligned, 'gIoU'),
                  seriesNames: other ? [analysis.runName, other.runName] : undefined,
                })}
                onKey={(k) => void select(b.dimension, k)}
              />
              <table className="analysis-table" data-testid={`table-${b.dimension}`}>
                <thead>
                  <tr>
                    <th>group</th>
                    <th className="num">n</th>
                    <th className="num">gIoU</th>
                    <th>95% CI</th>
                    <th className="num">cIoU</th>
                    <th>95% CI</th>
                  </tr>
                </thead>
                <tbody>
                  {b.rows.map((r) => (
                    <tr key={r.key} className="clickable" onClick={() => void select(b.dimension, r.key)}>
                      <td>{r.label}</td>
                      <td className="num">{r.n}</td>
                      <td className="num">{r.n ? f4(r.gIoU.value) : '–'}</td>
                      <td>{r.n ? ci(r.gIoU) : ''}</td>
                      <td className="num">{r.n ? f4(r.cIoU.value) : '–'}</td>
                      <td>{r.n ? ci(r.cIoU) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )
      })}

      <StagePanel
        gt={gt}
        api={api}
        runId={runId}
        stages={stages}
        onStages={setStages}
        onSelectSamples={onSelectSamples}
        onJob={track}
      />
      <ReviewSummaryPanel api={api} runId={runId} onSelectSamples={onSelectSamples} />

      {comparison && (
        <section data-testid="comparison">
          <h3>
            {comparison.runB.name} vs {comparison.runA.name}
          </h3>
          <p>
            gIoU difference <b>{f4(comparison.gIoUDiff.value)}</b> {ci(comparison.gIoUDiff)}, cIoU difference{' '}
            <b>{f4(comparison.cIoUDiff.value)}</b> {ci(comparison.cIoUDiff)} (paired bootstrap 95% CI) ·{' '}
            {comparison.better} better, {comparison.worse} worse, {comparison.same} unchanged
          </p>
          <div className="analysis-charts">
            <ChartBox
              testId="chart-scatter"
              svg={scatterChart({
                title: 'Per-sample IoU',
                points: comparison.points.slice(0, 5000).map(([id, x, y]) => ({ id, x, y })),
                xLabel: `IoU ${comparison.runA.name}`,
                yLabel: `IoU ${comparison.runB.name}`,
              })}
              onSample={(id) => onSelectSamples([id])}
            />
            {(['regressions', 'improvements'] as const).map((k) => (
              <table key={k} className="analysis-table">
                <caption>
                  Largest {k}{' '}
                  <button onClick={() => onSelectSamples(comparison[k].map((r) => r.sampleId))}>
                    show all
                  </button>
                </caption>
                <thead>
                  <tr>
                    <th>query</th>
                    <th className="num">{comparison.runA.name}</th>
                    <th className="num">{comparison.runB.name}</th>
                  </tr>
                </thead>
                <tbody>
                  {comparison[k].map((r) => (
                    <tr key={r.sampleId} className="clickable" onClick={() => onSelectSamples([r.sampleId])}>
                      <td title={r.query}>{r.query.length > 48 ? `${r.query.slice(0, 47)}…` : r.query}</td>
                      <td className="num">{f4(r.iouA)}</td>
                      <td className="num">{f4(r.iouB)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </div>
        </section>
      )}

      <ExportPanel api={api} runId={runId} compareRunId={compareRunId} onJob={track} gt={gt} />
      {Object.values(jobs).length > 0 && (
        <section className="analysis-jobs">
          {Object.values(jobs).map((j) => (
            <div key={j.id} data-testid="analysis-job">
              {j.label}: {j.status}
              {j.total ? ` ${j.done}/${j.total}` : ''}
              {j.message ? ` — ${j.message}` : ''}
            </div>
          ))}
        </section>
      )}
    </div>
  )
}

async function fetchAll(api: ApiClient, runId: number, compareRunId: number | null, gt: GtWhich | undefined) {
  const [a, b, c, s] = await Promise.all([
    api.analyzeRun({ runId, gt }),
    compareRunId != null ? api.analyzeRun({ runId: compareRunId, gt }) : Promise.resolve(null),
    compareRunId != null ? api.compareRuns({ runA: runId, runB: compareRunId, gt }) : Promise.resolve(null),
    api.getStageAttribution({ runId }),
  ])
  return { a, b, c, s }
}

function Card(props: { label: string; value?: number; text?: string; sub: string; metric: string }) {
  return (
    <div className="analysis-card">
      <div className="muted">{props.label}</div>
      <div className="v" data-metric={props.metric}>
        {props.text ?? f4(props.value ?? 0)}
      </div>
      <div className="muted small">{props.sub}</div>
    </div>
  )
}

function StagePanel(props: {
  api: ApiClient
  runId: number
  gt?: GtWhich
  stages: StageAttributionDto | null
  onStages(s: StageAttributionDto): void
  onSelectSamples(ids: number[]): void
  onJob(id: string, label: string): void
}) {
  const { api, runId, stages } = props
  const [models, setModels] = useState<{ id: string; label: string }[]>([])
  const [modelId, setModelId] = useState('')
  const [prompts, setPrompts] = useState<'gt-box' | 'gt-box+points'>('gt-box')
  const [successIou, setSuccessIou] = useState(stages?.thresholds.successIou ?? 0.5)
  const [oracleIou, setOracleIou] = useState(stages?.thresholds.oracleIou ?? 0.5)
  const [msg, setMsg] = useState<string | null>(null)

  useEffect(() => {
    api.listModels({}).then(
      (m) => {
        setModels(m.models.map((x) => ({ id: x.id, label: x.label })))
        setModelId(m.defaultModelId)
      },
      () => setModels([]),
    )
  }, [api])

  const run = async (f: () => Promise<void>) => {
    setMsg(null)
    try {
      await f()
    } catch (e) {
      setMsg(e instanceof Error ? e.message : String(e))
    }
  }

  return (
    <section data-testid="stages">
      <h3>Stage attribution</h3>
      <p className="muted">
        Segments every sample from an oracle prompt derived from its GT with the same model: a failure whose
        oracle IoU is high is a reasoning/localization failure, one whose oracle IoU is low too is a
        segmentation failure.
      </p>
      <div className="analysis-form">
        <label>
          model{' '}
          <select value={modelId} onChange={(e) => setModelId(e.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          oracle prompt{' '}
          <select value={prompts} onChange={(e) => setPrompts(e.target.value as typeof prompts)}>
            <option value="gt-box">GT box</option>
            <option value="gt-box+points">GT box + interior point</option>
          </select>
        </label>
        <button
          onClick={() =>
            void run(async () => {
              const r = await api.startStageAttribution({
                runId,
                modelId: modelId || undefined,
                prompts,
                successIou,
                oracleIou,
                gt: props.gt,
              })
              props.onJob(r.jobId, `Stage attribution → ${r.outRun}`)
            })
          }
        >
          Run oracle
        </button>
      </div>
      <div className="analysis-form">
        <label>
          success if run IoU ≥{' '}
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={successIou}
            onChange={(e) => setSuccessIou(Number(e.target.value))}
          />
        </label>
        <label>
          localization failure if oracle IoU ≥{' '}
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={oracleIou}
            onChange={(e) => setOracleIou(Number(e.target.value))}
          />
        </label>
        <button
          disabled={!stages}
          onClick={() =>
            void run(async () =>
              props.onStages(await api.attributeStages({ runId, successIou, oracleIou, gt: props.gt })),
            )
          }
        >
          Apply thresholds
        </button>
        <button
          disabled={!stages}
          onClick={() =>
            void run(async () => {
              const r = await api.stageLabelsToTags({ runId })
              setMsg(`Tagged: ${r.tags.map((t) => `${t.count} × ${t.tag}`).join(', ')}`)
            })
          }
        >
          Turn labels into tags
        </button>
      </div>
      {msg && <p className="muted">{msg}</p>}
      {stages ? (
        <table className="analysis-table" data-testid="stage-summary">
          <thead>
            <tr>
              <th>label</th>
              <th className="num">samples</th>
              <th className="num">share</th>
              <th className="num">mean run IoU</th>
              <th className="num">mean oracle IoU</th>
              <th className="num">mean predicted-box IoU</th>
            </tr>
          </thead>
          <tbody>
            {stages.summary.map((r) => (
              <tr
                key={r.label}
                className="clickable"
                onClick={() =>
                  props.onSelectSamples(
                    stages.samples.filter((s) => s.label === r.label).map((s) => s.sampleId),
                  )
                }
              >
                <td>{r.name}</td>
                <td className="num">{r.n}</td>
                <td className="num">{(r.share * 100).toFixed(1)}%</td>
                <td className="num">{r.n ? f4(r.meanRunIou) : '–'}</td>
                <td className="num">{r.n ? f4(r.meanOracleIou) : '–'}</td>
                <td className="num">{r.meanBoxIou == null ? '–' : f4(r.meanBoxIou)}</td>
              </tr>
            ))}
          </tbody>
          <caption className="muted">
            Oracle run: {stages.oracleRunName}
            {stages.unattributed > 0 &&
              ` · ${stages.unattributed} samples without an oracle result are not attributed`}
          </caption>
        </table>
      ) : (
        <p className="muted">Not computed for this run yet.</p>
      )}
    </section>
  )
}

function ExportPanel(props: {
  api: ApiClient
  runId: number
  gt?: GtWhich
  compareRunId: number | null
  onJob(id: string, label: string): void
}) {
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('html')
  const [out, setOut] = useState('')
  const [msg, setMsg] = useState<string | null>(null)
  return (
    <section>
      <h3>Export report</h3>
      <div className="analysis-form">
        <select
          value={format}
          onChange={(e) => setFormat(e.target.value as (typeof FORMATS)[number])}
          data-testid="export-format"
        >
          {FORMATS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
        <input
          placeholder="/path/to/report.html (on the machine running the backend)"
          value={out}
          size={48}
          onChange={(e) => setOut(e.target.value)}
          data-testid="export-path"
        />
        <button
          disabled={!out.trim()}
          data-testid="export-button"
          onClick={async () => {
            setMsg(null)
            try {
              const compare = format === 'coco' ? null : props.compareRunId
              const r = await props.api.exportReport({
                runId: props.runId,
                compareRunId: compare,
                format,
                out: out.trim(),
                gt: props.gt,
              })
              props.onJob(r.jobId, `Export ${format}`)
            } catch (e) {
              setMsg(e instanceof Error ? e.message : String(e))
            }
          }}
        >
          Export
        </button>
      </div>
      {msg && <p className="error">{msg}</p>}
    </section>
  )
}
