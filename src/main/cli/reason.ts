/**
 * `reseg reason`: re-ask the reasoning model about every sample of a run or dataset into a new run (bounded
 * concurrency, retries, resume), and `reseg endpoints`: manage the OpenAI-compatible servers it talks to.
 * API keys come from the environment or the user's credentials file, never from argv (shell history, ps).
 */
import type { Command } from 'commander'
import { aggregate } from '../../shared/domain/metrics'
import { createEngine } from '../engine/registry'
import type { Segmenter } from '../engine/types'
import { runReasonBatch } from '../reason/batch'
import { listModels, type EndpointSettings } from '../reason/client'
import { describeKeySource, envVarName, resolveApiKey, storeApiKey } from '../reason/credentials'
import { getEndpoint, getTemplate, listEndpoints, saveEndpoint, validateEndpoint } from '../reason/store'
import { openProject } from '../store/project'
import { batchSource, cancelOnSigint, requireOneSource } from './batchCommand'
import { createProgress } from './progress'
import { parsePositiveInt, parseTemperature } from './project'

interface EndpointFlags {
  endpoint?: string
  baseUrl?: string
  model?: string
  temperature?: number
  maxTokens?: number
  timeoutMs?: number
}

function endpointFromFlags(db: Parameters<typeof getEndpoint>[0], o: EndpointFlags): EndpointSettings {
  if (o.endpoint && o.baseUrl) throw new Error('give either --endpoint or --base-url/--model, not both')
  let e: EndpointSettings
  if (o.endpoint) {
    e = getEndpoint(db, o.endpoint)
  } else {
    if (!o.baseUrl || !o.model) throw new Error('give --endpoint NAME, or --base-url URL with --model NAME')
    e = {
      name: 'inline',
      baseUrl: o.baseUrl,
      model: o.model,
      temperature: 0,
      maxTokens: 2048,
      timeoutMs: 300_000,
    }
  }
  e = {
    ...e,
    temperature: o.temperature ?? e.temperature,
    maxTokens: o.maxTokens ?? e.maxTokens,
    timeoutMs: o.timeoutMs ?? e.timeoutMs,
  }
  validateEndpoint(e)
  return e
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = []
  for await (const c of process.stdin) parts.push(c as Buffer)
  return Buffer.concat(parts).toString('utf8').trim()
}

