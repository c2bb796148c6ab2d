/**
 * Hermetic tests: every test process (and every CLI the tests spawn, which inherits its environment) gets its
 * own data folder, models folder, credentials file and Hugging Face cache under one fresh temp folder, and none
 * of the user's keys or endpoints. Without this a test reads whatever the user has: a model registered with
 * `reseg models add` (`models/weights/user-models.json`), an API key in `~/.config/reseg/credentials.json`, a
 * `RESEG_MODELS_DIR` exported in their shell.
 *
 * vitest.config.ts puts `hermeticEnv(root)` into each project's `env`; test/hermeticSetup.ts (a setup file)
 * removes the variables in `USER_ONLY_VARS` from each test process before any test module loads.
 */
import path from 'node:path'

/** Variables that carry the user's own secrets or endpoints: tests run without them. */
export const USER_ONLY_VARS = /^(RESEG_API_KEY(_.*)?|HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HF_ENDPOINT)$/

/** The environment tests run in, everything under `root` (a fresh temp folder per `vitest` run). */
export function hermeticEnv(root: string, repoRoot: string): Record<string, string> {
  return {
    RESEG_TEST_HOME: root,
    RESEG_DATA_DIR: path.join(root, 'data'),
    RESEG_MODELS_DIR: path.join(root, 'models'),
    // The repository's manifest is part of the code under test; a user's RESEG_MODELS_MANIFEST is not.
    RESEG_MODELS_MANIFEST: path.join(repoRoot, 'models', 'manifest.json'),
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_DATA_HOME: path.join(root, 'share'),
    RESEG_CREDENTIALS_FILE: path.join(root, 'config', 'reseg', 'credentials.json'),
    RESEG_HF_CACHE: path.join(root, 'hf-cache'),
  }
}
