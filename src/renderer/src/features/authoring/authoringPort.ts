/**
 * The two backend calls the "Add images" dialog makes, in one place: store an image into a dataset (new or
 * existing, with its split), then add a query on it as a sample with an empty GT.
 */
import type { ApiClient } from '../../../../shared/contract/client'

export type DatasetChoice = { id: number } | { name: string; split: string }

export interface AuthoringPort {
  addImage(input: {
    name: string
    dataBase64: string
    dataset: DatasetChoice
    split: string
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
    async addImage(input) {
      void api
      void input
      throw new Error('TODO: waiting for the addImages contract')
    },
    async addQuery(input) {
      void input
      throw new Error('TODO: waiting for the addSampleQuery contract')
    },
  }
}
