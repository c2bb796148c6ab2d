/**
 * Kill -9 at random points (seeded) of every kind of job a project goes through: a dataset import, a GrabCut
 * segmentation batch, a reasoning batch against the fake VLM server, an export, and prompt edits / tags / notes
 * through the API. After every kill: the project opens, `project check --fix` leaves it clean, and running the
 * same command again completes with the same result as an uninterrupted run of it on an identical project.
 *
 * Kill points are drawn uniformly over the job's working time (from the moment the process has the project
 * open — its session marker appears — to its exit, as measured on the uninterrupted run), so kills land in
 * the middle of the work rather than during start-up.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoProject } from '../../../../src/main/demo/demo'
import { checkProject, type CheckReport } from '../../../../src/main/store/check'
import { isAtomicTemp } from '../../../../src/main/files/atomicWrite'
import { openProject } from '../../../../src/main/store/project'
import { SESSIONS_DIR } from '../../../../src/main/store/sessions'
import { seededRng } from '../../../../src/shared/domain/random'
import { syntheticRows, writeReasonSegParquet } from '../../../fixtures/reasonsegParquet'
import { startFakeVlmServer, type FakeServer } from '../reason/fakeVlmServer'

const SEED = 20261128
const rng = seededRng(SEED)
const ROOT = path.resolve(import.meta.dirname, '../../../..')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-kill-'))
let server: FakeServer
let demoBase: string
let parquet: string
const tally = { kills: 0, markersLeft: 0, detected: 0, orphansRemoved: 0 }

beforeAll(async () => {
  const { rows } = await syntheticRows({
    rows: 48,
    images: 24,
    minPixels: 150_000,
    maxPixels: 400_000,
    seed: 5,
  })
  parquet = path.join(tmp, 'test-00000-of-00001.parquet')
  writeReasonSegParquet(parquet, rows, { rowGroupSize: 8 })
  demoBase = path.join(tmp, 'demo-base')
  ;(await createDemoProject(demoBase, { images: 3, seed: 17 })).close()
  server = await startFakeVlmServer((req) =>
    req.url === '/v1/models'
      ? { kind: 'models', ids: ['vr-7b'] }
      : {
          kind: 'completion',
          text: '<think>the object</think><answer>[{"bbox_2d": [60,40,220,180], "point_2d": [140,110]}]</answer>',
        },
  )
}, 120_000)
afterAll(async () => {
  await server?.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

interface Outcome {
  pid: number
  code: number | null
  killed: boolean
  /** Milliseconds from the project being open to the exit. */
  workMs: number
  stderr: string
}

/** Runs `args` (CLI arguments, or a script for `-e`) on `projectDir`; with `killAt`, SIGKILLs it that many ms into its work. */
function run(projectDir: string, args: string[], killAt?: number): Promise<Outcome> {
  const sessions = path.join(projectDir, SESSIONS_DIR)
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((resolve, reject) => {
    let openedAt: number | null = null
    let killed = false
    const mine = () =>
      fs.existsSync(sessions) && fs.readdirSync(sessions).some((f) => f.startsWith(`${child.pid}.`))
    const poll = setInterval(() => {
      if (openedAt !== null || !mine()) return
      openedAt = Date.now()
      if (killAt !== undefined)
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            killed = child.kill('SIGKILL')
          }
        }, killAt)
    }, 5)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearInterval(poll)
      resolve({
        pid: child.pid!,
        code,
        killed,
        workMs: openedAt === null ? 0 : Date.now() - openedAt,
        stderr,
      })
    })
  })
}

/**
 * After a kill: the project opens, knows it crashed (when the process was killed with it open: its session
 * marker is still there), and the check fixes what was left, then finds it clean.
 */
function recover(projectDir: string, pid?: number, inspect?: (found: CheckReport) => void): void {
  const sessions = path.join(projectDir, SESSIONS_DIR)
  const left =
    pid !== undefined &&
    fs.existsSync(sessions) &&
    fs.readdirSync(sessions).some((f) => f.startsWith(`${pid}.`))
  const p = openProject(projectDir)
  try {
    if (left) {
      tally.markersLeft++
      expect(p.uncleanShutdown.map((s) => s.pid)).toContain(pid)
      tally.detected++
    }
    inspect?.(checkProject(p.db, projectDir))
    const fixed = checkProject(p.db, projectDir, { fix: true })
    expect(fixed.clean, fixed.problems.join('; ')).toBe(true)
    if (fixed.orphans.removed) tally.orphansRemoved++
    const again = checkProject(p.db, projectDir)
    expect(again.problems).toEqual([])
  } finally {
    p.close()
  }
}

/**
 * Kills the command `kills` times at random points of its work, recovering after each (a fresh project when
 * the command finished before its kill), then runs it to completion; returns the project it completed on.
 */
