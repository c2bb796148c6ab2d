/** `reseg reason` and `reseg endpoints` as a user runs them, against a loopback fake server. */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openProject } from '../../../../src/main/store/project'
import { makeReasonProject } from '../../../fixtures/reasonProject'
import { startFakeVlmServer, type FakeServer } from './fakeVlmServer'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const KEY = 'sk-cli-SECRET-1234'
let server: FakeServer
let projectDir: string
let env: NodeJS.ProcessEnv
/** Chat requests after this many recorded requests never get an answer (null: all are answered). */
let hangAfter: number | null = null
let garbage = false

function reseg(
  args: string[],
  stdin?: string,
  onSpawn?: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env })
    onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })
}

beforeAll(async () => {
  const fx = makeReasonProject([
    { image: 'wide', gt: [100, 50, 200, 100], query: 'q0' },
    { image: 'wide', gt: [0, 0, 50, 25], query: 'q1' },
  ])
  projectDir = fx.project.dir
  fx.project.close()
  server = await startFakeVlmServer((req) =>
    req.url === '/v1/models'
      ? { kind: 'models', ids: ['vr-7b'] }
      : hangAfter !== null && server.requests.length > hangAfter
        ? { kind: 'hang' }
        : garbage
          ? { kind: 'completion', text: 'I cannot find it in the picture.' }
          : {
              kind: 'completion',
              text: '<answer>[{"bbox_2d": [200,200,400,400], "point_2d": [300,300]}]</answer>',
            },
  )
  const cred = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-cred-'))
  env = { ...process.env, RESEG_CREDENTIALS_FILE: path.join(cred, 'credentials.json') }
  for (const k of Object.keys(env)) if (k.startsWith('RESEG_API_KEY')) delete env[k]
})
afterAll(() => server.close())

describe('reseg endpoints / reason', () => {
  it('saves an endpoint with its key from stdin, tests it, and re-asks a dataset with progress and a summary', async () => {
    const add = await reseg(
      [
        'endpoints',
        'add',
        '--project',
        projectDir,
        '--name',
        'local',
        '--base-url',
        server.baseUrl,
        '--model',
        'vr-7b',
        '--api-key-stdin',
      ],
      `${KEY}\n`,
    )
    expect(add.code).toBe(0)
    expect(add.stderr).toMatch(/API key stored in .*credentials\.json/)
    const test = await reseg(['endpoints', 'test', '--project', projectDir, '--name', 'local'])
    expect([test.code, test.stdout.trim()]).toEqual([0, 'vr-7b'])
    const run = await reseg([
      'reason',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--endpoint',
      'local',
      '--out-run',
      'vr-again',
      '--concurrency',
      '2',
      '--no-segment',
    ])
    expect(run.stderr).toMatch(/reason vr-again: .*done in/)
    expect(run.stdout).toMatch(
      /^run 'vr-again': 2 samples \(0 resumed, 2 asked now, 0 failed; 0 unparseable answers in the run, 0 this pass/,
    )
    expect(run.code).toBe(0)
    const chat = server.requests.filter((r) => r.url === '/v1/chat/completions')
    expect(chat).toHaveLength(2)
    expect(chat.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true)

    const again = await reseg([
      'reason',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--base-url',
      server.baseUrl,
      '--model',
      'vr-7b',
      '--out-run',
      'vr-again',
      '--no-segment',
    ])
    expect(again.stdout).toMatch(/2 samples \(2 resumed, 0 asked now/)
    const p = openProject(projectDir)
    const n = p.db
      .prepare(
        "SELECT COUNT(*) AS n FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.name = 'vr-again'",
      )
      .get()
    p.close()
    expect(n).toEqual({ n: 2 })
    for (const out of [add, test, run, again]) expect(out.stdout + out.stderr).not.toContain(KEY)
    for (const f of fs.readdirSync(projectDir)) {
      const full = path.join(projectDir, f)
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes(Buffer.from(KEY)), f).toBe(false)
    }
  })

  it('Ctrl-C cancels, keeps the finished sample, exits 130; the same command then completes the run', async () => {
    const args = [
      'reason',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--base-url',
      server.baseUrl,
    ]
    const rest = ['--model', 'vr-7b', '--out-run', 'interrupted', '--concurrency', '1', '--no-segment']
    server.requests.length = 0
    hangAfter = 1
    const r = await reseg([...args, ...rest], undefined, (child) => {
      const poll = setInterval(() => {
        if (server.requests.length >= 2) {
          clearInterval(poll)
          child.kill('SIGINT')
        }
      }, 20)
    })
    hangAfter = null
    expect(r.code).toBe(130)
    expect(r.stderr).toMatch(/cancelled: run the same command again to continue/)
    expect(r.stdout).toMatch(/run 'interrupted': 1 samples/)
    const done = await reseg([...args, ...rest])
    expect(done.code).toBe(0)
    expect(done.stdout).toMatch(/run 'interrupted': 2 samples \(1 resumed, 1 asked now/)
  })

  it('a resumed run counts the unparseable answers the run holds, and says how many were this pass', async () => {
    const args = [
      'reason',
      '--project',
      projectDir,
      '--dataset',
      'reasonseg-mini',
      '--base-url',
      server.baseUrl,
    ]
    const rest = ['--model', 'vr-7b', '--out-run', 'resumed-unparseable', '--no-segment']
    garbage = true
    const first = await reseg([...args, ...rest, '--limit', '1'])
    garbage = false
    expect(first.stdout).toMatch(
      /1 samples \(0 resumed, 1 asked now, 0 failed; 1 unparseable answers in the run, 1 this pass/,
    )
    const second = await reseg([...args, ...rest])
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(
      /2 samples \(1 resumed, 1 asked now, 0 failed; 1 unparseable answers in the run, 0 this pass/,
    )
  })

  it('rejects bad arguments with one clear line and a non-zero exit', async () => {
    const both = await reseg(['reason', '--project', projectDir, '--out-run', 'x', '--endpoint', 'local'])
    expect(both.code).not.toBe(0)
    expect(both.stderr.trim()).toMatch(/exactly one of --from-run RUN or --dataset NAME/)
    const conc = await reseg([
      'reason',
      '--project',
      projectDir,
      '--dataset',
      'd',
      '--out-run',
      'x',
      '--concurrency',
      '0',
    ])
    expect(conc.code).toBe(2)
    expect(conc.stderr.trim().split('\n')).toHaveLength(1)
  })
})
