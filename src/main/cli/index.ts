/**
 * The `reseg` program: each capability area registers its commands from its own file, so this list
 * is the table of contents of the command line.
 */
import { Command } from 'commander'
import { registerProjectCommands } from './project'
import { registerRunCommands } from './runs'
import { registerExportCommands } from './export'
import { registerSegmentCommands } from './segment'
import { registerDatasetCommands } from './datasets'
import { registerModelCommands } from './models'
import { registerReasonCommands } from './reason'
import { registerGtCommands } from './gt'
import { registerAuthorCommands } from './author'
import { registerExportDatasetCommands } from './exportDataset'
import { registerSuggestCommands } from './suggest'
import { registerRolloutCommands } from './rollouts'
import { registerCheckCommands } from './check'
import { registerAuditCommand, registerUserCommands } from './users'

export function buildProgram(): Command {
  const program = new Command()
    .name('reseg')
    .description('ReSeg Inspector: inspect, re-segment and report on reasoning-segmentation runs')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(`reseg: ${str.replace(/^error: /, '').trim()}\n`) })
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2)
    })
  registerProjectCommands(program)
  registerRunCommands(program)
  registerExportCommands(program)
  registerSegmentCommands(program)
  registerDatasetCommands(program)
  registerModelCommands(program)
  registerReasonCommands(program)
  registerGtCommands(program)
  registerAuthorCommands(program)
  registerExportDatasetCommands(program)
  registerSuggestCommands(program)
  // After 'import' and 'analyze' exist: it adds 'import rollouts' and 'analyze rollouts' to them.
  registerRolloutCommands(program)
  registerCheckCommands(program)
  registerUserCommands(program)
  registerAuditCommand(program)
  for (const cmd of program.commands) inheritErrorHandling(cmd)
  return program
}

/** Sub-commands get the same one-line errors and exit code 2 for bad arguments. */
function inheritErrorHandling(cmd: Command): void {
  cmd.showHelpAfterError(false)
  cmd.configureOutput({
    outputError: (str, write) => write(`reseg ${cmd.name()}: ${str.replace(/^error: /, '').trim()}\n`),
  })
  cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2)
  })
  for (const sub of cmd.commands) inheritErrorHandling(sub)
}
