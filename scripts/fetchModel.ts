/**
 * `npm run models:fetch -- <id> [--dir DIR]`: downloads a manifest model's files into the models dir
 * (resumable, SHA-256 checked). Progress on stderr, one result line per file on stdout.
 */
import { fetchModel } from '../src/main/engine/onnx/fetch'
import { loadManifest, modelsDir } from '../src/main/engine/onnx/manifest'
import { createProgress } from '../src/main/cli/progress'

async function main(argv: string[]): Promise<void> {
  const args = [...argv]
  let dir: string | undefined
  const at = args.indexOf('--dir')
  if (at >= 0) {
    dir = args[at + 1]
    args.splice(at, 2)
  }
  const id = args[0]
  if (!id || args.length > 1 || dir === '') {
    const ids = loadManifest().map((m) => m.id)
    throw new Error(`usage: npm run models:fetch -- <id> [--dir DIR]; ids: ${ids.join(', ')}`)
  }
  const target = dir ?? modelsDir()
  const progress = new Map<string, ReturnType<typeof createProgress>>()
  await fetchModel(id, {
    dir: target,
    log: (line) => process.stdout.write(`${line}\n`),
    onProgress: (p) => {
      let bar = progress.get(p.file)
      if (!bar) {
        bar = createProgress(`${p.file}:`)
        progress.set(p.file, bar)
      }
      bar.update(Math.round(p.received / 1e6), p.total ? Math.round(p.total / 1e6) : undefined, 'MB')
    },
  })
  process.stdout.write(`model '${id}' is in ${target}/${id}\n`)
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`models:fetch: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
