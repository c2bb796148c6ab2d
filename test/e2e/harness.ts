/**
 * Shared pieces for browser tests: a serve host over a project folder, and Debian's Chromium driven by
 * playwright-core (no browser download: the apt package; path lookup and flags in src/main/reports/chromium).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { createDemoProject } from '../../src/main/demo/demo'
import { CHROMIUM_ARGS, findChromium } from '../../src/main/reports/chromium'
import { startServeHost, type ServeHandle } from '../../src/main/hosts/serve/server'
import { openProject, type Project } from '../../src/main/store/project'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const RENDERER_DIR = path.join(ROOT, 'out/renderer')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? findChromium() ?? '/usr/bin/chromium'

export interface Served extends ServeHandle {
  project: Project
  projectDir: string
  stop(): Promise<void>
}

/** A serve host over the project in `projectDir`; `importRoot` confines the import form's folder browser. */
export async function startServe(opts: { projectDir: string; importRoot?: string }): Promise<Served> {
  const project = openProject(opts.projectDir)
  const handle = await startServeHost({ project, rendererDir: RENDERER_DIR, importRoot: opts.importRoot })
  return {
    ...handle,
    project,
    projectDir: opts.projectDir,
    async stop() {
      await handle.close()
      project.close()
    },
  }
}

/**
 * One API method called over HTTP as the holder of `token` (the host's own by default), as a page calls it:
 * the answer's value, or its error's message thrown.
 */
export async function callApi<T = unknown>(
  served: Served,
  method: string,
  input: unknown,
  token: string = served.token,
): Promise<T> {
  const res = await fetch(`${served.baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  })
  const r = (await res.json()) as { ok: boolean; value: T; error?: { message: string } }
  if (!r.ok) throw new Error(r.error?.message)
  return r.value
}

/** A fresh small demo project in a temp folder (deterministic for a given seed). */
export async function makeDemoProject(opts: { images?: number; seed?: number } = {}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-e2e-'))
  const project = await createDemoProject(dir, { images: opts.images ?? 12, seed: opts.seed })
  project.close()
  return dir
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS],
  })
}
