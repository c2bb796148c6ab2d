/** Removes the run's hermetic temp folder (created by vitest.config.ts) when the whole run ends. */
import fs from 'node:fs'

export default function setup(): () => void {
  const root = process.env.RESEG_TEST_RUN_HOME
  return () => {
    if (root) fs.rmSync(root, { recursive: true, force: true })
  }
}
