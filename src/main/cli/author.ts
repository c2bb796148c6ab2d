/**
 * `reseg author`: new samples by hand — images from a folder (or one file) into a dataset, then queries per
 * image. The GT of an authored sample starts empty ("no target") and is drawn in the app's GT edit mode.
 */
import { Option, type Command } from 'commander'
import { addImages, addSampleQuery, readImageFiles } from '../datasets/author'
import { osUserName } from '../api/gt'
import { openProject } from '../store/project'
import { resolveDataset } from './gt'

function sentenceFlag(opts: { sentence?: boolean; phrase?: boolean }): boolean | null {
  if (opts.sentence && opts.phrase) throw new Error('--sentence and --phrase exclude each other')
  return opts.sentence ? true : opts.phrase ? false : null
}

export function registerAuthorCommands(program: Command): void {
  const author = program
    .command('author')
    .description('author new samples: add images, then queries per image')

  author
    .command('add-images <path>')
    .description(
      'add the images of a folder (or one image file) to a dataset, created when missing; every file is decoded ' +
        'first, so a non-image or broken file stores nothing',
    )
    .requiredOption('--project <dir>', 'project folder (created if missing)')
    .requiredOption('--dataset <name>', 'dataset name (new or existing)')
    .option('--split <split>', 'split of a new dataset (e.g. val, test)')
    .addOption(
      new Option('--query <text>', 'a query to add to every image (repeatable)')
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([]),
    )
    .option('--sentence', 'the queries are sentences (is_sentence = true)')
    .option('--phrase', 'the queries are phrases (is_sentence = false)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        target: string,
        opts: {
          project: string
          dataset: string
          split?: string
          query: string[]
          sentence?: boolean
          phrase?: boolean
          json?: boolean
        },
      ) => {
        const isSentence = sentenceFlag(opts)
        // Checked before anything is stored, like the images themselves.
        if (opts.query.some((q) => !q.trim())) throw new Error('--query: the query is empty')
        const images = readImageFiles(target)
        const project = openProject(opts.project, { create: true })
        try {
          const r = await addImages(project, {
            dataset: opts.dataset,
            split: opts.split ?? null,
            images,
            source: target,
          })
          const samples = project.db.transaction(() =>
            r.images.flatMap((img) =>
              opts.query.map((q) => ({
                imageId: img.imageId,
                ...addSampleQuery(project, {
                  datasetId: r.datasetId,
                  imageId: img.imageId,
                  query: q,
                  isSentence,
                  author: osUserName(),
                }),
              })),
            ),
          )()
          if (opts.json) process.stdout.write(`${JSON.stringify({ ...r, samples })}\n`)
          else {
            process.stdout.write(
              `${r.created ? 'created' : 'added to'} dataset '${opts.dataset}': ${r.images.length} images` +
                `${samples.length ? `, ${samples.length} samples` : ''}\n`,
            )
          }
        } finally {
          project.close()
        }
      },
    )

  author
    .command('add-query')
    .description('add a query to an image of a dataset: a new sample with an empty GT (draw it in the app)')
    .requiredOption('--project <dir>', 'project folder')
    .option('--dataset <name>', 'dataset (default: the only one)')
    .requiredOption('--image <id>', 'image id (the file name without extension)')
    .requiredOption('--query <text>', 'the query')
    .option('--sentence', 'the query is a sentence (is_sentence = true)')
    .option('--phrase', 'the query is a phrase (is_sentence = false)')
    .option('--ann-id <id>', 'annotation id (default: the next free integer for the image)')
    .action(
      (opts: {
        project: string
        dataset?: string
        image: string
        query: string
        sentence?: boolean
        phrase?: boolean
        annId?: string
      }) => {
        const project = openProject(opts.project)
        try {
          const ds = resolveDataset(project.db, opts.dataset)
          const r = addSampleQuery(project, {
            datasetId: ds.id,
            imageId: opts.image,
            query: opts.query,
            isSentence: sentenceFlag(opts),
            annId: opts.annId,
            author: osUserName(),
          })
          process.stdout.write(`sample ${r.sampleId}: ${opts.image}/${r.annId} in dataset '${ds.name}'\n`)
        } finally {
          project.close()
        }
      },
    )
}
