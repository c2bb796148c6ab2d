/** `reseg export-dataset`: a dataset of a project as ReasonSeg hf-parquet, LISA json polygons or COCO. */
import { Option, type Command } from 'commander'
import { gtWhichSchema, type GtWhich } from '../../shared/contract/gt'
import { EXPORT_FORMATS, exportDataset, type ExportFormat } from '../datasets/export/exportDataset'
import { openProject } from '../store/project'
import { excludeFlaggedOption } from './gt'
import { createProgress } from './progress'

export function registerExportDatasetCommands(program: Command): void {
  program
    .command('export-dataset')
    .description(
      "write a dataset as ReasonSeg's Hugging Face parquet (data/<split>-*.parquet + README.md), a LISA " +
        'folder (json polygons + images) or COCO instances (RLE + images); atomic: the folder appears complete or not at all',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--dataset <name>', 'dataset to export')
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .addOption(
      new Option('--gt <version>', 'ground truth to write')
        .choices(gtWhichSchema.options)
        .default('original'),
    )
    .addOption(excludeFlaggedOption())
    .requiredOption('--out <dir>', 'output folder (must not exist or be empty, unless --force)')
    .option('--force', 'replace an existing non-empty output folder')
    .option('--json', 'print the summary as JSON')
    .action(
      async (opts: {
        project: string
        dataset: string
        format: ExportFormat
        gt: GtWhich
        excludeFlagged?: boolean
        out: string
        force?: boolean
        json?: boolean
      }) => {
        const project = openProject(opts.project)
        const progress = createProgress(`export ${opts.format}:`)
        try {
          const r = await exportDataset(project, {
            dataset: opts.dataset,
            format: opts.format,
            gt: opts.gt,
            excludeFlagged: opts.excludeFlagged ?? false,
            out: opts.out,
            force: opts.force ?? false,
            onProgress: (done, total) => progress.update(done, total),
          })
          progress.finish(`${r.samples} samples, ${(r.bytes / 1e6).toFixed(1)} MB`)
          if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`)
          else {
            process.stdout.write(
              `exported dataset '${r.dataset}' (${r.gt} GT${r.excluded ? `, ${r.excluded} flagged left out` : ''}) ` +
                `as ${r.format}: ${r.samples} samples, ${r.images} images, ${r.files.length} files in ${r.out}\n`,
            )
          }
        } finally {
          project.close()
        }
      },
    )
}
