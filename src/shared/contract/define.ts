/**
 * The building blocks of the API contract: a method is a pair of zod schemas (input, output) plus a
 * one-line description. Hosts validate every incoming payload against `input`; the typed client in the
 * renderer is derived from the same objects, so there is no second list of methods to keep in sync.
 */
import type { z } from 'zod'

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I
  output: O
  description: string
}

export function defineMethod<I extends z.ZodType, O extends z.ZodType>(
  spec: MethodSpec<I, O>,
): MethodSpec<I, O> {
  return spec
}

/** An error a handler raises on purpose; hosts forward `code` and `message` to the renderer unchanged. */
export class ApiError extends Error {
  constructor(
    readonly code:
      'bad_request' | 'not_found' | 'conflict' | 'unavailable' | 'cancelled' | 'internal' | 'forbidden',
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}