export function registerReasonCommands(program: Command): void {
  program
    .command('reason')
    .description(
      're-ask the reasoning model (Seg-Zero / VisionReasoner behind an OpenAI-compatible server) about every sample of a run or dataset, into a new run; re-running the same command resumes',
    )
    .requiredOption('--project <dir>', 'project folder')
    .option('--from-run <run>', 'ask about the samples of this run (the new run records it as its parent)')
    .option('--dataset <name>', 'ask about every sample of this dataset')
    .option('--endpoint <name>', "a saved endpoint (see 'reseg endpoints')")
    .option('--base-url <url>', 'inline endpoint instead of --endpoint, e.g. http://127.0.0.1:8000')
    .option('--model <name>', 'model name served at --base-url, e.g. Ricky06662/VisionReasoner-7B')
    .option(
      '--template <name>',
      'instruction template: visionreasoner, segzero, segzero-v1 or a project template',
      'visionreasoner',
    )
    .option('--template-version <n>', 'template version (default: latest)', parsePositiveInt)
    .requiredOption(
      '--out-run <name>',
      'run to write (resumed when it exists from the same template and model)',
    )
    .option('--concurrency <n>', 'requests in flight at once', parsePositiveInt, 4)
    .option('--limit <n>', 'only the first N samples (by sample id)', parsePositiveInt)
    .option(
      '--temperature <t>',
      'sampling temperature (default: the endpoint setting, 0 = greedy as the reference)',
      parseTemperature,
    )
    .option(
      '--max-tokens <n>',
      'generation limit (default: the endpoint setting, 2048 inline)',
      parsePositiveInt,
    )
    .option('--timeout-ms <n>', 'give up on a request after this long without data', parsePositiveInt)
    .option(
      '--segment-model <id>',
      'segmentation model for the answers (default: the first installed SAM model, else the GrabCut baseline)',
    )
    .option('--no-segment', 'store the answers and prompts without masks (segment later with reseg segment)')
    .action(
      async (
        opts: EndpointFlags & {
          project: string
          fromRun?: string
          dataset?: string
          template: string
          templateVersion?: number
          outRun: string
          concurrency: number
          limit?: number
          segmentModel?: string
          segment: boolean
        },
      ) => {
        requireOneSource(opts)
        const project = openProject(opts.project)
        const engine = opts.segment ? createEngine({ projectDir: project.dir }) : null
        const cancel = cancelOnSigint('finished samples are kept')
        try {
          const { db } = project
          const endpoint = endpointFromFlags(db, opts)
          const template = getTemplate(db, opts.template, opts.templateVersion)
          const source = batchSource(db, opts.project, opts)
          let segmenter: Segmenter | null = null
          if (engine) {
            await engine.ready
            for (const w of engine.warnings) process.stderr.write(`warning: ${w}\n`)
            segmenter = await engine.getSegmenter(opts.segmentModel ?? engine.defaultModelId)
            if (segmenter.info.isBaseline) {
              process.stderr.write(
                `note: masks come from ${segmenter.info.label}, a classical baseline, not SAM\n`,
              )
            }
          }
          const key = describeKeySource(endpoint.name)
          if (key.warning) process.stderr.write(`warning: ${key.warning}\n`)
          process.stderr.write(
            `asking ${endpoint.model} at ${endpoint.baseUrl} with template ${template.name} v${template.version}` +
              ` (API key: ${key.source === 'none' ? 'none' : key.where})\n`,
          )
          const progress = createProgress(`reason ${opts.outRun}:`)
          const r = await runReasonBatch(project, {
            source,
            outRunName: opts.outRun,
            endpoint,
            template,
            apiKey: resolveApiKey(endpoint.name),
            segmenter,
            concurrency: opts.concurrency,
            limit: opts.limit,
            signal: cancel.signal,
            onProgress: (p) =>
              progress.update(
                p.done,
                p.total,
                p.failed || p.parseErrors ? `${p.failed} failed, ${p.parseErrors} unparseable` : '',
              ),
          })
          progress.finish(`${r.done - r.failed} stored, ${r.skipped} already done`)
          for (const e of r.errors) process.stderr.write(`error: ${e}\n`)
          const rows = db
            .prepare(
              'SELECT intersection, union_px AS "union", parse_error FROM predictions WHERE run_id = ?',
            )
            .all(r.runId) as {
            intersection: number
            union: number
            parse_error: string | null
          }[]
          // A resumed run holds earlier passes' answers too: count what the run holds, and say this pass's.
          const unparseable = rows.filter((row) => row.parse_error != null).length
          const agg = aggregate(rows)
          const latency =
            r.meanLatencyMs == null ? '' : `, mean latency ${(r.meanLatencyMs / 1000).toFixed(2)} s`
          process.stdout.write(
            `run '${opts.outRun}': ${rows.length} samples (${r.skipped} resumed, ${r.done - r.failed} asked now, ${r.failed} failed; ` +
              `${unparseable} unparseable answers in the run, ${r.parseErrors} this pass${latency}); gIoU ${agg.gIoU.toFixed(4)}, cIoU ${agg.cIoU.toFixed(4)} ` +
              `(Seg-Zero convention${segmenter ? '' : '; no masks: prompts only'})\n`,
          )
          if (r.cancelled) {
            process.stderr.write('cancelled: run the same command again to continue\n')
            process.exitCode = 130
          } else if (r.failed > 0) {
            process.stderr.write(`${r.failed} samples failed: run the same command again to retry them\n`)
            process.exitCode = 1
          }
        } finally {
          cancel.dispose()
          await engine?.dispose()
          project.close()
        }
      },
    )

  const endpoints = program
    .command('endpoints')
    .description('saved reasoning-model endpoints of a project (keys live outside the project)')
  endpoints
    .command('list')
    .description('list saved endpoints and where their API keys come from')
    .requiredOption('--project <dir>', 'project folder')
    .action((opts: { project: string }) => {
      const project = openProject(opts.project)
      try {
        for (const e of listEndpoints(project.db)) {
          const k = describeKeySource(e.name)
          process.stdout.write(
            `${e.name}\t${e.baseUrl}\t${e.model}\ttemperature ${e.temperature}\tmax_tokens ${e.maxTokens}\ttimeout ${e.timeoutMs} ms\tkey: ${k.source === 'none' ? `none (set ${envVarName(e.name)})` : k.where}\n`,
          )
          if (k.warning) process.stderr.write(`warning: ${k.warning}\n`)
        }
      } finally {
        project.close()
      }
    })
  endpoints
    .command('add')
    .description(
      "save (or update) an endpoint; with --api-key-stdin the key is read from stdin into the user's credentials file (0600)",
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--name <name>', 'endpoint name')
    .requiredOption('--base-url <url>', 'server base URL, e.g. http://127.0.0.1:8000')
    .requiredOption('--model <name>', 'served model name, e.g. Ricky06662/VisionReasoner-7B')
    .option('--temperature <t>', 'sampling temperature (0 = greedy, as the reference)', parseTemperature, 0)
    .option('--max-tokens <n>', 'generation limit', parsePositiveInt, 2048)
    .option('--timeout-ms <n>', 'give up after this long without data', parsePositiveInt, 300_000)
    .option('--api-key-stdin', 'read the API key from stdin')
    .action(async (opts: EndpointSettings & { project: string; apiKeyStdin?: boolean }) => {
      const project = openProject(opts.project)
      try {
        const e = saveEndpoint(project.db, {
          name: opts.name,
          baseUrl: opts.baseUrl,
          model: opts.model,
          temperature: opts.temperature,
          maxTokens: opts.maxTokens,
          timeoutMs: opts.timeoutMs,
        })
        if (opts.apiKeyStdin) {
          const key = await readStdin()
          if (!key) throw new Error('no API key on stdin')
          process.stderr.write(`API key stored in ${storeApiKey(e.name, key)}\n`)
        }
        process.stdout.write(`${e.name}\n`)
      } finally {
        project.close()
      }
    })
  endpoints
    .command('test')
    .description('test connection: GET {base}/v1/models and check the model is served')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--name <name>', 'endpoint name')
    .action(async (opts: { project: string; name: string }) => {
      const project = openProject(opts.project)
      try {
        const e = getEndpoint(project.db, opts.name)
        const { models, latencyMs } = await listModels(e, { apiKey: resolveApiKey(e.name) })
        process.stdout.write(`${models.join('\n')}\n`)
        if (!models.includes(e.model)) {
          process.stderr.write(
            `the server answers (${latencyMs.toFixed(0)} ms) but does not serve '${e.model}'\n`,
          )
          process.exitCode = 1
        } else {
          process.stderr.write(`ok: ${e.model} is served (${latencyMs.toFixed(0)} ms)\n`)
        }
      } finally {
        project.close()
      }
    })
}
