/**
 * Where the system's Chromium is and how it is launched headless: the one list of candidate paths and
 * launch flags shared by PDF export and the browser tests (playwright-core drives it; no browser download).
 * The flags keep the browser from reaching out (no background networking, sync or component updates).
 */
import fs from 'node:fs'

export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
]

/** RESEG_CHROMIUM when set (null if that file is missing), else the first installed candidate, else null. */
export function findChromium(): string | null {
  const env = process.env.RESEG_CHROMIUM
  if (env) return fs.existsSync(env) ? env : null
  return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p)) ?? null
}

/** Arguments for `chromium.launch({ executablePath, args })`. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]
