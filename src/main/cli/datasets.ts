/** `reseg import dataset`: a benchmark split (ReasonSeg parquet, hf://, LISA, COCO, plain folder) into a project. */
import { Option, type Command } from 'commander'
import { DATASET_FORMATS, importDataset, type DatasetFormat } from '../datasets/importDataset'
import { openProject } from '../store/project'
import { createProgress } from './progress'

export function registerDatasetCommands(program: Command): void {
  // `import` is shared with the run commands; whichever area registers first creates it.
  const importCmd =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import a dataset or a model run into a project')

  importCmd
    .command('dataset <source>')
    .description(
      'import a dataset: a ReasonSeg parquet file or HF folder (data/<split>-*.parquet), hf://<owner>/<dataset>, ' +
        'a LISA ReasonSeg folder, a COCO instances JSON + images, or a folder with images/, masks/ and queries.jsonl',
    )
    .requiredOption('--project <dir>', 'project folder (created if missing)')
    .addOption(new Option('--format <format>', 'input format').choices(DATASET_FORMATS).default('auto'))
    .option('--name <name>', 'dataset name in the project (default: from the source and split)')
    .option('--split <split>', 'split to import when the source holds several (e.g. test, val)')
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        source: string,
        opts: { project: string; format: DatasetFormat; name?: string; split?: string; json?: boolean },
      ) => {
        const project = openProject(opts.project, { create: true })
        const progress = createProgress('import dataset:')
        const download = createProgress('download:')
        try {
          const r = await importDataset(project, source, {
            format: opts.format,
            name: opts.name,
            split: opts.split ?? null,
            onProgress: (done, total) => progress.update(done, total),
            onDownload: (file, done, total) =>
              download.update(Math.round(done / 1e6), Math.round(total / 1e6), `MB of ${file}`),
          })
          progress.finish(`${r.samples} samples`)
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`)
          else {
            process.stdout.write(
              `imported dataset '${r.name}' (${r.format}${r.split ? `, split ${r.split}` : ''}): ` +
                `${r.samples} samples, ${r.images} images\n`,
            )
          }
        } finally {
          project.close()
        }
      },
    )
}
