import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { renderThumbnail } from '../../../../src/main/reports/thumbnails'
import { putMedia } from '../../../../src/main/store/media'
import { openProject } from '../../../../src/main/store/project'
import { toCoco } from '../../../../src/shared/domain/rle'
import { rectMask } from '../../../fixtures/analysisProject'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-thumb-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('renderThumbnail', () => {
  it('scales to the max side, tints the prediction red and outlines the GT green', async () => {
    const project = openProject(dir, { create: true })
    const W = 480
    const H = 240
    const png = await sharp({
      create: { width: W, height: H, channels: 3, background: { r: 128, g: 128, b: 128 } },
    })
      .png()
      .toBuffer()
    const hash = putMedia(project, png, { ext: 'png', width: W, height: H })
    // GT: [40, 40) – (200, 200); prediction: the right half of the image.
    const gt = toCoco(rectMask([40, 40, 200, 200], W, H)).counts
    const pred = toCoco(rectMask([240, 0, 480, 240], W, H)).counts
    const uri = await renderThumbnail(
      project,
      { media_hash: hash, width: W, height: H, gt_rle: gt },
      pred,
      240,
    )
    expect(uri.startsWith('data:image/jpeg;base64,')).toBe(true)
    const { data, info } = await sharp(Buffer.from(uri.split(',')[1], 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([240, 120])
    const px = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ]
    const [r, g, b] = px(180, 60) // inside the prediction: half grey, half red (230, 40, 40)
    expect(r).toBeGreaterThan(g + 60)
    expect(Math.abs(r - 179)).toBeLessThan(20)
    expect(Math.abs(b - 84)).toBeLessThan(20)
    const grey = px(60, 60) // inside the GT, away from its outline, no prediction: untouched
    expect(grey.every((v) => Math.abs(v - 128) < 12)).toBe(true)
    const edge = px(20, 60) // GT left edge at x = 40 / 2
    expect(edge[1]).toBeGreaterThan(edge[0] + 60)
    project.close()
  })
})
