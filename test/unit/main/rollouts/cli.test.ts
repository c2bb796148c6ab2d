/** `reseg rollouts`, `reseg import rollouts` and `reseg analyze rollouts` as a user runs them. */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { saveEndpoint } from '../../../../src/main/reason/store'
import { openProject } from '../../../../src/main/store/project'
import { makeReasonProject } from '../../../fixtures/reasonProject'
import { startFakeVlmServer, type FakeServer } from '../reason/fakeVlmServer'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
// Same hand-derived GT as runner.test.ts: [200,200,398,396], point [248,296] in 840 space.
const PERFECT =
  '<think>Found it.</think><answer>[{"bbox_2d": [200, 200, 398, 396], "point_2d": [248, 296]}]</answer>'
const CLOSE = '<think>Near.</think><answer>[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]</answer>'
const NO_TAGS = 'I cannot tell.'

let server: FakeServer
let projectDir: string
let env: NodeJS.ProcessEnv

function reseg(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end()
  })
}

beforeAll(async () => {
  const fx = makeReasonProject([
    { image: 'wide', gt: [100, 50, 200, 100], query: 'q0' },
    { image: 'wide', gt: [100, 50, 200, 100], query: 'q1' },
  ])
  projectDir = fx.project.dir
  // A server that ignores n and answers the three texts in turn.
  let i = 0
  server = await startFakeVlmServer(() => ({ kind: 'completion', text: [PERFECT, CLOSE, NO_TAGS][i++ % 3] }))
  const base = { model: 'vr', temperature: 0, maxTokens: 256, timeoutMs: 2000 }
  saveEndpoint(fx.project.db, { ...base, name: 'live', baseUrl: server.baseUrl })
  // Nothing listens on port 9 of loopback: every request to it fails to connect.
  saveEndpoint(fx.project.db, { ...base, name: 'dead', baseUrl: 'http://127.0.0.1:9' })
  fx.project.close()
  const cred = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-ro-cred-'))
  env = { ...process.env, RESEG_CREDENTIALS_FILE: path.join(cred, 'credentials.json') }
})
afterAll(() => server.close())

