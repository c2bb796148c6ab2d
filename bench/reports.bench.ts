/**
 * Report export at scale: a 100k-sample project (two runs, rectangle masks; test/fixtures/browseProject)
 * exported as CSV, JSON and HTML (with comparison) through the streaming writers, against an in-memory
 * baseline that builds the whole JSON document as one string — the memory the streaming design avoids.
 * Also times the analysis alone (breakdowns + 1000-resample bootstrap) and the paired comparison.
 * Prints wall time, peak RSS growth and ratios. Run: npx tsx bench/reports.bench.ts [samples]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { compareRuns } from '../src/main/analysis/compare'
import { analyzeRun } from '../src/main/analysis/summary'
import { exportReport } from '../src/main/reports/export'
import { exportColumns, exportRows } from '../src/main/reports/rows'
import { createBrowseProject } from '../test/fixtures/browseProject'

const N = Number(process.argv[2] ?? 100_000)

async function measure<T>(
  label: string,
  fn: () => Promise<T> | T,
): Promise<{ ms: number; peakMb: number; value: T }> {
  global.gc?.()
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  const t = performance.now()
  const value = await fn()
  const ms = performance.now() - t
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  const peakMb = (peak - base) / 2 ** 20
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms   peak RSS +${peakMb.toFixed(0)} MB`)
  return { ms, peakMb, value }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-bench-reports-'))
  try {
    const t = performance.now()
    const fx = await createBrowseProject(path.join(dir, 'p'), { samples: N })
    console.log(`project with ${N} samples, 2 runs: ${(performance.now() - t).toFixed(0)} ms`)
    const db = fx.project.db
    await measure('analysis (4 breakdowns, bootstrap 1000)', () => analyzeRun(db, fx.runA))
    await measure('comparison (paired bootstrap 1000)', () => compareRuns(db, fx.runA, fx.runB))

    const baseline = await measure('baseline: whole JSON built in memory', () => {
      const cols = exportColumns(true)
      const rows: Record<string, unknown>[] = []
      for (const page of exportRows(db, fx.runA, fx.runB, 100_000_000)) {
        for (const r of page) rows.push(Object.fromEntries(cols.map((c) => [c, r[c] ?? null])))
      }
      const text = JSON.stringify({ samples: rows })
      fs.writeFileSync(path.join(dir, 'baseline.json'), text)
      return text.length
    })
    const json = await measure('streamed JSON (+compare)', () =>
      exportReport(fx.project, {
        run: fx.runA,
        compare: fx.runB,
        format: 'json',
        out: path.join(dir, 'r.json'),
      }),
    )
    const csv = await measure('streamed CSV (+compare)', () =>
      exportReport(fx.project, {
        run: fx.runA,
        compare: fx.runB,
        format: 'csv',
        out: path.join(dir, 'r.csv'),
      }),
    )
    const html = await measure('HTML report (+compare, 12 worst, tags)', () =>
      exportReport(fx.project, {
        run: fx.runA,
        compare: fx.runB,
        format: 'html',
        out: path.join(dir, 'r.html'),
      }),
    )
    console.log(
      `sizes: JSON ${(json.value.bytes / 2 ** 20).toFixed(1)} MB, CSV ${(csv.value.bytes / 2 ** 20).toFixed(1)} MB, ` +
        `HTML ${(html.value.bytes / 2 ** 10).toFixed(0)} KB (baseline JSON ${(baseline.value / 2 ** 20).toFixed(1)} MB)`,
    )
    console.log(
      `streamed JSON vs in-memory baseline: time ×${(json.ms / baseline.ms).toFixed(2)}, peak RSS ×${(json.peakMb / Math.max(1, baseline.peakMb)).toFixed(2)}`,
    )
    fx.project.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

void main()
