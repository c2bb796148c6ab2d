/**
 * Ground-truth versions on the command line: the `--gt original|corrected` and `--exclude-flagged` options
 * every metric, analysis and report command takes, and `reseg analyze gt-changes` (label noise: what the
 * corrections changed and what they do to each run's gIoU / cIoU).
 */
import { Option, type Command } from 'commander'
import { analyzeGtChanges, type GtChangeReport } from '../analysis/gtChanges'
import type { GtOptions } from '../metrics/runMetrics'
import { getDatasetByName, listDatasets } from '../store/datasets'
import type { Db } from '../store/project'
import { openProject } from '../store/project'
import { resolveRuns } from '../metrics/runMetrics'
import { parseNonNegativeInt } from './project'

/** `--gt original|corrected` (default original). */
export function gtOption(): Option {
  return new Option(
    '--gt <version>',
    'ground truth: original (as imported, comparable with papers) or corrected (with the GT edits)',
  )
    .choices(['original', 'corrected'])
    .default('original')
}

/** `--exclude-flagged`. */
export function excludeFlaggedOption(): Option {
  return new Option('--exclude-flagged', 'leave out samples flagged ambiguous, invalid or duplicate')
}

/**
 * The GT choice from a command's parsed options (commander puts `gt` and `excludeFlagged` on the same object
 * as the command's own options, so their action signatures need not name them).
 */
export function gtOptionsOf(opts: object): GtOptions {
  const o = opts as { gt?: unknown; excludeFlagged?: unknown }
  return { gt: o.gt === 'corrected' ? 'corrected' : 'original', excludeFlagged: o.excludeFlagged === true }
}

/** A dataset by name or numeric id; without one, the project's only dataset. */
export function resolveDataset(db: Db, nameOrId: string | undefined): { id: number; name: string } {
  const all = listDatasets(db)
  if (nameOrId === undefined) {
    if (all.length === 1) return all[0]
    throw new Error(
      `name a dataset with --dataset (the project has: ${all.map((d) => d.name).join(', ') || 'no datasets'})`,
    )
  }
  const byName = getDatasetByName(db, nameOrId)
  const byId = /^\d+$/.test(nameOrId) ? all.find((d) => d.id === Number(nameOrId)) : undefined
  const d = byName ?? byId
  if (!d) {
    throw new Error(
      `no dataset '${nameOrId}' in this project (datasets: ${all.map((x) => x.name).join(', ') || 'none'})`,
    )
  }
  return d
}

export function gtChangesText(r: GtChangeReport): string {
  const ci = (i: { value: number; lo: number; hi: number }) =>
    `${i.value >= 0 ? '+' : ''}${i.value.toFixed(4)} [${i.lo.toFixed(4)}, ${i.hi.toFixed(4)}]`
  const out = [
    `dataset '${r.dataset}': ${r.changed.length} of ${r.samples} samples have a corrected GT, ${r.flagged.length} flagged`,
  ]
  if (r.changed.length > 0) {
    out.push('', 'changed samples (pixels: original -> corrected area, +added / -removed)')
    for (const c of r.changed) {
      out.push(
        `  ${`${c.imageId}/${c.annId}`.padEnd(24)} ${String(c.originalArea).padStart(8)} -> ${String(c.correctedArea).padEnd(8)}` +
          ` +${c.added} / -${c.removed}${c.ignoreChanged ? `  ignore ±${c.ignoreChanged}` : ''}` +
          `${c.reason ? `  "${c.reason}"` : ''}`,
      )
    }
  }
  if (r.flagged.length > 0) {
    out.push('', 'flagged samples')
    for (const f of r.flagged)
      out.push(`  ${f.imageId.padEnd(24)} ${f.kind}${f.reason ? `: ${f.reason}` : ''}`)
  }
  out.push(
    '',
    `per run: original -> corrected GT, difference (corrected − original) with a paired bootstrap 95% CI ` +
      `(${r.bootstrap.iterations} resamples, seed ${r.bootstrap.seed})`,
  )
  for (const run of r.runs) {
    out.push(
      `  ${run.run}: gIoU ${run.original.gIoU.toFixed(4)} -> ${run.corrected.gIoU.toFixed(4)} ${ci(run.gIoUDiff)}; ` +
        `cIoU ${run.original.cIoU.toFixed(4)} -> ${run.corrected.cIoU.toFixed(4)} ${ci(run.cIoUDiff)}`,
    )
    if (run.gt.notApplicable > 0) out.push(`    ${run.gt.statement}`)
  }
  if (r.runs.length === 0) out.push('  (no runs on this dataset)')
  return `${out.join('\n')}\n`
}

export function registerGtCommands(program: Command): void {
  const analyze =
    program.commands.find((c) => c.name() === 'analyze') ??
    program.command('analyze').description('error analysis of a run on the command line')
  analyze
    .command('gt-changes')
    .description(
      'label noise: which samples have a corrected GT, pixels changed per sample, and per run gIoU / cIoU on the ' +
        'original vs the corrected GT with a paired bootstrap interval of the difference',
    )
    .requiredOption('--project <dir>', 'project folder')
    .option('--dataset <name>', 'dataset (default: the only one)')
    .addOption(
      new Option('--run <name>', 'run to include (repeatable; default: every run on the dataset)')
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([]),
    )
    .option('--seed <n>', 'bootstrap seed', parseNonNegativeInt)
    .option('--json', 'print the full result as JSON')
    .action((opts: { project: string; dataset?: string; run: string[]; seed?: number; json?: boolean }) => {
      const project = openProject(opts.project)
      try {
        const ds = resolveDataset(project.db, opts.dataset)
        const runIds = opts.run.length > 0 ? resolveRuns(project.db, opts.run).map((r) => r.id) : undefined
        const r = analyzeGtChanges(project.db, ds.id, { seed: opts.seed, runIds })
        process.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : gtChangesText(r))
      } finally {
        project.close()
      }
    })
}
