/** `reseg models list|add|doctor`: the SAM-family ONNX model catalogue and what this machine can run. */
import { Option, type Command } from 'commander'
import {
  doctorReport,
  formatDoctorReport,
  listOnnxModels,
  modelsDir,
  type ProviderRequest,
} from '../engine/onnx'
import { addUserModel } from '../engine/onnx/register'

export function registerModelCommands(program: Command): void {
  const models = program
    .command('models')
    .description('SAM-family ONNX models: list, add your own export, check providers')

  models
    .command('list')
    .description(
      'list known models (models/manifest.json and ones added with `models add`) and whether their files are present',
    )
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const entries = listOnnxModels()
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`)
        return
      }
      process.stdout.write(`models dir: ${modelsDir()}\n`)
      for (const m of entries) {
        const state = m.installed ? 'installed' : `not installed (missing ${m.missing.join(', ')})`
        process.stdout.write(
          `${m.id.padEnd(26)} ${m.family.padEnd(8)} ${m.origin.padEnd(8)} ${state}  ${m.label}\n`,
        )
      }
      process.stdout.write('The GrabCut baseline (always available) is listed by the engine, not here.\n')
    })

  models
    .command('add <dir>')
    .description(
      "register your own exported encoder + decoder from <dir>, after checking them against the flavour's tensor signature",
    )
    .option('--id <id>', 'model id (default: the folder name)')
    .option('--label <text>', 'label shown with its masks')
    .option('--encoder <file>', 'encoder file when the folder holds several')
    .option('--decoder <file>', 'decoder file when the folder holds several')
    .action(
      async (dir: string, opts: { id?: string; label?: string; encoder?: string; decoder?: string }) => {
        const m = await addUserModel(dir, opts)
        process.stdout.write(
          `added '${m.id}' (${m.family}): encoder ${m.encoderPath}, decoder ${m.decoderPath}\n`,
        )
      },
    )

  models
    .command('doctor')
    .description(
      'show ONNX Runtime version, usable execution providers (and why others are not), installed models',
    )
    .option('--json', 'print JSON')
    .option('--probe', 'load each installed model once and report the provider it runs on')
    .addOption(
      new Option('--provider <name>', 'provider to probe with')
        .choices(['auto', 'cpu', 'cuda', 'dml', 'coreml'])
        .default('auto'),
    )
    .action(async (opts: { json?: boolean; probe?: boolean; provider: ProviderRequest }) => {
      const report = await doctorReport({ probe: opts.probe, provider: opts.provider })
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`,
      )
    })
}
