/**
 * Lab server load: 20 simulated people (16 annotators, 4 viewers; HTTP + one WebSocket each, on loopback)
 * browse, tag, write notes and edit prompts against one serve host for 60 s (each at most 2000 calls).
 * Prints p50/p95/p99 API latency against the < 100 ms p95 target, errors (target 0) and the write
 * accounting checks. Baseline in the same run: one client alone, for the latency without contention.
 * Run: npx tsx bench/lab.bench.ts [seconds]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { percentile, runLabLoad, startLabFixture } from '../test/fixtures/labLoad'

const SECONDS = Number(process.argv[2] ?? 60)

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-bench-lab-'))
  const fx = await startLabFixture(dir, { samples: 200, clients: 20 })
  try {
    const line = (label: string, xs: number[]) =>
      console.log(
        `${label.padEnd(28)} ${String(xs.length).padStart(6)} calls  p50 ${percentile(xs, 50).toFixed(1)} ms  p95 ${percentile(xs, 95).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms`,
      )
    const solo = await runLabLoad({
      ...fx.options,
      clients: fx.options.clients.slice(0, 1),
      durationMs: Math.min(10, SECONDS) * 1000,
      maxOpsPerClient: 2000,
      seed: 1,
    })
    line('baseline: 1 client', solo.latencies)
    const t = performance.now()
    const r = await runLabLoad({ ...fx.options, durationMs: SECONDS * 1000, maxOpsPerClient: 2000, seed: 2 })
    const wall = (performance.now() - t) / 1000
    line('20 clients', r.latencies)
    for (const [m, xs] of Object.entries(r.byMethod).sort()) line(`  ${m}`, xs)
    const p95 = percentile(r.latencies, 95)
    console.log(
      `${SECONDS} s, ${wall.toFixed(1)} s wall, ${(r.calls / wall).toFixed(0)} calls/s, ${r.writes} writes`,
    )
    console.log(`p95 ${p95.toFixed(1)} ms (target < 100 ms): ${p95 < 100 ? 'MET' : 'MISSED'}`)
    if (r.eventDelays.length) {
      const ev95 = percentile(r.eventDelays, 95)
      console.log(
        `changed event, write sent → received by every client: ${r.eventDelays.length} deliveries, p50 ${percentile(r.eventDelays, 50).toFixed(1)} ms, p95 ${ev95.toFixed(1)} ms, max ${r.eventDelays.reduce((a, b) => Math.max(a, b), 0).toFixed(1)} ms (target: others see a write within 1 s): ${ev95 < 1000 ? 'MET' : 'MISSED'}`,
      )
    } else console.log('changed event delays: not paired (a write failed)')
    console.log(
      `errors ${r.errors.length} (target 0)${r.errors.length ? `: ${r.errors.slice(0, 5).join('; ')}` : ''}`,
    )
    for (const c of [...solo.checks, ...r.checks])
      console.log(`${c.ok ? 'ok    ' : 'FAILED'} ${c.name}: ${c.detail}`)
    if (r.errors.length || r.checks.some((c) => !c.ok)) process.exitCode = 1
  } finally {
    await fx.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

void main()
