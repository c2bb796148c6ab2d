/**
 * The two backend calls the "Add images" dialog makes, in one place: store an image into a dataset (by
 * name: an existing one, or a new one the backend creates, with its split), then add a query on it as a
 * sample with an empty GT.
 */
import type { ApiClient } from '../../../../shared/contract/client'

export interface AuthoringPort {
  addImage(input: {
    name: string
    dataBase64: string
    dataset: string
    /** The split of a new dataset; null keeps an existing dataset's. */
    split: string | null
  }): Promise<{ datasetId: number; imageId: string }>
  addQuery(input: {
    datasetId: number
    imageId: string
    query: string
    isSentence: boolean
  }): Promise<{ sampleId: number }>
}

export function authoringPort(api: ApiClient): AuthoringPort {
  return {
    async addImage({ name, dataBase64, dataset, split }) {
      const r = await api.addImages({ dataset, split, images: [{ name, dataBase64 }] })
      return { datasetId: r.datasetId, imageId: r.images[0].imageId }
    },
    async addQuery(input) {
      const r = await api.addSampleQuery(input)
      return { sampleId: r.sampleId }
    },
  }
}