async function killRepeatedly(opts: {
  kills: number
  workMs: number
  fresh: () => string
  args: (dir: string) => string[]
  done?: (dir: string) => boolean
  afterKill?: (dir: string) => void
  /** What the check finds after a kill, before fixing it. */
  inspect?: (found: CheckReport) => void
}): Promise<string> {
  let dir = opts.fresh()
  let kills = 0
  for (let attempt = 0; kills < opts.kills && attempt < opts.kills * 3; attempt++) {
    if (opts.done?.(dir)) dir = opts.fresh()
    const child = await run(dir, opts.args(dir), Math.floor(rng() * opts.workMs))
    if (!child.killed) {
      expect(child.code, child.stderr).toBe(0)
      dir = opts.fresh()
      continue
    }
    kills++
    tally.kills++
    recover(dir, child.pid, opts.inspect)
    opts.afterKill?.(dir)
  }
  expect(kills).toBe(opts.kills)
  if (!opts.done?.(dir)) {
    const final = await run(dir, opts.args(dir))
    expect(final.code, final.stderr).toBe(0)
  }
  recover(dir)
  return dir
}

let copies = 0
function copyOf(base: string): string {
  const dir = path.join(tmp, `p${copies++}`)
  fs.cpSync(base, dir, { recursive: true })
  return dir
}

function rows(dir: string, sql: string): unknown[] {
  const p = openProject(dir)
  try {
    return p.db.prepare(sql).all()
  } finally {
    p.close()
  }
}

const cli = (...args: string[]) => ['src/main/cli/main.ts', ...args]

