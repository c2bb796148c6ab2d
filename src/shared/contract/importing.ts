/**
 * The import form's backend: where sources may be picked (a native dialog on the desktop, a folder browser
 * confined to one root elsewhere), and a preview of what an import would read, from the real importers.
 * The import itself stays `importDataset` / `importRun`.
 */
import { z } from 'zod'
import { datasetFormatSchema } from './datasets'
import { defineMethod } from './define'
import { runFormatSchema } from './runs'

/** A cheap guess of what a file or folder holds, from names only (no file is parsed for it). */
export const formatHintSchema = z.enum([
  'hf-parquet',
  'lisa',
  'folder',
  'run-jsonl',
  'run-eval',
  'json',
  'image',
])
export type FormatHint = z.infer<typeof formatHintSchema>

export const folderEntrySchema = z.object({
  name: z.string(),
  /** Absolute path on the backend's machine (symlinks resolved). */
  path: z.string(),
  kind: z.enum(['dir', 'file']),
  /** Bytes, for files. */
  size: z.number().nullable(),
  hint: formatHintSchema.nullable(),
})
export type FolderEntry = z.infer<typeof folderEntrySchema>

export const importProblemSchema = z.object({
  file: z.string().nullable(),
  /** Line (JSONL, from 1) or row (parquet, from 0) as the reader names it, when the problem has one. */
  row: z.number().int().nullable(),
  message: z.string(),
})
export type ImportProblem = z.infer<typeof importProblemSchema>

export const datasetPreviewRowSchema = z.object({
  where: z.string(),
  imageId: z.string(),
  annId: z.string(),
  query: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  maskArea: z.number().int(),
})

export const runPreviewRowSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  imageId: z.string(),
  annId: z.string(),
  /** The answer text, or the start of the raw output / reasoning when there is no separate answer. */
  answer: z.string().nullable(),
  /** Prompted objects, when the record has prompts. */
  objects: z.number().int().nullable(),
  hasMask: z.boolean(),
  /** IoU against the sample's ground truth, as the import would store it. */
  iou: z.number(),
})

const previewBase = {
  path: z.string(),
  /** The format the import would use (auto resolved). */
  format: z.string(),
  /** All rows of the source when cheap to count (parquet metadata, a run file), else null. */
  total: z.number().int().nullable(),
  /** Problems found: the first rows of a dataset (streamed), every line of a run file. */
  problems: z.array(importProblemSchema),
  problemCount: z.number().int(),
  /** A name for the new dataset or run, from the source's name. */
  suggestedName: z.string(),
}

export const PREVIEW_ROWS = 5

export const importingMethods = {
  getImportSources: defineMethod({
    description:
      "How this host lets the user pick an import source: a native dialog (desktop) or the folder browser's root.",
    input: z.object({}).strict(),
    output: z.object({
      /** The folder browseFolder is confined to (the project's parent, or `reseg serve --root`). */
      root: z.string(),
      /** True where pickPath opens a native file/folder dialog. */
      nativeDialog: z.boolean(),
    }),
  }),
  browseFolder: defineMethod({
    description:
      'Lists a folder under the import root (folders first, then files, with a format hint); a path outside ' +
      'the root, after resolving symlinks and "..", is refused.',
    input: z.object({ path: z.string().min(1).max(4096).optional() }).strict(),
    output: z.object({
      root: z.string(),
      path: z.string(),
      /** The folder above, or null at the root. */
      parent: z.string().nullable(),
      entries: z.array(folderEntrySchema),
      /** More entries than are listed. */
      truncated: z.boolean(),
    }),
  }),
  pickPath: defineMethod({
    description:
      "Opens the host's native file or folder dialog; { available: false } on hosts without one (the browser).",
    input: z
      .object({
        kind: z.enum(['file', 'folder']),
        title: z.string().max(200).optional(),
        filters: z
          .array(
            z
              .object({
                name: z.string().max(100),
                extensions: z.array(z.string().regex(/^[A-Za-z0-9*]{1,16}$/)).max(20),
              })
              .strict(),
          )
          .max(10)
          .default([]),
      })
      .strict(),
    output: z.object({ available: z.boolean(), path: z.string().nullable() }),
  }),
  previewImport: defineMethod({
    description:
      'Reads the first rows of a dataset or run source with the importer the import would use (nothing is ' +
      'written) and lists the problems found, each with its file and row.',
    input: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('dataset'),
          path: z.string().min(1).max(4096),
          format: datasetFormatSchema.default('auto'),
          split: z.string().min(1).optional(),
        })
        .strict(),
      z
        .object({
          kind: z.literal('run'),
          path: z.string().min(1).max(4096),
          format: runFormatSchema.default('auto'),
          dataset: z.string().min(1).optional(),
        })
        .strict(),
    ]),
    output: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('dataset'),
        ...previewBase,
        split: z.string().nullable(),
        rows: z.array(datasetPreviewRowSchema),
      }),
      z.object({
        kind: z.literal('run'),
        ...previewBase,
        /** The dataset the run's records were matched against (null when none could be chosen). */
        dataset: z.string().nullable(),
        rows: z.array(runPreviewRowSchema),
      }),
    ]),
  }),
}
