/** `reseg import run` and `reseg metrics`: bring a model's outputs into a project and score runs. */
import { Option, type Command } from 'commander'
import { IOU_CONVENTIONS, type IouConvention } from '../../shared/domain/metrics'
import { resolveRuns, runMetrics, type RunMetrics } from '../metrics/runMetrics'
import { importRun } from '../runs/importRun'
import { RUN_FORMAT_OPTIONS, type RunFormatOption } from '../runs/runFiles'
import { openProject } from '../store/project'
import { excludeFlaggedOption, gtOption, gtOptionsOf } from './gt'
import { createProgress } from './progress'

export function registerRunCommands(program: Command): void {
  // `import` is shared with the dataset commands; whichever area registers first creates it.
  const importCmd =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import a dataset or a model run into a project')

  importCmd
    .command('run <path>')
    .description(
      'import a model run: generic JSONL, raw Seg-Zero/VisionReasoner outputs (JSONL with "output"), ' +
        'or their evaluation folder of output_*.json',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--name <run>', 'name of the new run')
    .addOption(new Option('--format <format>', 'input format').choices(RUN_FORMAT_OPTIONS).default('auto'))
    .option('--dataset <name>', 'dataset the run belongs to (needed only when the project has several)')
    .option('--model <name>', 'model name to record (default: Seg-Zero / VisionReasoner for those formats)')
    .option('--replace', 'overwrite an existing run of the same name')
    .option('--skip-bad', 'import the good lines and list the bad ones instead of aborting')
    .action(
      async (
        file: string,
        opts: {
          project: string
          name: string
          format: RunFormatOption
          dataset?: string
          model?: string
          replace?: boolean
          skipBad?: boolean
        },
      ) => {
        const project = openProject(opts.project)
        const progress = createProgress(`import run ${opts.name}:`)
        try {
          const r = await importRun(project, {
            path: file,
            name: opts.name,
            format: opts.format,
            dataset: opts.dataset,
            model: opts.model,
            replace: opts.replace,
            skipBad: opts.skipBad,
            onProgress: (p) => progress.update(p.done, p.total || null, p.phase),
          })
          progress.finish(`${r.imported} predictions`)
          for (const e of r.skipped) process.stderr.write(`skipped ${e.toString()}\n`)
          const parts = [`${r.imported} predictions`, `${r.missing} dataset samples without one`]
          if (r.parseErrors) parts.push(`${r.parseErrors} unparseable answers (scored as empty masks)`)
          if (r.skipped.length) parts.push(`${r.skipped.length} bad lines skipped`)
          const verb = r.replaced ? 'replaced' : 'imported'
          process.stdout.write(
            `${verb} run '${r.name}' (${r.format}) into dataset '${r.dataset}': ${parts.join(', ')}\n`,
          )
        } finally {
          project.close()
        }
      },
    )

  program
    .command('metrics')
    .description(
      'gIoU and cIoU of runs, from the I and U stored per sample (missing predictions count as empty masks)',
    )
    .requiredOption('--project <dir>', 'project folder')
    .addOption(
      new Option('--run <name>', 'run to score (repeatable)')
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([], 'every run'),
    )
    .option('--json', 'print one JSON object {"runs": [...]} with per-sample rows')
    .addOption(
      new Option(
        '--convention <name>',
        'segzero: IoU 0 when U = 0 (Seg-Zero/VisionReasoner); lisa: IoU 1 when U = 0, +1e-5 on U',
      )
        .choices(IOU_CONVENTIONS)
        .default('segzero'),
    )
    .addOption(gtOption())
    .addOption(excludeFlaggedOption())
    .action((opts: { project: string; run: string[]; json?: boolean; convention: IouConvention }) => {
      const project = openProject(opts.project)
      try {
        const gt = gtOptionsOf(opts)
        const runs = resolveRuns(project.db, opts.run).map((r) =>
          runMetrics(project.db, r, opts.convention, gt),
        )
        process.stdout.write(
          opts.json ? `${JSON.stringify(metricsJson(runs))}\n` : metricsTable(runs, opts.convention),
        )
      } finally {
        project.close()
      }
    })
}

/** The stable machine-readable shape other tools parse. */
export function metricsJson(runs: RunMetrics[]) {
  return {
    runs: runs.map((r) => ({
      run: r.run,
      n: r.n,
      missing: r.missing,
      not_segmented: r.notSegmented,
      gIoU: r.gIoU,
      cIoU: r.cIoU,
      gt: r.gt.gt,
      exclude_flagged: r.gt.excludeFlagged,
      gt_statement: r.gt.statement,
      samples: r.samples.map((s) => ({
        image_id: s.imageId,
        ann_id: s.annId,
        intersection: s.intersection,
        union: s.union,
        iou: s.notSegmented ? null : s.iou,
      })),
    })),
  }
}

function metricsTable(runs: RunMetrics[], convention: IouConvention): string {
  if (runs.length === 0) return 'no runs in this project\n'
  const header = ['run', 'n', 'missing', 'gIoU', 'cIoU']
  // A run whose predictions hold prompts but no masks has no score yet: say so instead of printing 0.
  const score = (r: RunMetrics, v: number | null) =>
    v == null ? `not segmented (${r.notSegmented})` : v.toFixed(4)
  const rows = runs.map((r) => [r.run, String(r.n), String(r.missing), score(r, r.gIoU), score(r, r.cIoU)])
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)))
  const fmt = (row: string[]) =>
    row.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')
  const note =
    convention === 'segzero'
      ? 'Seg-Zero/VisionReasoner convention: IoU = I/U (0 when U = 0), gIoU = mean IoU, cIoU = ΣI/ΣU'
      : 'LISA convention: IoU = I/(U + 1e-5) (1 when U = 0), gIoU = ΣIoU/(n + 1e-5), cIoU = ΣI/(ΣU + 1e-10)'
  // Every run states its GT (they differ only in which revised samples a run without masks could not re-score).
  const gtLines = [...new Set(runs.map((r) => r.gt.statement))]
  return `${[fmt(header), ...rows.map(fmt)].join('\n')}\n${note}\n${gtLines.join('\n')}\n`
}