describe('kill -9 at random points (seed 20261128)', () => {
  it('import dataset: no loose media, and the re-run imports exactly what an uninterrupted import does', async () => {
    const args = (dir: string) => cli('import', 'dataset', parquet, '--project', dir)
    const reference = path.join(tmp, 'import-ref')
    const ref = await run(reference, args(reference))
    expect(ref.code, ref.stderr).toBe(0)
    const dir = await killRepeatedly({
      kills: 4,
      workMs: ref.workMs,
      fresh: () => path.join(tmp, `import-${copies++}`),
      args,
      done: (d) =>
        fs.existsSync(path.join(d, 'project.sqlite')) && rows(d, 'SELECT id FROM datasets').length > 0,
      // A killed import leaves at most its staging folder (or a temporary file), never loose media files.
      inspect: (found) => {
        for (const e of found.orphans.entries)
          expect(e.startsWith('.staging-') || isAtomicTemp(e), e).toBe(true)
        expect(found.missing).toEqual([])
      },
    })
    const q =
      'SELECT image_id, ann_id, query, gt_rle, media_hash, width, height FROM samples ORDER BY image_id, ann_id'
    expect(rows(dir, q)).toEqual(rows(reference, q))
    expect(fs.readdirSync(path.join(dir, 'media')).sort()).toEqual(
      fs.readdirSync(path.join(reference, 'media')).sort(),
    )
  }, 300_000)

  it('segment (GrabCut baseline): the resumed batch ends with the masks of an uninterrupted one', async () => {
    const args = (dir: string) =>
      cli('segment', '--project', dir, '--from-run', 'seg-zero-7b', '--out-run', 'gc')
    const reference = copyOf(demoBase)
    const ref = await run(reference, args(reference))
    expect(ref.code, ref.stderr).toBe(0)
    const dir = await killRepeatedly({ kills: 5, workMs: ref.workMs, fresh: () => copyOf(demoBase), args })
    const q = `SELECT p.sample_id, p.mask_rle, p.intersection, p.union_px, p.prompts_json FROM predictions p
               JOIN runs r ON r.id = p.run_id WHERE r.name = 'gc' ORDER BY p.sample_id`
    expect(rows(dir, q)).toEqual(rows(reference, q))
    expect(rows(dir, q).length).toBeGreaterThan(0)
  }, 300_000)

  it('reason (fake VLM server): the resumed run ends with the answers and masks of an uninterrupted one', async () => {
    const args = (dir: string) =>
      cli(
        'reason',
        '--project',
        dir,
        '--from-run',
        'seg-zero-7b',
        '--base-url',
        server.baseUrl,
        '--model',
        'vr-7b',
        '--out-run',
        're-asked',
        '--concurrency',
        '1',
      )
    const reference = copyOf(demoBase)
    const ref = await run(reference, args(reference))
    expect(ref.code, ref.stderr).toBe(0)
    const dir = await killRepeatedly({ kills: 4, workMs: ref.workMs, fresh: () => copyOf(demoBase), args })
    const q = `SELECT p.sample_id, p.answer, p.parse_error, p.prompts_json, p.mask_rle, p.iou FROM predictions p
               JOIN runs r ON r.id = p.run_id WHERE r.name = 're-asked' ORDER BY p.sample_id`
    expect(rows(dir, q)).toEqual(rows(reference, q))
    expect(rows(dir, q).length).toBeGreaterThan(0)
  }, 300_000)

  it('export: the report is absent or whole after every kill, and the re-run writes the uninterrupted one', async () => {
    const out = (dir: string) => path.join(dir, 'report.json')
    const args = (dir: string) =>
      cli(
        'export',
        '--project',
        dir,
        '--run',
        'seg-zero-7b',
        '--compare',
        'visionreasoner-7b',
        '--format',
        'json',
        '--out',
        out(dir),
      )
    const reference = copyOf(demoBase)
    const ref = await run(reference, args(reference))
    expect(ref.code, ref.stderr).toBe(0)
    const want = fs.readFileSync(out(reference), 'utf8')
    const dir = await killRepeatedly({
      kills: 4,
      workMs: ref.workMs,
      fresh: () => copyOf(demoBase),
      args,
      afterKill: (d) => {
        if (fs.existsSync(out(d))) expect(fs.readFileSync(out(d), 'utf8')).toBe(want)
      },
    })
    expect(fs.readFileSync(out(dir), 'utf8')).toBe(want)
  }, 300_000)

  it('prompt edits, tags and notes through the API: the replayed session ends in the same state', async () => {
    const script = (dir: string) => `
      import { createApiContext } from ${JSON.stringify(path.join(ROOT, 'src/main/api/context.ts'))}
      import { createDispatcher } from ${JSON.stringify(path.join(ROOT, 'src/main/api/index.ts'))}
      import { openProject } from ${JSON.stringify(path.join(ROOT, 'src/main/store/project.ts'))}
      const project = openProject(${JSON.stringify(dir)})
      const ctx = createApiContext(project)
      const api = createDispatcher(ctx)
      const call = async (m, i) => { const r = await api(m, i); if (!r.ok) throw new Error(m + ': ' + r.error.message); return r.value }
      const runId = project.db.prepare("SELECT id FROM runs WHERE name = 'seg-zero-7b'").pluck().get()
      const samples = project.db.prepare('SELECT id, width, height FROM samples ORDER BY id LIMIT 4').all()
      const tags = await call('listTags', {})
      for (const [k, s] of samples.entries()) {
        for (const f of [0.2, 0.3]) {
          const box = [s.width * f, s.height * f, s.width * (1 - f), s.height * (1 - f)].map(Math.round)
          await call('segmentSample', { runId, sampleId: s.id, prompts: [{ box, points: [] }] })
        }
        await call('setSampleTag', { runId, sampleId: s.id, tagId: tags[k % tags.length].id, on: true })
        await call('setSampleTag', { runId, sampleId: s.id, tagId: tags[(k + 1) % tags.length].id, on: k % 2 === 0 })
        await call('saveNote', { runId, sampleId: s.id, text: 'checked ' + k })
      }
      await ctx.dispose()
      project.close()`
    const args = (dir: string) => ['--input-type=module', '-e', script(dir)]
    const reference = copyOf(demoBase)
    const ref = await run(reference, args(reference))
    expect(ref.code, ref.stderr).toBe(0)
    const dir = await killRepeatedly({ kills: 4, workMs: ref.workMs, fresh: () => copyOf(demoBase), args })
    const state = (d: string) => {
      const p = openProject(d)
      try {
        const runId = p.db.prepare("SELECT id FROM runs WHERE name = 'seg-zero-7b'").pluck().get() as number
        const ids = p.db.prepare('SELECT id FROM samples ORDER BY id LIMIT 4').pluck().all() as number[]
        return ids.map((id) => {
          const cur = p.db
            .prepare('SELECT stack_json, pos FROM prompt_edit_cursor WHERE run_id = ? AND sample_id = ?')
            .get(runId, id) as { stack_json: string; pos: number }
          const editId = (JSON.parse(cur.stack_json) as (number | null)[])[cur.pos]
          return {
            edit: p.db
              .prepare('SELECT prompts_json, mask_rle, iou FROM prompt_edits WHERE id = ?')
              .get(editId),
            tags: p.db
              .prepare('SELECT tag_id FROM sample_tags WHERE run_id = ? AND sample_id = ? ORDER BY tag_id')
              .pluck()
              .all(runId, id),
            note: p.db
              .prepare('SELECT text FROM notes WHERE run_id = ? AND sample_id = ?')
              .pluck()
              .get(runId, id),
          }
        })
      } finally {
        p.close()
      }
    }
    const want = state(reference)
    expect(want.every((s) => s.edit && s.note)).toBe(true)
    expect(state(dir)).toEqual(want)
  }, 300_000)

  it('killed at least 20 times in all', () => {
    console.log(
      `kill -9: ${tally.kills} kills, ${tally.markersLeft} with the project open (all reported as unclean ` +
        `shutdowns), ${tally.orphansRemoved} left orphans that check --fix removed`,
    )
    expect(tally.kills).toBeGreaterThanOrEqual(20)
    // Most kills land while the project is open (the rest between closing it and exiting).
    expect(tally.markersLeft).toBeGreaterThanOrEqual(tally.kills / 2)
    expect(tally.detected).toBe(tally.markersLeft)
  })
})
