/**
 * The fuzz child process: runs one bad input at a time against the real importers and validators on a
 * project of its own, and answers with the outcome, the message and whether the project database (after
 * a WAL checkpoint) and its media folder are byte-for-byte what they were. The parent (badInputs.test.ts)
 * owns the clock: a reply later than 5 s is a hang and this process is killed; an exit without a reply,
 * or an uncaught exception / unhandled rejection (reported before exiting), is a crash.
 *
 *   node --import tsx test/fuzz/runner.ts   (started by the test with an IPC channel)
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createApiContext } from '../../src/main/api/context'
import { createDispatcher } from '../../src/main/api/index'
import { importDataset, type DatasetFormat } from '../../src/main/datasets/importDataset'
import { inspectModelDir } from '../../src/main/engine/onnx/register'
import { RunImportError, importRun } from '../../src/main/runs/importRun'
import type { RunFormatOption } from '../../src/main/runs/runFiles'
import { makeRunProject } from '../fixtures/runProject'
import { FUZZ_SAMPLES, type FuzzOp, type FuzzReply } from './cases'

const send = (m: object) => process.send?.(m)

process.on('uncaughtException', (err) => {
  send({ crash: `uncaught exception: ${err.stack ?? err.message}` })
  process.exit(70)
})
process.on('unhandledRejection', (err) => {
  send({ crash: `unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` })
  process.exit(70)
})

const project = makeRunProject(FUZZ_SAMPLES)
const ctx = createApiContext(project)
const dispatch = createDispatcher(ctx)
let runs = 0

/** The database file after a checkpoint, plus the media folder's names and sizes. */
function fingerprint(): string {
  project.db.pragma('wal_checkpoint(TRUNCATE)')
  const h = crypto.createHash('sha256')
  h.update(fs.readFileSync(path.join(project.dir, 'project.sqlite')))
  const wal = path.join(project.dir, 'project.sqlite-wal')
  h.update(`wal ${fs.existsSync(wal) ? fs.statSync(wal).size : 0}`)
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else h.update(`${path.relative(project.dir, p)} ${fs.statSync(p).size}\n`)
    }
  }
  walk(project.mediaDir)
  return h.digest('hex')
}

function describe(err: unknown): string {
  if (err instanceof RunImportError) {
    return [err.message, ...err.errors.slice(0, 3).map((e) => e.toString())].join('\n')
  }
  return err instanceof Error ? err.message : String(err)
}

async function run(op: FuzzOp): Promise<Omit<FuzzReply, 'id' | 'ms'>> {
  const before = fingerprint()
  let outcome: FuzzReply['outcome'] = 'accepted'
  let message = ''
  try {
    if (op.op === 'dataset') {
      await importDataset(project, op.path, { format: (op.format ?? 'auto') as DatasetFormat })
    } else if (op.op === 'run') {
      await importRun(project, {
        path: op.path,
        name: `fuzz-${runs++}`,
        dataset: 'reasonseg-test',
        format: (op.format ?? 'auto') as RunFormatOption,
      })
    } else if (op.op === 'api') {
      const r = await dispatch(op.method, JSON.parse(op.payload) as unknown)
      if (!r.ok) {
        outcome = 'rejected'
        message = `${r.error.code}: ${r.error.message}`
      }
    } else {
      await inspectModelDir(op.path)
    }
  } catch (err) {
    outcome = 'rejected'
    message = describe(err)
  }
  return { outcome, message, unchanged: fingerprint() === before }
}

process.on('message', (m: { id: number; op: FuzzOp }) => {
  const t0 = performance.now()
  void run(m.op).then((r) => send({ id: m.id, ms: performance.now() - t0, ...r }))
})
send({ ready: true })
