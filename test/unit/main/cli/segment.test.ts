/**
 * `reseg segment` as a user runs it: the summary on stdout, progress on stderr, a second run resumes, and
 * bad arguments exit 2 with one line.
 */
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openProject } from '../../../../src/main/store/project'
import { createSegmentProject } from '../../../fixtures/segmentProject'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')

/** Async, so the test worker is not blocked while the CLI runs. */
function reseg(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

let projectDir: string
beforeAll(async () => {
  const fx = await createSegmentProject()
  projectDir = fx.project.dir
  fx.project.close()
})

describe('reseg segment', () => {
  it('segments part of a run with the baseline, then resumes it', async () => {
    const base = [
      'segment',
      '--project',
      projectDir,
      '--from-run',
      'model-run',
      '--out-run',
      'gc',
      '--prompts',
      'gt-box',
      '--model',
      'grabcut-baseline',
    ]
    const first = await reseg(...base, '--limit', '2')
    expect(first.stderr).toContain('GrabCut baseline (not SAM) is a classical baseline, not a SAM model')
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(
      /^run 'gc' \(model grabcut-baseline: GrabCut baseline \(not SAM\), prompts gt-box\): 2 samples \(0 resumed, 0 without prompts → empty mask\) gIoU 0\.\d{4}, cIoU 0\.\d{4} \(Seg-Zero convention\)\n$/,
    )
    const second = await reseg(...base)
    expect(second.status).toBe(0)
    expect(second.stdout).toContain('5 samples (2 resumed')
    expect(second.stderr).toMatch(/3 segmented, 2 already done/)
    const p = openProject(projectDir)
    const n = p.db
      .prepare("SELECT COUNT(*) AS n FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.name = 'gc'")
      .get()
    p.close()
    expect(n).toEqual({ n: 5 })
  })

  it('rejects bad arguments with one line and exit code 2', () => {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'segment',
        '--project',
        projectDir,
        '--from-run',
        'model-run',
        '--out-run',
        'x',
        '--prompts',
        'gt-mask',
      ],
      { encoding: 'utf8' },
    )
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/gt-mask.*run, gt-box, gt-box\+points/)
  })
})
