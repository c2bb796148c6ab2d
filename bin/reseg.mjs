#!/usr/bin/env node
// The `reseg` command: runs the TypeScript CLI through tsx, so there is no separate CLI build to go stale.
import { register } from 'tsx/esm/api'

register()
await import('../src/main/cli/main.ts')
