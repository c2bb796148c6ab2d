import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defineConfig } from 'vitest/config'
import { hermeticEnv } from './test/hermetic.ts'

// Hermetic runs: one fresh folder per run holds the tests' data folder, models folder and credentials
// (test/hermetic.ts); test/hermeticGlobalSetup.ts removes it at the end.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-test-home-'))
process.env.RESEG_TEST_RUN_HOME = home
const env = hermeticEnv(home, import.meta.dirname)
const setupFiles = ['test/hermeticSetup.ts']

// unit: plain Node, parallel. e2e: one built renderer, real Chromium through the serve host, run in one
// worker so browser tests do not fight over two cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          env,
          setupFiles,
          globalSetup: ['test/hermeticGlobalSetup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          pool: 'forks',
          fileParallelism: false,
          // A poll waits on a server round trip and a render; vitest's 1 s default is too short for a
          // loaded two-core CI machine. Polls still fail when the awaited state never comes.
          expect: { poll: { timeout: 10_000 } },
          env,
          setupFiles,
          globalSetup: ['test/hermeticGlobalSetup.ts', 'test/e2e/globalSetup.ts'],
        },
      },
    ],
  },
})
