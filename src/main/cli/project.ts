/** `reseg demo` and `reseg serve`: create the demo project, and serve a project to a browser. */
import { InvalidArgumentError as InvalidArgument, type Command } from 'commander'
import fs from 'node:fs'
import { defaultDemoDir, rendererDir, userDataDir } from '../appPaths'
import { createDemoProject } from '../demo/demo'
import { LOOPBACK_HOSTS, startServeHost } from '../hosts/serve/server'
import { openProject } from '../store/project'
import { activeUserCount } from '../lab/users'
import { createProgress } from './progress'

export function registerProjectCommands(program: Command): void {
  program
    .command('demo')
    .description(
      'write the deterministic synthetic demo project (ReasonSeg-like samples and two simulated runs)',
    )
    .requiredOption('--project <dir>', 'folder to create the project in (must be empty or absent)')
    .option('--images <n>', 'number of generated images (3 queries each)', parsePositiveInt, 80)
    .option('--seed <n>', 'random seed', parsePositiveInt, 20250311)
    .action(async (opts: { project: string; images: number; seed: number }) => {
      const progress = createProgress('demo: images')
      const project = await createDemoProject(opts.project, {
        images: opts.images,
        seed: opts.seed,
        onProgress: (d, t) => progress.update(d, t),
      })
      const n = (project.db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n
      project.close()
      progress.finish(`${n} samples`)
      process.stdout.write(`${opts.project}\n`)
    })

  program
    .command('serve')
    .description('serve a project to a browser on this machine (HTTP + WebSocket, per-launch token)')
    .requiredOption('--project <dir>', 'project folder')
    .option('--port <n>', 'port (default: a free one)', parseNonNegativeInt, 0)
    .option(
      '--host <addr>',
      'address to bind; anything but loopback exposes the project to the network',
      '127.0.0.1',
    )
    .option('--renderer <dir>', 'built renderer folder', rendererDir())
    .option('--check', 'start, check that the page and the API answer through the token, then exit')
    .option('--read-only', 'serve everyone (users and the launch token) as a viewer')
    .option('--trust-proxy', 'behind a reverse proxy on this machine: honour X-Forwarded-For/-Proto')
    .option('--root <dir>', "folder the import form may browse (default: the project's parent folder)")
    .action(
      async (opts: {
        project: string
        port: number
        host: string
        renderer: string
        check?: boolean
        readOnly?: boolean
        trustProxy?: boolean
        root?: string
      }) => {
        if (!fs.existsSync(`${opts.renderer}/index.html`)) {
          throw new Error(
            `the renderer is not built (${opts.renderer}/index.html missing): run 'npm run build' first`,
          )
        }
        if (opts.root !== undefined && !fs.statSync(opts.root, { throwIfNoEntry: false })?.isDirectory())
          throw new Error(`--root ${opts.root}: no such folder`)
        if (!LOOPBACK_HOSTS.has(opts.host)) {
          process.stderr.write(
            `WARNING: binding to ${opts.host} makes this project reachable from other machines; anyone with the URL's token can read and edit it.\n`,
          )
        }
        const project = openProject(opts.project)
        const handle = await startServeHost({
          project,
          rendererDir: opts.renderer,
          port: opts.port,
          host: opts.host,
          readOnly: opts.readOnly,
          trustProxy: opts.trustProxy,
          importRoot: opts.root,
        })
        const users = activeUserCount(project.db)
        // With users, the launch token (an admin) stays off stdout, which often ends up in a service log.
        process.stdout.write(
          users > 0
            ? `ReSeg Inspector is serving ${opts.project} to ${users} users at ${handle.baseUrl}${opts.readOnly ? ' (read-only)' : ''}\nEach person opens their personal link (reseg users add).\n`
            : `ReSeg Inspector is serving ${opts.project}${opts.readOnly ? ' (read-only)' : ''}\nOpen: ${handle.url}\n`,
        )
        if (opts.check) {
          const ok = await selfCheck(handle.url, handle.baseUrl, handle.token)
          await handle.close()
          project.close()
          process.exit(ok ? 0 : 1)
        }
        const stop = async () => {
          await handle.close()
          project.close()
          process.exit(0)
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      },
    )

  program
    .command('paths')
    .description('print where ReSeg Inspector keeps its data')
    .option('--demo', 'only the demo project folder')
    .action((opts: { demo?: boolean }) => {
      if (opts.demo) process.stdout.write(`${defaultDemoDir()}\n`)
      else
        process.stdout.write(
          `data: ${userDataDir()}\ndemo project: ${defaultDemoDir()}\nrenderer: ${rendererDir()}\n`,
        )
    })
}

/** What a person would do first: load the page with the printed URL, and get the project through the API. */
async function selfCheck(url: string, baseUrl: string, token: string): Promise<boolean> {
  const page = await fetch(url)
  const html = await page.text()
  const info = await fetch(`${baseUrl}/api/getProjectInfo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  })
  const body = (await info.json()) as {
    ok: boolean
    value?: { datasets: { samples: number }[]; runs: { name: string }[] }
  }
  const refused = (await fetch(`${baseUrl}/`)).status
  const samples = body.value?.datasets.reduce((a, d) => a + d.samples, 0) ?? 0
  const ok = page.status === 200 && html.includes('<div id="root">') && body.ok && refused === 401
  process.stdout.write(
    `check: page ${page.status}, api ${body.ok ? 'ok' : 'failed'}, ${samples} samples, runs ${(body.value?.runs ?? []).map((r) => r.name).join(', ') || 'none'}, no-token request ${refused} -> ${ok ? 'OK' : 'FAILED'}\n`,
  )
  return ok
}

export function parsePositiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgument(`expected a positive integer, got '${value}'`)
  return n
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgument(`expected a non-negative integer, got '${value}'`)
  return n
}

/** A sampling temperature, 0 to 2 (`reseg reason`, `reseg rollouts`). */
export function parseTemperature(value: string): number {
  const t = Number(value)
  if (!Number.isFinite(t) || t < 0 || t > 2)
    throw new InvalidArgument(`expected a temperature 0-2, got '${value}'`)
  return t
}
