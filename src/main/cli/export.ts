/**
 * `reseg export` (reports in every format) and `reseg analyze` (breakdowns, comparison and stage
 * attribution on the command line): both call the same backend modules as the API.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { requireRun } from '../analysis/results'
import {
  attributeStages,
  DEFAULT_STAGE_THRESHOLDS,
  getStageAttribution,
  stageLabelsToTags,
} from '../analysis/stages'
import { compareRuns } from '../analysis/compare'
import { analyzeRun } from '../analysis/summary'
import { segmentRun } from '../engine/batch'
import { createEngine } from '../engine/registry'
import { AuthorFilterError } from '../reports/authored'
import { exportReport, REPORT_FORMATS, type ReportFormat } from '../reports/export'
import { openProject } from '../store/project'
import { excludeFlaggedOption, gtOption, gtOptionsOf } from './gt'
import { createProgress } from './progress'
import { parseNonNegativeInt } from './project'

function parseUnit(v: string): number {
  const x = Number(v)
  if (!Number.isFinite(x) || x < 0 || x > 1)
    throw new InvalidArgumentError(`expected a number between 0 and 1, got '${v}'`)
  return x
}

export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description(
      'write a report of a run: self-contained HTML, CSV / JSON (one row per sample), COCO results, or PDF',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <run>', 'run to report on')
    .option('--compare <run>', 'second run to compare with (html, pdf, csv, json)')
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <file>', 'output file')
    .option('--worst <k>', 'worst samples shown with thumbnails (html, pdf)', parseNonNegativeInt, 12)
    .option('--examples <k>', 'example thumbnails per failure tag (html, pdf)', parseNonNegativeInt, 3)
    .option('--seed <n>', 'bootstrap seed', parseNonNegativeInt)
    .option(
      '--author <name>',
      'only the samples this user touched in the run (audit log): csv / json rows gain an `authored` column; html / pdf keep whole-run metrics and show only those samples',
    )
    .addOption(gtOption())
    .addOption(excludeFlaggedOption())
    .action(
      async (
        opts: {
          project: string
          run: string
          compare?: string
          format: ReportFormat
          out: string
          worst: number
          examples: number
          seed?: number
          author?: string
        },
        cmd: Command,
      ) => {
        const project = openProject(opts.project)
        const progress = createProgress(`export ${opts.format}:`)
        try {
          const r = await exportReport(project, {
            run: opts.run,
            compare: opts.compare ?? null,
            format: opts.format,
            out: opts.out,
            worstK: opts.worst,
            examplesPerTag: opts.examples,
            seed: opts.seed,
            gt: gtOptionsOf(opts),
            author: opts.author,
            onProgress: (d, t, phase) => progress.update(d, t, phase),
          })
          progress.finish(r.message)
          process.stdout.write(`${r.out}\n`)
        } catch (e) {
          // A filter nobody can satisfy is a bad argument (exit 2), like an unknown option.
          if (e instanceof AuthorFilterError) cmd.error(e.message)
          throw e
        } finally {
          project.close()
        }
      },
    )

  const analyze = program.command('analyze').description('error analysis of a run on the command line')

  analyze
    .command('breakdowns')
    .description(
      'gIoU / cIoU with bootstrap 95% intervals per failure tag, query kind, object size and image size',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <run>', 'run')
    .option('--seed <n>', 'bootstrap seed', parseNonNegativeInt)
    .option('--json', 'print the full result as JSON')
    .addOption(gtOption())
    .addOption(excludeFlaggedOption())
    .action((opts: { project: string; run: string; seed?: number; json?: boolean }) => {
      const project = openProject(opts.project)
      try {
        const gt = gtOptionsOf(opts)
        const a = analyzeRun(project.db, requireRun(project.db, opts.run).id, { seed: opts.seed, gt })
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(a)}\n`)
          return
        }
        const ci = (i: { value: number; lo: number; hi: number }) =>
          `${i.value.toFixed(4)} [${i.lo.toFixed(4)}, ${i.hi.toFixed(4)}]`
        // While samples are not segmented the run has no gIoU / cIoU of its own (as `reseg metrics`).
        const out = [
          a.notSegmented > 0
            ? `run ${a.runName}: gIoU / cIoU not segmented (${a.notSegmented} of ${a.n + a.notSegmented} samples have prompts but no mask: reseg segment); over the ${a.n} scored samples: gIoU ${ci(a.gIoU)} cIoU ${ci(a.cIoU)}, missing=${a.missing}`
            : `run ${a.runName}: n=${a.n} missing=${a.missing} gIoU ${ci(a.gIoU)} cIoU ${ci(a.cIoU)}`,
        ]
        out.push(a.gt.statement)
        for (const b of a.breakdowns) {
          out.push('', b.label)
          // An empty bucket has no mean and no interval: a dash, not a row of zeros that reads as a result.
          for (const r of b.rows)
            out.push(
              r.n === 0
                ? `  ${r.label.padEnd(22)} n=${String(r.n).padStart(6)}  —`
                : `  ${r.label.padEnd(22)} n=${String(r.n).padStart(6)}  gIoU ${ci(r.gIoU)}  cIoU ${ci(r.cIoU)}`,
            )
        }
        process.stdout.write(`${out.join('\n')}\n`)
      } finally {
        project.close()
      }
    })

  analyze
    .command('compare')
    .description(
      'run B vs run A: gIoU / cIoU difference with a paired bootstrap interval, largest regressions and improvements',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <run>', 'run A')
    .requiredOption('--compare <run>', 'run B')
    .option('--top <k>', 'how many regressions / improvements to list', parseNonNegativeInt, 10)
    .option('--json', 'print the full result as JSON')
    .addOption(gtOption())
    .addOption(excludeFlaggedOption())
    .action((opts: { project: string; run: string; compare: string; top: number; json?: boolean }) => {
      const project = openProject(opts.project)
      try {
        const c = compareRuns(
          project.db,
          requireRun(project.db, opts.run).id,
          requireRun(project.db, opts.compare).id,
          {
            topK: opts.top,
            gt: gtOptionsOf(opts),
          },
        )
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(c)}\n`)
          return
        }
        const ci = (i: { value: number; lo: number; hi: number }) =>
          `${i.value >= 0 ? '+' : ''}${i.value.toFixed(4)} [${i.lo.toFixed(4)}, ${i.hi.toFixed(4)}]`
        const out = [
          `${c.runB.name} − ${c.runA.name} over ${c.n} samples: gIoU ${ci(c.gIoUDiff)}, cIoU ${ci(c.cIoUDiff)}`,
          `${c.better} better, ${c.worse} worse, ${c.same} unchanged`,
          ...(c.notSegmented > 0
            ? [`${c.notSegmented} samples left out: not segmented in one of the runs (prompts but no mask)`]
            : []),
          ...new Set([c.gt.statement, c.gtB.statement]),
        ]
        for (const [title, list] of [
          ['largest regressions', c.regressions],
          ['largest improvements', c.improvements],
        ] as const) {
          out.push('', title)
          for (const r of list)
            out.push(
              `  ${r.imageId}/${r.annId}  ${r.iouA.toFixed(4)} -> ${r.iouB.toFixed(4)}  ${r.query.slice(0, 60)}`,
            )
        }
        process.stdout.write(`${out.join('\n')}\n`)
      } finally {
        project.close()
      }
    })

  analyze
    .command('stages')
    .description(
      'stage attribution: segment every sample from its GT box (the oracle) with the same model, then label it success, ' +
        'reasoning/localization failure (oracle good, run bad) or segmentation failure (both bad)',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <run>', 'run under study')
    .option(
      '--oracle-run <run>',
      'use an existing oracle run (e.g. from `reseg segment --prompts gt-box`) instead of segmenting',
    )
    .option(
      '--model <id>',
      'segmentation model for the oracle (default: the best installed; see `reseg models`)',
    )
    .addOption(
      new Option('--prompts <kind>', 'oracle prompt').choices(['gt-box', 'gt-box+points']).default('gt-box'),
    )
    .option('--out-run <name>', 'name of the oracle run to create (default: <run>-oracle-<prompts>)')
    .option(
      '--success-iou <t>',
      'run IoU at or above which a sample is a success',
      parseUnit,
      DEFAULT_STAGE_THRESHOLDS.successIou,
    )
    .option(
      '--oracle-iou <t>',
      'oracle IoU at or above which a failure is blamed on reasoning/localization',
      parseUnit,
      DEFAULT_STAGE_THRESHOLDS.oracleIou,
    )
    .option('--tag', 'also turn the labels into failure tags on the run')
    .option('--json', 'print the summary as JSON')
    .addOption(gtOption())
    .addOption(excludeFlaggedOption())
    .action(
      async (opts: {
        project: string
        run: string
        oracleRun?: string
        model?: string
        prompts: 'gt-box' | 'gt-box+points'
        outRun?: string
        successIou: number
        oracleIou: number
        tag?: boolean
        json?: boolean
      }) => {
        const project = openProject(opts.project)
        try {
          const run = requireRun(project.db, opts.run)
          let oracleId: number
          if (opts.oracleRun) oracleId = requireRun(project.db, opts.oracleRun).id
          else {
            // An existing oracle run from the same source, model and prompts is resumed, not redone.
            const outRun = opts.outRun ?? `${run.name}-oracle-${opts.prompts}`
            const engine = createEngine({ projectDir: project.dir })
            try {
              const modelId = opts.model ?? engine.defaultModelId
              const info = engine.listModels().find((m) => m.id === modelId)
              if (info?.isBaseline) {
                process.stderr.write(
                  `note: the oracle uses ${info.label}, a classical baseline, not a SAM model\n`,
                )
              }
              const progress = createProgress(`oracle ${opts.prompts} (${modelId}):`)
              const r = await segmentRun(project, engine, {
                fromRun: run.id,
                modelId,
                prompts: opts.prompts,
                outRun,
                onProgress: (p) => progress.update(p.done, p.total),
              })
              progress.finish(`run '${outRun}'${r.resumed ? ` (${r.resumed} samples resumed)` : ''}`)
              oracleId = r.runId
            } finally {
              await engine.dispose()
            }
          }
          const att = attributeStages(
            project.db,
            run.id,
            oracleId,
            { successIou: opts.successIou, oracleIou: opts.oracleIou },
            gtOptionsOf(opts),
          )
          const tags = opts.tag ? stageLabelsToTags(project.db, run.id) : null
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ ...getStageAttribution(project.db, run.id), samples: undefined, tags })}\n`,
            )
            return
          }
          const out = [
            `stage attribution of '${run.name}' against '${att.oracleRunName}' (success IoU ≥ ${opts.successIou}, oracle IoU ≥ ${opts.oracleIou}; ` +
              `${att.gt.gt} GT${att.gt.excludeFlagged ? ', flagged samples excluded' : ''}):`,
          ]
          for (const r of att.summary) {
            out.push(
              `  ${r.name.padEnd(34)} ${String(r.n).padStart(6)}  ${(r.share * 100).toFixed(1).padStart(5)}%  mean run IoU ${r.meanRunIou.toFixed(4)}  mean oracle IoU ${r.meanOracleIou.toFixed(4)}`,
            )
          }
          if (att.unattributed)
            out.push(`  not attributed (no oracle result)    ${String(att.unattributed).padStart(6)}`)
          if (tags) out.push(...tags.map((t) => `  tagged ${t.count} samples '${t.tag}'`))
          process.stdout.write(`${out.join('\n')}\n`)
        } finally {
          project.close()
        }
      },
    )
}
