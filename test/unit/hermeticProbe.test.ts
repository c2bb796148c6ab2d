/**
 * What the code under test sees of the user's installation inside a test process: nothing. Run as part of
 * the suite, and by test/unit/hermetic.test.ts under an environment that plants a bogus user catalogue,
 * credentials and data folder.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { userDataDir } from '../../src/main/appPaths'
import { listOnnxModels, modelsDir } from '../../src/main/engine/onnx/manifest'
import { createEngine } from '../../src/main/engine/registry'
import { credentialsPath, describeKeySource, resolveApiKey } from '../../src/main/reason/credentials'

const home = process.env.RESEG_TEST_HOME!

describe('a test process', () => {
  it('keeps its data folder, models folder and credentials in its own temp folder', () => {
    expect(home).toBeTruthy()
    expect(path.relative(home, userDataDir()).startsWith('..')).toBe(false)
    expect(path.relative(home, modelsDir()).startsWith('..')).toBe(false)
    expect(path.relative(home, credentialsPath()).startsWith('..')).toBe(false)
  })

  it('sees only the repository manifest, no user model, no key and the GrabCut default', async () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../models/manifest.json'), 'utf8'),
    ) as { models: { id: string }[] }
    const catalogue = listOnnxModels()
    expect(catalogue.map((m) => [m.id, m.origin, m.installed])).toEqual(
      manifest.models.map((m) => [m.id, 'manifest', false]),
    )
    expect(resolveApiKey('local')).toBeNull()
    expect(describeKeySource('local')).toEqual({ source: 'none', where: null, warning: null })
    const engine = createEngine()
    await engine.ready
    expect(engine.listModels().map((m) => m.id)).toEqual(['grabcut-baseline'])
    await engine.dispose()
  })
})
