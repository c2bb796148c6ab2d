/**
 * What `reseg rollouts` and the app's startRollouts job share: the endpoint pool from saved endpoint names
 * (API keys from the environment or the credentials file, the rollout temperature applied to every endpoint)
 * and the source samples by name.
 */
import { resolveApiKey } from '../reason/credentials'
import { getEndpoint, validateEndpoint } from '../reason/store'
import type { Db } from '../store/project'
import { EndpointPool, type PoolOptions } from './pool'

export function poolFromEndpoints(
  db: Db,
  names: readonly string[],
  temperature: number,
  opts: PoolOptions & { maxTokens?: number; timeoutMs?: number } = {},
): { pool: EndpointPool; model: string; warnings: string[] } {
  if (names.length === 0) throw new Error('give at least one --endpoint')
  const warnings: string[] = []
  const endpoints = names.map((name) => {
    const e = getEndpoint(db, name)
    const settings = {
      ...e,
      temperature,
      maxTokens: opts.maxTokens ?? e.maxTokens,
      timeoutMs: opts.timeoutMs ?? e.timeoutMs,
    }
    validateEndpoint(settings)
    return { settings, apiKey: resolveApiKey(name) }
  })
  const model = endpoints[0].settings.model
  for (const e of endpoints.slice(1))
    if (e.settings.model !== model)
      warnings.push(
        `endpoint '${e.settings.name}' serves ${e.settings.model}, not ${model}: the pool mixes models`,
      )
  return { pool: new EndpointPool(endpoints, opts), model, warnings }
}
