/**
 * Setup file of every vitest project (see test/hermetic.ts): drops the user's keys and endpoints from this
 * test process before any test module loads, so neither the code under test nor a CLI a test spawns sees them.
 */
import { USER_ONLY_VARS } from './hermetic'

for (const name of Object.keys(process.env)) if (USER_ONLY_VARS.test(name)) delete process.env[name]
