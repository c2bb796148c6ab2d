/** `reseg import dataset` as a user runs it: summary on stdout, progress on stderr, one-line errors. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeWithDuckdb } from '../../../fixtures/duckdbParquet'

const BIN = path.resolve(__dirname, '../../../../bin/reseg.mjs')
const reseg = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-cli-ds-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

let file: string
beforeAll(async () => {
  file = path.join(tmp, 'val-00000-of-00001.parquet')
  await writeWithDuckdb(file, [
    {
      imageId: 'a',
      annId: '1',
      text: 'q1',
      mask: [
        [1, 0],
        [1, 1],
      ],
    },
    { imageId: 'b', annId: '1', text: 'q2', mask: [[0, 0, 1]] },
  ])
})

describe('reseg import dataset', () => {
  it('imports a parquet file into a new project and prints the summary', () => {
    const project = path.join(tmp, 'proj')
    const r = reseg('import', 'dataset', file, '--project', project, '--name', 'ReasonSeg-val', '--json')
    expect(r.stderr).toMatch(/import dataset: done in/)
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'ReasonSeg-val',
      samples: 2,
      images: 2,
      split: 'val',
      format: 'hf-parquet',
    })
    const again = reseg('import', 'dataset', file, '--project', project, '--name', 'ReasonSeg-val')
    expect(again.status).not.toBe(0)
    expect(again.stderr).toMatch(/a dataset named 'ReasonSeg-val' already exists/)
  })

  it('rejects an unknown format with one line and a non-zero exit', () => {
    const r = reseg('import', 'dataset', file, '--project', path.join(tmp, 'p2'), '--format', 'csv')
    expect(r.status).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/csv/)
  })
})