describe('reseg rollouts', () => {
  it('samples K answers through a pool with a dead endpoint, then analyzes them', async () => {
    const r = await reseg([
      'rollouts',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--endpoint',
      'dead',
      '--endpoint',
      'live',
      '--k',
      '3',
      '--out-run',
      'ro',
      '--concurrency',
      '1',
      '--pick',
      'best-reward',
    ])
    expect(r.stderr).not.toMatch(/error:/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/2 groups complete now/)
    expect(r.stdout).toMatch(/derived GT prompts for 2 samples/)
    expect(r.stdout).toMatch(/dead: 1 requests, 1 failures/)
    expect(r.stdout).toMatch(/live: \d+ requests, 0 failures, n ignored/)

    const again = await reseg([
      'rollouts',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--endpoint',
      'live',
      '--k',
      '3',
      '--out-run',
      'ro',
      '--pick',
      'best-reward',
    ])
    expect(again.stdout).toMatch(/0 groups complete now, 2 resumed/)

    const a = await reseg(['analyze', 'rollouts', '--project', projectDir, '--run', 'ro', '--json'])
    expect(a.code).toBe(0)
    const out = JSON.parse(a.stdout) as {
      groups: number
      k: number
      meanReward: number
      zeroVarianceGroups: number
      formatFailureRate: number
      derivedGtGroups: number
    }
    // Rewards 7, 6, 1 in every group (the server answers the texts in turn, 3 per group).
    expect(out).toMatchObject({ groups: 2, k: 3, zeroVarianceGroups: 0, derivedGtGroups: 2 })
    expect(out.meanReward).toBeCloseTo(14 / 3, 12)
    expect(out.formatFailureRate).toBeCloseTo(1 / 3, 12)
    const text = await reseg(['analyze', 'rollouts', '--project', projectDir, '--run', 'ro'])
    expect(text.stdout).toMatch(/zero-variance groups: 0 \(0\.0%\)/)

    // The run's HTML report carries the rollout section, disagreement thumbnails included.
    const html = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-ro-rep-')), 'r.html')
    const ex = await reseg([
      'export',
      '--project',
      projectDir,
      '--run',
      'ro',
      '--format',
      'html',
      '--out',
      html,
    ])
    expect(ex.code).toBe(0)
    const page = fs.readFileSync(html, 'utf8')
    const section = page.slice(page.indexOf('<section class="page" id="rollouts">'))
    expect(section).toMatch(
      /^<section class="page" id="rollouts"><h2>GRPO rollouts \(visionreasoner reward, K = 3\)/,
    )
    expect(section).toContain('derived GT prompts')
    expect(section).toMatch(/High reward, low IoU[\s\S]*<img alt="" src="data:image\/jpeg;base64,/)
  }, 60_000)

  it('imports a training dump, lists trainer disagreements, and rejects a bad line naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-ro-imp-'))
    const good = path.join(dir, 'dump.jsonl')
    fs.writeFileSync(
      good,
      [
        JSON.stringify({
          image_id: 'wide',
          ann_id: '0',
          rollouts: [
            { text: PERFECT, reward: 7 },
            { text: CLOSE, reward: 6.5 },
          ],
        }),
        JSON.stringify({ image_id: 'wide', ann_id: '1', rollouts: [NO_TAGS, NO_TAGS] }),
      ].join('\n'),
    )
    const r = await reseg([
      'import',
      'rollouts',
      good,
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--name',
      'dump',
      '--no-segment',
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/2 samples, 4 rollouts imported; 2 trainer rewards, 1 differ from ours/)
    expect(r.stdout).toMatch(/sample wide\/0 rollout 1: ours 6\.0000, trainer 6\.5000/)

    const bad = path.join(dir, 'bad.jsonl')
    fs.writeFileSync(
      bad,
      `${JSON.stringify({ image_id: 'wide', ann_id: '0', rollouts: [PERFECT] })}\n{"image_id": "wide", "ann_id": "1"}\n`,
    )
    const b = await reseg([
      'import',
      'rollouts',
      bad,
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--name',
      'bad',
      '--no-segment',
    ])
    expect(b.code).toBe(1)
    expect(b.stderr).toMatch(/bad\.jsonl, line 2: "rollouts" must be a non-empty list/)
    const p = openProject(projectDir)
    expect(p.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE name = 'bad'").get()).toEqual({ n: 0 })
    p.close()
  }, 60_000)

  it('uses the training solution where --solutions gives one, derived GT elsewhere', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-ro-sol-'))
    const file = path.join(dir, 'solutions.jsonl')
    // For sample wide/0 the GT is CLOSE's own box and point: CLOSE scores 7 there, PERFECT 6 (IoU and L1 hit,
    // its point is 52 px away); sample wide/1 keeps the derived GT (PERFECT 7, CLOSE 6).
    fs.writeFileSync(
      file,
      `${JSON.stringify({ image_id: 'wide', ann_id: '0', solution: '[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]' })}\n`,
    )
    const r = await reseg([
      'rollouts',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--endpoint',
      'live',
      '--k',
      '3',
      '--out-run',
      'ro-sol',
      '--solutions',
      file,
      '--no-segment',
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/derived GT prompts for 1 samples/)
    const p = openProject(projectDir)
    try {
      const rows = p.db
        .prepare(
          `SELECT s.ann_id, g.gt_source, r.raw_text, r.reward FROM rollouts r
           JOIN rollout_groups g ON g.run_id = r.run_id AND g.sample_id = r.sample_id
           JOIN samples s ON s.id = r.sample_id JOIN runs n ON n.id = r.run_id WHERE n.name = 'ro-sol'`,
        )
        .all() as { ann_id: string; gt_source: string; raw_text: string; reward: number }[]
      expect(rows).toHaveLength(6)
      const want: Record<string, Record<string, number>> = {
        '0': { [PERFECT]: 6, [CLOSE]: 7, [NO_TAGS]: 1 },
        '1': { [PERFECT]: 7, [CLOSE]: 6, [NO_TAGS]: 1 },
      }
      for (const row of rows) {
        expect(row.gt_source).toBe(row.ann_id === '0' ? 'solution' : 'derived')
        expect(row.reward).toBe(want[row.ann_id][row.raw_text])
      }
    } finally {
      p.close()
    }
  }, 60_000)
})
