/**
 * Authoring new samples: images uploaded by the renderer (base64; validated and fully decoded by the
 * backend before anything is stored) into a new or existing dataset, then queries per image. Each query
 * is an ordinary sample with an empty GT ("no target") that the GT edit tools (gt area) then draw.
 */
import { z } from 'zod'
import { defineMethod } from './define'

/**
 * 32 MiB of base64 per image (~24 MB of file, far above any benchmark image) and 256 MiB per call. The serve
 * host also caps a request body at 32 MB, so a renderer sends large images one call each.
 */
const MAX_BASE64 = 32 * 1024 * 1024
const MAX_TOTAL_BASE64 = 256 * 1024 * 1024

export const authoredImageSchema = z.object({
  imageId: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  mediaHash: z.string(),
})

export const authorMethods = {
  addImages: defineMethod({
    description:
      "Adds images (file name + base64 bytes) to a dataset, created (format 'authored') when none has that name. " +
      'All images are decoded first: a non-image or undecodable file stores nothing.',
    input: z
      .object({
        dataset: z.string().trim().min(1).max(200),
        split: z.string().trim().min(1).max(100).nullable().optional(),
        images: z
          .array(
            z
              .object({
                name: z.string().trim().min(1).max(500),
                dataBase64: z
                  .string()
                  .min(1)
                  .max(MAX_BASE64)
                  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
              })
              .strict(),
          )
          .min(1)
          .max(200)
          .refine((imgs) => imgs.reduce((n, i) => n + i.dataBase64.length, 0) <= MAX_TOTAL_BASE64, {
            message: `over ${MAX_TOTAL_BASE64} bytes of base64 in one call; send the images in several calls`,
          }),
      })
      .strict(),
    output: z.object({
      datasetId: z.number().int(),
      created: z.boolean(),
      images: z.array(authoredImageSchema),
    }),
  }),
  listDatasetImages: defineMethod({
    description: 'Every image of a dataset (added by hand or behind its samples) with its number of samples.',
    input: z.object({ datasetId: z.number().int() }).strict(),
    output: z.array(authoredImageSchema.extend({ samples: z.number().int() })),
  }),
  addSampleQuery: defineMethod({
    description:
      'Adds a query (phrase or sentence, stored like ReasonSeg is_sentence) to an image of a dataset: a new sample ' +
      'with an empty GT, drawn afterwards with the GT edit tools.',
    input: z
      .object({
        datasetId: z.number().int(),
        imageId: z.string().min(1).max(200),
        query: z.string().max(10_000),
        isSentence: z.boolean().nullable().optional(),
        annId: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    output: z.object({ sampleId: z.number().int(), annId: z.string() }),
  }),
  deleteAuthoredSample: defineMethod({
    description: 'Deletes a sample authored in the app (imported samples are refused).',
    input: z.object({ sampleId: z.number().int() }).strict(),
    output: z.object({ sampleId: z.number().int(), deleted: z.literal(true) }),
  }),
}
