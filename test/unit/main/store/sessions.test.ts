import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openProject } from '../../../../src/main/store/project'
import { SESSIONS_DIR } from '../../../../src/main/store/sessions'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-sessions-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const opener = (dir: string, then: string) => `
  import { openProject } from ${JSON.stringify(path.resolve('src/main/store/project.ts'))}
  const p = openProject(${JSON.stringify(dir)}, { create: true })
  console.log('open')
  ${then}`

function run(dir: string, then: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', opener(dir, then)], {
    encoding: 'utf8',
  })
}

describe('unclean-shutdown detection', () => {
  it('a clean close, and an error exit without close, leave no trace', () => {
    const dir = path.join(root, 'clean')
    expect(run(dir, 'p.close()').stdout).toBe('open\n')
    expect(run(dir, 'process.exit(3)').status).toBe(3)
    const p = openProject(dir)
    expect(p.uncleanShutdown).toEqual([])
    p.close()
    expect(fs.readdirSync(path.join(dir, SESSIONS_DIR))).toEqual([])
  })

  it('a process killed with the project open is reported once, with its pid', async () => {
    const dir = path.join(root, 'killed')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', opener(dir, 'setInterval(() => {}, 1000)')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
    // Still running: not a crash, whoever else opens the project meanwhile.
    const meanwhile = openProject(dir)
    expect(meanwhile.uncleanShutdown).toEqual([])
    meanwhile.close()
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const after = openProject(dir)
    expect(after.uncleanShutdown).toEqual([
      expect.objectContaining({
        pid: child.pid,
        host: os.hostname(),
        command: '',
      }),
    ])
    after.close()
    const again = openProject(dir)
    expect(again.uncleanShutdown).toEqual([])
    again.close()
  }, 60_000)
})
