/**
 * What the resumable batch commands (`reseg reason`, `reseg rollouts`) share: the samples they work on (a
 * run's or a dataset's) and a Ctrl-C that cancels cleanly once and quits at once the second time.
 */
import { getDatasetByName } from '../store/datasets'
import type { Db } from '../store/project'
import { getRunByName } from '../store/runs'

export type BatchSource = { runId: number } | { datasetId: number }

/** Checked before the project is opened: a wrong pair of flags touches nothing. */
export function requireOneSource(opts: { fromRun?: string; dataset?: string }): void {
  if (Boolean(opts.fromRun) === Boolean(opts.dataset))
    throw new Error('give exactly one of --from-run RUN or --dataset NAME')
}

/** `--from-run RUN` or `--dataset NAME`, exactly one, resolved in the project at `projectPath`. */
export function batchSource(
  db: Db,
  projectPath: string,
  opts: { fromRun?: string; dataset?: string },
): BatchSource {
  requireOneSource(opts)
  if (opts.fromRun) {
    const run = getRunByName(db, opts.fromRun)
    if (!run) throw new Error(`no run named '${opts.fromRun}' in ${projectPath}`)
    return { runId: run.id }
  }
  const ds = getDatasetByName(db, opts.dataset as string)
  if (!ds) throw new Error(`no dataset named '${opts.dataset}' in ${projectPath}`)
  return { datasetId: ds.id }
}

/** Cancels on the first Ctrl-C (saying what is kept), exits 130 on the second; `dispose` unhooks it. */
export function cancelOnSigint(kept: string): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController()
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130)
    process.stderr.write(`\ncancelling: ${kept} (Ctrl-C again to quit at once)\n`)
    abort.abort()
  }
  process.on('SIGINT', onSigint)
  return { signal: abort.signal, dispose: () => process.off('SIGINT', onSigint) }
}
