/** The failure-tag taxonomy (project-wide, editable, seeded with defaults) and tags per (run, sample). */
import { z } from 'zod'
import { defineMethod } from './define'

export const tagSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  color: z.string(),
  position: z.number().int(),
  description: z.string().nullable(),
})
export type Tag = z.infer<typeof tagSchema>

const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like #aabbcc')

export const tagsMethods = {
  listTags: defineMethod({
    description:
      'The failure-tag taxonomy in display order; the defaults are created the first time it is read.',
    input: z.object({}).strict(),
    output: z.array(tagSchema),
  }),
  saveTag: defineMethod({
    description: 'Creates a tag (no id) or renames / recolours / moves one.',
    input: z
      .object({
        id: z.number().int().optional(),
        name: z.string().trim().min(1).max(80),
        color: colorSchema.optional(),
        position: z.number().int().optional(),
        description: z.string().nullable().optional(),
      })
      .strict(),
    output: tagSchema,
  }),
  deleteTag: defineMethod({
    description: 'Removes a tag from the taxonomy and from every sample carrying it.',
    input: z.object({ id: z.number().int() }).strict(),
    output: z.object({ deleted: z.boolean() }),
  }),
  setSampleTag: defineMethod({
    description: 'Puts a tag on, or takes it off, a sample for one run; returns the tags the sample now has.',
    input: z
      .object({
        runId: z.number().int(),
        sampleId: z.number().int(),
        tagId: z.number().int(),
        on: z.boolean(),
      })
      .strict(),
    output: z.object({ tagIds: z.array(z.number().int()) }),
  }),
}
