/** `reseg analyze suggest`: the suggested failure tag of every failure of a run, with its evidence. */
import type { Command } from 'commander'
import { FAILURE_RULES_VERSION } from '../../shared/domain/failureRules'
import { requireRun } from '../analysis/results'
import { openProject } from '../store/project'
import { computeProposals, getThresholds, listProposals } from '../suggest/proposals'
import { reviewSummary } from '../suggest/review'

export function registerSuggestCommands(program: Command): void {
  const analyze = program.commands.find((c) => c.name() === 'analyze')
  if (!analyze) throw new Error("the 'analyze' command must be registered before 'analyze suggest'")
  analyze
    .command('suggest')
    .description('propose a failure tag for every failure of a run, with the evidence that fired the rule')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--run <run>', 'run')
    .option('--tag <tag>', "only proposals of this tag ('' = failures no rule explains)")
    .option('--json', 'print thresholds, summary and proposals as one JSON object')
    .action((opts: { project: string; run: string; tag?: string; json?: boolean }) => {
      const project = openProject(opts.project)
      try {
        const run = requireRun(project.db, opts.run)
        const { computed } = computeProposals(project.db, run.id)
        const proposals = listProposals(project.db, run.id, { tag: opts.tag })
        const summary = reviewSummary(project.db, run.id)
        const { thresholds } = getThresholds(project.db)
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ run: run.name, rulesVersion: FAILURE_RULES_VERSION, thresholds, computed, summary, proposals })}\n`,
          )
          return
        }
        const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3))
        const out = [
          `suggested failure tags of '${run.name}' (rules v${FAILURE_RULES_VERSION}; ${summary.failures} failures, ${summary.confirmed} confirmed):`,
          `thresholds: ${Object.entries(thresholds)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
          '',
          ...summary.proposed.map((p) => `  ${p.tag.padEnd(34)} ${String(p.n).padStart(6)}`),
          '',
        ]
        for (const p of proposals) {
          const ev = Object.entries(p.evidence ?? {})
            .map(([k, v]) => `${k}=${fmt(v)}`)
            .join(' ')
          const confirmed = p.review?.state === 'confirmed' ? `  [confirmed: ${p.review.tagName}]` : ''
          out.push(
            `#${p.sampleId} ${p.imageId}  IoU ${p.iou.toFixed(3)}  ${(p.tag ?? '(none)').padEnd(32)} ${p.confidence == null ? '    ' : p.confidence.toFixed(2)}  ${ev}${confirmed}`,
          )
        }
        process.stdout.write(`${out.join('\n')}\n`)
      } finally {
        project.close()
      }
    })
}
