/** Handlers for src/shared/contract/author.ts. */
import { ApiError } from '../../shared/contract/define'
import type { authorMethods } from '../../shared/contract/author'
import {
  addImages,
  addSampleQuery,
  AuthorError,
  deleteAuthoredSample,
  listDatasetImages,
} from '../datasets/author'
import { osUserName } from './gt'
import type { HandlersFor } from './types'

async function mapErrors<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    if (err instanceof AuthorError) throw new ApiError(err.code, err.message)
    throw err
  }
}

export const authorHandlers: HandlersFor<typeof authorMethods> = {
  addImages: ({ dataset, split, images }, { project }) =>
    mapErrors(() =>
      addImages(project, {
        dataset,
        split: split ?? null,
        images: images.map((i) => ({ name: i.name, bytes: Buffer.from(i.dataBase64, 'base64') })),
      }),
    ),
  listDatasetImages: ({ datasetId }, { project }) => mapErrors(() => listDatasetImages(project, datasetId)),
  addSampleQuery: (input, { project }) =>
    mapErrors(() => addSampleQuery(project, { ...input, author: osUserName() })),
  deleteAuthoredSample: ({ sampleId }, { project }) =>
    mapErrors(() => {
      deleteAuthoredSample(project, sampleId)
      return { sampleId, deleted: true as const }
    }),
}
