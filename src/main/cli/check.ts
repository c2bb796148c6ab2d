/** `reseg project check --project P [--fix] [--json]`: is the project whole after a crash or a killed job? */
import type { Command } from 'commander'
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { checkProject, formatCheckReport } from '../store/check'
import { DB_FILE } from '../store/project'
import { staleSessions } from '../store/sessions'

export function registerCheckCommands(program: Command): void {
  // Other areas may add `project` sub-commands; whichever registers first creates it.
  const projectCmd =
    program.commands.find((c) => c.name() === 'project') ??
    program.command('project').description('project maintenance')
  projectCmd
    .command('check')
    .description(
      'integrity check, schema version, orphaned and missing media, WAL; --fix removes orphans, migrates and checkpoints',
    )
    .requiredOption('--project <dir>', 'project folder')
    .option('--fix', 'remove orphaned media, migrate an old schema, checkpoint the WAL')
    .option('--json', 'print the report as JSON')
    .action((opts: { project: string; fix?: boolean; json?: boolean }) => {
      const dbPath = path.join(opts.project, DB_FILE)
      if (!fs.existsSync(dbPath)) throw new Error(`${opts.project} is not a ReSeg project (no ${DB_FILE})`)
      // A plain connection, not openProject: a check without --fix must not migrate or write anything.
      const db = new Database(dbPath, { fileMustExist: true })
      let report
      try {
        db.pragma('busy_timeout = 5000')
        report = checkProject(db, opts.project, { fix: opts.fix })
      } finally {
        db.close()
      }
      const crashed = staleSessions(opts.project, { clear: opts.fix && report.clean })
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ ...report, uncleanShutdown: crashed }, null, 2)}\n`)
      else {
        const notes = crashed.map(
          (s) =>
            `  unclean shutdown: pid ${s.pid} (${s.command || 'unknown command'}) started ${s.startedAt || '?'}`,
        )
        process.stdout.write(formatCheckReport(opts.project, report, notes))
      }
      if (!report.clean) process.exitCode = 1
    })
}
