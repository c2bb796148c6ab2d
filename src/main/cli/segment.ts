/** `reseg segment`: re-segment a run with its own prompts or oracle prompts from the GT, into a new run. */
import { Option, type Command } from 'commander'
import { promptSourceSchema, type PromptSource } from '../../shared/contract/segment'
import { segmentRun } from '../engine/batch'
import { createEngine } from '../engine/registry'
import { openProject } from '../store/project'
import { createProgress } from './progress'
import { parsePositiveInt } from './project'

export function registerSegmentCommands(program: Command): void {
  program
    .command('segment')
    .description(
      're-segment every sample of a run (its own prompts, or oracle prompts from the GT mask) with a model into a new run; re-running the same command resumes',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--from-run <run>', 'run whose samples (and prompts) to use')
    .requiredOption(
      '--out-run <name>',
      'name of the run to write (resumed if it exists from the same run, model and prompts)',
    )
    .option(
      '--model <id>',
      'segmentation model id (default: the first installed SAM model, else the GrabCut baseline)',
    )
    .addOption(
      new Option('--prompts <source>', 'where the prompts come from')
        .choices(promptSourceSchema.options)
        .default('run'),
    )
    .option('--limit <n>', 'only the first N samples of the run (by sample id)', parsePositiveInt)
    .action(
      async (opts: {
        project: string
        fromRun: string
        outRun: string
        model?: string
        prompts: PromptSource
        limit?: number
      }) => {
        const project = openProject(opts.project)
        const engine = createEngine({ projectDir: project.dir })
        const abort = new AbortController()
        const stop = () => abort.abort()
        process.once('SIGINT', stop)
        try {
          await engine.ready
          for (const w of engine.warnings) process.stderr.write(`warning: ${w}\n`)
          const model = (await engine.getSegmenter(opts.model ?? engine.defaultModelId)).info
          if (model.isBaseline) {
            process.stderr.write(
              `note: ${model.label} is a classical baseline, not a SAM model; its run is labelled as such\n`,
            )
          }
          const progress = createProgress(`segment ${opts.outRun}:`)
          const r = await segmentRun(project, engine, {
            fromRun: opts.fromRun,
            modelId: model.id,
            prompts: opts.prompts,
            outRun: opts.outRun,
            limit: opts.limit,
            signal: abort.signal,
            onProgress: (p) => progress.update(p.done, p.total),
          })
          progress.finish(`${r.segmented} segmented, ${r.resumed} already done`)
          const parts = [
            `run '${r.name}' (model ${r.model.id}: ${r.model.label}, prompts ${r.prompts}):`,
            `${r.total} samples (${r.resumed} resumed, ${r.empty} without prompts → empty mask)`,
            `gIoU ${r.gIoU.toFixed(4)}, cIoU ${r.cIoU.toFixed(4)} (Seg-Zero convention)`,
          ]
          process.stdout.write(`${parts.join(' ')}\n`)
        } finally {
          process.off('SIGINT', stop)
          await engine.dispose()
          project.close()
        }
      },
    )
}
