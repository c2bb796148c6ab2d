/**
 * `reseg rollouts` (sample K answers per query and score them with Seg-Zero's rewards), `reseg import
 * rollouts` (training dumps) and `reseg analyze rollouts` (where the GRPO learning signal is).
 */
import fs from 'node:fs'
import { InvalidArgumentError, type Command } from 'commander'
import { aggregate } from '../../shared/domain/metrics'
import { REWARD_KINDS, type RewardKind } from '../../shared/domain/rewards/score'
import { createEngine } from '../engine/registry'
import type { Segmenter } from '../engine/types'
import { getTemplate } from '../reason/store'
import { analyzeStoredRollouts, rolloutSection } from '../rollouts/analysis'
import { importRollouts, readSolutions } from '../rollouts/importJsonl'
import { PICKS, runRollouts, type Pick } from '../rollouts/runner'
import { poolFromEndpoints } from '../rollouts/start'
import { getDatasetByName } from '../store/datasets'
import { openProject } from '../store/project'
import { getRun, getRunByName } from '../store/runs'
import { batchSource, cancelOnSigint, requireOneSource } from './batchCommand'
import { createProgress } from './progress'
import { parsePositiveInt, parseTemperature } from './project'

function oneOf<T extends string>(allowed: readonly T[], what: string) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v))
      throw new InvalidArgumentError(`expected ${what} ${allowed.join('|')}, got '${v}'`)
    return v as T
  }
}

function parseUnit(value: string): number {
  const t = Number(value)
  if (!Number.isFinite(t) || t < 0 || t > 1)
    throw new InvalidArgumentError(`expected a number 0-1, got '${value}'`)
  return t
}

const collect = (v: string, prev: string[]) => [...prev, v]

