/**
 * The whole API contract: every method the renderer may call, merged from one file per capability area.
 * Both hosts serve exactly these methods, and the renderer's client is generated from this object.
 */
import type { z } from 'zod'
import type { MethodSpec } from './define'
import { projectMethods } from './project'
import { samplesMethods } from './samples'
import { tagsMethods } from './tags'
import { notesMethods } from './notes'
import { editsMethods } from './edits'
import { metricsMethods } from './metrics'
import { analysisMethods } from './analysis'
import { reasonMethods } from './reason'
import { segmentMethods } from './segment'
import { datasetsMethods } from './datasets'
import { runsMethods } from './runs'
import { gtMethods } from './gt'
import { authorMethods } from './author'
import { exportDatasetMethods } from './exportDataset'
import { suggestMethods } from './suggest'
import { rolloutsMethods } from './rollouts'
import { maintenanceMethods } from './maintenance'
import { labMethods } from './lab'
import { importingMethods } from './importing'

export const contract = {
  ...projectMethods,
  ...samplesMethods,
  ...tagsMethods,
  ...notesMethods,
  ...editsMethods,
  ...metricsMethods,
  ...analysisMethods,
  ...reasonMethods,
  ...segmentMethods,
  ...datasetsMethods,
  ...runsMethods,
  ...gtMethods,
  ...authorMethods,
  ...exportDatasetMethods,
  ...suggestMethods,
  ...rolloutsMethods,
  ...maintenanceMethods,
  ...labMethods,
  ...importingMethods,
} satisfies Record<string, MethodSpec>

export type Contract = typeof contract
export type MethodName = keyof Contract
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>

export const methodNames = Object.keys(contract).sort() as MethodName[]

export { ApiError, defineMethod } from './define'
export type { ApiEvent, Job } from './events'