export function registerRolloutCommands(program: Command): void {
  program
    .command('rollouts')
    .description(
      "sample K answers per query (GRPO's group), score each with Seg-Zero's own reward, segment it, and store rewards, advantages and IoUs as a new run; re-running resumes",
    )
    .requiredOption('--project <dir>', 'project folder')
    .option('--dataset <name>', 'every sample of this dataset')
    .option('--from-run <run>', 'the samples of this run (its predictions serve as the greedy baseline)')
    .option(
      '--endpoint <name>',
      "a saved endpoint; repeat for a pool of replicas (see 'reseg endpoints')",
      collect,
      [],
    )
    .option('--k <n>', 'rollouts per sample (their training used 8)', parsePositiveInt, 8)
    .option('--temperature <t>', 'sampling temperature (their training used 1.0)', parseTemperature, 1)
    .option(
      '--template <name>',
      'instruction template: visionreasoner, segzero, segzero-v1 or a project template',
      'visionreasoner',
    )
    .option(
      '--reward <kind>',
      `reward: ${REWARD_KINDS.join(' | ')}`,
      oneOf(REWARD_KINDS, 'a reward'),
      'visionreasoner',
    )
    .option('--pick <how>', `the sample's prediction: ${PICKS.join(' | ')}`, oneOf(PICKS, 'a pick'), 'first')
    .option(
      '--segment-model <id>',
      'segmentation model (default: the first installed SAM model, else the GrabCut baseline)',
    )
    .option('--no-segment', 'store answers and rewards without masks')
    .option(
      '--solutions <file>',
      'JSONL of {"image_id", "ann_id", "solution"}: the training GT; other samples get GT derived from the mask',
    )
    .requiredOption('--out-run <name>', 'run to write (resumed when it exists with the same settings)')
    .option('--limit <n>', 'only the first N samples (by sample id)', parsePositiveInt)
    .option('--concurrency <n>', 'requests in flight at once', parsePositiveInt, 4)
    .option('--max-tokens <n>', 'generation limit (default: the endpoint setting)', parsePositiveInt)
    .option('--timeout-ms <n>', 'give up on a request after this long without data', parsePositiveInt)
    .action(
      async (opts: {
        project: string
        dataset?: string
        fromRun?: string
        endpoint: string[]
        k: number
        temperature: number
        template: string
        reward: RewardKind
        pick: Pick
        segmentModel?: string
        segment: boolean
        outRun: string
        solutions?: string
        limit?: number
        concurrency: number
        maxTokens?: number
        timeoutMs?: number
      }) => {
        requireOneSource(opts)
        const project = openProject(opts.project)
        const engine = opts.segment ? createEngine({ projectDir: project.dir }) : null
        const cancel = cancelOnSigint('finished rollouts are kept')
        try {
          const { db } = project
          const source = batchSource(db, opts.project, opts)
          const { pool, model, warnings } = poolFromEndpoints(db, opts.endpoint, opts.temperature, {
            maxTokens: opts.maxTokens,
            timeoutMs: opts.timeoutMs,
          })
          for (const w of warnings) process.stderr.write(`warning: ${w}\n`)
          const template = getTemplate(db, opts.template)
          const datasetId =
            'datasetId' in source ? source.datasetId : (getRun(db, source.runId)?.dataset_id ?? -1)
          const solutions = opts.solutions ? readSolutions(project, opts.solutions, datasetId) : undefined
          let segmenter: Segmenter | null = null
          if (engine) {
            await engine.ready
            segmenter = await engine.getSegmenter(opts.segmentModel ?? engine.defaultModelId)
            if (segmenter.info.isBaseline)
              process.stderr.write(
                `note: masks come from ${segmenter.info.label}, a classical baseline, not SAM\n`,
              )
          }
          const progress = createProgress(`rollouts ${opts.outRun}:`)
          const r = await runRollouts(project, {
            source,
            outRunName: opts.outRun,
            pool,
            model,
            k: opts.k,
            temperature: opts.temperature,
            template,
            reward: opts.reward,
            pick: opts.pick,
            segmenter,
            concurrency: opts.concurrency,
            limit: opts.limit,
            solutions,
            signal: cancel.signal,
            onProgress: (p) =>
              progress.update(
                p.done,
                p.total,
                `${p.completeGroups} groups complete, ${p.rolloutErrors} rollouts without answer`,
              ),
          })
          progress.finish(`${r.completeGroups} groups complete, ${r.skipped} already done`)
          for (const e of r.errors) process.stderr.write(`error: ${e}\n`)
          const rows = db
            .prepare('SELECT intersection, union_px AS "union" FROM predictions WHERE run_id = ?')
            .all(r.runId) as { intersection: number; union: number }[]
          const agg = aggregate(rows)
          const endpoints = pool
            .stats()
            .map(
              (s) =>
                `${s.name}: ${s.requests} requests, ${s.failures} failures, n ${s.honoursN === null ? 'untested' : s.honoursN ? 'honoured' : 'ignored'}`,
            )
            .join('; ')
          process.stdout.write(
            `run '${opts.outRun}': ${r.completeGroups} groups complete now, ${r.skipped} resumed, ${r.rolloutErrors} rollouts without answer; ` +
              `prediction = ${opts.pick} rollout: gIoU ${agg.gIoU.toFixed(4)}, cIoU ${agg.cIoU.toFixed(4)} over ${rows.length} samples` +
              `${r.derivedGt ? `; rewards against derived GT prompts for ${r.derivedGt} samples` : ''}\n` +
              `endpoints: ${endpoints}\n`,
          )
          if (r.cancelled) {
            process.stderr.write('cancelled: run the same command again to continue\n')
            process.exitCode = 130
          } else if (r.rolloutErrors > 0) {
            process.stderr.write(
              'some rollouts got no answer: run the same command again to complete their groups\n',
            )
            process.exitCode = 1
          }
        } finally {
          cancel.dispose()
          await engine?.dispose()
          project.close()
        }
      },
    )

  const imp = program.commands.find((c) => c.name() === 'import')
  imp
    ?.command('rollouts')
    .description(
      'import rollouts made elsewhere (a training dump): JSONL, one line per sample, see docs/formats.md',
    )
    .argument('<file>', 'JSONL file')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--dataset <name>', 'dataset the samples belong to')
    .requiredOption('--name <run>', 'run to create')
    .option(
      '--reward <kind>',
      `reward: ${REWARD_KINDS.join(' | ')}`,
      oneOf(REWARD_KINDS, 'a reward'),
      'visionreasoner',
    )
    .option(
      '--template <name>',
      'template the answers were made with (for the 840 mapping)',
      'visionreasoner',
    )
    .option(
      '--segment-model <id>',
      'segmentation model (default: the first installed SAM model, else the GrabCut baseline)',
    )
    .option('--no-segment', 'store answers and rewards without masks')
    .action(
      async (
        file: string,
        opts: {
          project: string
          dataset: string
          name: string
          reward: RewardKind
          template: string
          segmentModel?: string
          segment: boolean
        },
      ) => {
        const project = openProject(opts.project)
        const engine = opts.segment ? createEngine({ projectDir: project.dir }) : null
        try {
          const ds = getDatasetByName(project.db, opts.dataset)
          if (!ds) throw new Error(`no dataset named '${opts.dataset}' in ${opts.project}`)
          let segmenter: Segmenter | null = null
          if (engine) {
            await engine.ready
            segmenter = await engine.getSegmenter(opts.segmentModel ?? engine.defaultModelId)
          }
          const r = await importRollouts(project, {
            file,
            datasetId: ds.id,
            runName: opts.name,
            reward: opts.reward,
            template: getTemplate(project.db, opts.template),
            segmenter,
          })
          process.stdout.write(
            `run '${opts.name}': ${r.samples} samples, ${r.rollouts} rollouts imported; ` +
              `${r.trainerRewards} trainer rewards, ${r.disagreements} differ from ours` +
              `${r.derivedGt ? `; derived GT prompts for ${r.derivedGt} samples` : ''}\n`,
          )
          for (const d of r.disagreementList.slice(0, 20))
            process.stdout.write(
              `  sample ${d.key} rollout ${d.idx}: ours ${d.ours.toFixed(4)}, trainer ${d.trainer.toFixed(4)}\n`,
            )
        } finally {
          await engine?.dispose()
          project.close()
        }
      },
    )

  const analyze = program.commands.find((c) => c.name() === 'analyze')
  analyze
    ?.command('rollouts')
    .description(
      'where the GRPO learning signal is: zero-variance groups, term pass rates, pass@k, greedy vs best-of-K, reward vs IoU',
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <run>', 'a run made by reseg rollouts or import rollouts')
    .option('--threshold <t>', 'IoU threshold of pass@k', parseUnit, 0.5)
    .option('--top <k>', 'disagreements to list', parsePositiveInt, 10)
    .option('--html <file>', 'also write the report section as a standalone HTML page')
    .option('--json', 'print the full result as JSON')
    .action(
      (opts: {
        project: string
        run: string
        threshold: number
        top: number
        html?: string
        json?: boolean
      }) => {
        const project = openProject(opts.project)
        try {
          const run = getRunByName(project.db, opts.run)
          if (!run) throw new Error(`no run named '${opts.run}' in ${opts.project}`)
          const a = analyzeStoredRollouts(project.db, run.id, { threshold: opts.threshold, top: opts.top })
          if (opts.html)
            fs.writeFileSync(
              opts.html,
              `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Rollouts — ${run.name.replace(/[<&>"]/g, '')}</title></head><body>${rolloutSection(a)}</body></html>`,
            )
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(a)}\n`)
            return
          }
          const ci = (i: { value: number; lo: number; hi: number }) =>
            `${i.value.toFixed(4)} [${i.lo.toFixed(4)}, ${i.hi.toFixed(4)}]`
          const pct = (v: number) => `${(v * 100).toFixed(1)}%`
          const out = [
            `run ${a.runName}: ${a.groups} complete groups of K=${a.k} (${a.incompleteGroups} incomplete), reward ${a.reward}` +
              (a.derivedGtGroups ? `, derived GT prompts for ${a.derivedGtGroups} samples` : ''),
            `zero-variance groups: ${a.zeroVarianceGroups} (${pct(a.zeroVarianceShare)})`,
            `mean reward ${a.meanReward.toFixed(4)}; format failures ${pct(a.formatFailureRate)}`,
            `term pass rates: ${a.termPassRates.map((t) => `${t.name} ${pct(t.rate)}`).join(', ')}`,
            `pass@k (IoU >= ${a.threshold}): ${a.passAtK.map((p) => `k=${p.k} ${ci(p)}`).join('; ')}`,
            `gIoU: ${a.gIoU.greedy ? `greedy ${ci(a.gIoU.greedy)} (${a.greedySource}); ` : ''}best-of-${a.k} ${ci(a.gIoU.bestOfK)}; mean-of-${a.k} ${ci(a.gIoU.meanOfK)}`,
            `Spearman rho (reward, IoU) over ${a.scatter.length} rollouts: ${a.spearman === null ? 'n/a' : a.spearman.toFixed(4)}`,
            'high reward, low IoU:',
            ...a.highRewardLowIou.map(
              (d) =>
                `  sample ${d.sampleId} rollout ${d.idx}: reward ${d.reward.toFixed(3)}, IoU ${d.iou.toFixed(3)}`,
            ),
            'low reward, high IoU:',
            ...a.lowRewardHighIou.map(
              (d) =>
                `  sample ${d.sampleId} rollout ${d.idx}: reward ${d.reward.toFixed(3)}, IoU ${d.iou.toFixed(3)}`,
            ),
            'think length by reward (chars): ' +
              a.thinkLengthByReward
                .map(
                  (t) =>
                    `${t.reward.toFixed(2)}: n=${t.n} median ${t.median.toFixed(0)} [${t.q1.toFixed(0)}, ${t.q3.toFixed(0)}]`,
                )
                .join('; '),
          ]
          if (a.trainerDisagreements.length)
            out.push(`trainer-logged rewards differing from ours: ${a.trainerDisagreements.length}`)
          process.stdout.write(`${out.join('\n')}\n`)
        } finally {
          project.close()
        }
      },
    )
}
