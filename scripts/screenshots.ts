/**
 * Writes docs/screenshots/*.png from the real renderer: builds it (unless out/renderer exists and
 * --no-build is given), creates the demo project in a temp folder, serves it with the serve host and
 * drives Debian's Chromium at 1280×800 through the first screen, diff mode, a prompt edit, the grid,
 * ground-truth edit mode, the light theme, the help overlay and the analysis tab.
 *
 *   npm run screenshots [-- --no-build] [-- --only gt-edit,help]   (--only: write just these files)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildRenderer, rendererIsBuilt } from './buildRenderer.mjs'
import { chromium, type Page } from 'playwright-core'
import { createDemoProject } from '../src/main/demo/demo'
import { startServeHost } from '../src/main/hosts/serve/server'
import { openProject } from '../src/main/store/project'
import { fromCoco, toBbox } from '../src/shared/domain/rle'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outDir = path.join(root, 'docs/screenshots')
const rendererDir = path.join(root, 'out/renderer')

async function settle(page: Page, ms = 400): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  await page.waitForTimeout(ms)
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build') || !rendererIsBuilt()) {
    buildRenderer()
  }
  fs.mkdirSync(outDir, { recursive: true })
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reseg-shots-'))
  const demo = await createDemoProject(path.join(tmp, 'demo'), { images: 24 })
  demo.close()
  const project = openProject(path.join(tmp, 'demo'))
  const host = await startServeHost({ project, rendererDir })
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars'],
  })
  const written: string[] = []
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(host.url)
    await page.waitForSelector('[data-testid=canvas][data-sample-id]')
    const onlyArg = process.argv.indexOf('--only')
    const only = onlyArg === -1 ? null : new Set((process.argv[onlyArg + 1] ?? '').split(','))
    const shot = async (name: string) => {
      if (only && !only.has(name)) return
      await settle(page)
      const file = path.join(outDir, `${name}.png`)
      await page.screenshot({ path: file })
      written.push(path.relative(root, file))
    }

    // First screen on a failure worth looking at: low in the IoU order of the first run.
    await page.click('[data-testid=sort-iou]')
    await page.waitForTimeout(300)
    await page.keyboard.press('Home')
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await shot('inspector')

    await page.keyboard.press('d')
    await shot('diff-mode')
    await page.keyboard.press('d')

    // A prompt edit that fixes a wrong-object failure: delete the model's point (alt-click), then draw a new
    // box around the object the query meant (b-drag); the live mask and its IoU follow.
    const view = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=canvas]') as HTMLElement
      const r = el.getBoundingClientRect()
      return {
        scale: Number(el.dataset.scale),
        ox: r.left + Number(el.dataset.tx),
        oy: r.top + Number(el.dataset.ty),
      }
    })
    const toScreen = (x: number, y: number) => [view.ox + x * view.scale, view.oy + y * view.scale] as const
    const sampleId = Number(await page.getAttribute('[data-testid=app]', 'data-sample-id'))
    const sample = project.db
      .prepare('SELECT width, height, gt_rle FROM samples WHERE id = ?')
      .get(sampleId) as { width: number; height: number; gt_rle: string }
    const pred = project.db
      .prepare(
        'SELECT prompts_json FROM predictions WHERE sample_id = ? AND prompts_json IS NOT NULL ORDER BY run_id LIMIT 1',
      )
      .get(sampleId) as { prompts_json: string } | undefined
    const point = pred
      ? (JSON.parse(pred.prompts_json) as { points: { x: number; y: number }[] }[])[0]?.points[0]
      : undefined
    if (point) {
      await page.keyboard.down('Alt')
      await page.mouse.click(...toScreen(point.x, point.y))
      await page.keyboard.up('Alt')
    }
    const [gx, gy, gw, gh] = toBbox(fromCoco({ size: [sample.height, sample.width], counts: sample.gt_rle }))
    /** B-drag a box between two image points, then wait for its segmentation to show. */
    const dragBox = async (from: readonly [number, number], to: readonly [number, number]) => {
      await page.keyboard.down('b')
      await page.mouse.move(...from)
      await page.mouse.down()
      await page.mouse.move(...to, { steps: 8 })
      await page.mouse.up()
      await page.keyboard.up('b')
      await page
        .waitForSelector('[data-testid=segmenting]', { state: 'detached', timeout: 60_000 })
        .catch(() => undefined)
      await page.waitForTimeout(800)
    }
    await dragBox(toScreen(gx - 4, gy - 4), toScreen(gx + gw + 4, gy + gh + 4))
    await shot('prompt-edit')

    // A second object: the one the model picked (its answer's box, a wrong object), added with n and a box
    // around it. The object list shows both in their colours, each with its IoU against the GT piece it
    // matched (the model's pick matches none), and the canvas draws each object's mask.
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.keyboard.press('n')
    const picked = pred
      ? (JSON.parse(pred.prompts_json) as { box?: [number, number, number, number] }[])[0]?.box
      : undefined
    const [bx0, by0, bx1, by1] = picked ?? [8, 8, 8 + sample.width / 5, 8 + sample.height / 5]
    await dragBox(toScreen(bx0 - 2, by0 - 2), toScreen(bx1 + 2, by1 + 2))
    await shot('objects')

    // Ground-truth edit mode on the same sample: a brush stroke adds to the object, a second object is
    // being outlined with the polygon tool (vertices and rubber band visible), the panel lists both.
    await page.locator('body').click({ position: { x: 5, y: 795 } })
    await page.keyboard.press('e')
    await page.waitForSelector('[data-testid=gt-tool-brush]')
    await page.click('[data-testid=gt-tool-brush]')
    for (let k = 0; k < 3; k++) await page.keyboard.press(']')
    await page.mouse.move(...toScreen(gx + gw * 0.2, gy + gh + 6))
    await page.mouse.down()
    await page.mouse.move(...toScreen(gx + gw * 0.8, gy + gh + 10), { steps: 12 })
    await page.mouse.up()
    await page.waitForTimeout(600)
    await page.click('[data-testid=gt-add-object]')
    await page.click('[data-testid=gt-tool-polygon]')
    const px = Math.min(sample.width - 30, gx + gw + 20)
    const py = Math.max(20, gy - 10)
    for (const [x, y] of [
      [px, py],
      [px + 24, py + 6],
      [px + 18, py + 34],
    ] as const)
      await page.mouse.click(...toScreen(x, y))
    await page.mouse.move(...toScreen(px - 4, py + 26), { steps: 4 })
    await shot('gt-edit')
    await page.keyboard.press('Escape')
    await page.keyboard.press('e')

    await page.keyboard.press('v')
    await page.waitForSelector('[data-testid=grid-cell] img', { timeout: 30_000 }).catch(() => undefined)
    await page.waitForTimeout(800)
    await shot('grid')
    await page.keyboard.press('v')

    await page.keyboard.press('t')
    await shot('inspector-light')
    await page.keyboard.press('t')

    await page.keyboard.press('?')
    await shot('help')
    await page.keyboard.press('Escape')

    await page.click('[data-testid=tab-analysis]')
    await page.waitForTimeout(1500)
    await shot('analysis')
    await page.click('.tabs button:has-text("Inspect")')

    // The import form on a run file beside the project (the folder browser's root is the project's
    // parent): the first rows with the IoU each would get, before anything is written.
    const rows = project.db
      .prepare('SELECT image_id, ann_id, gt_rle, width, height FROM samples ORDER BY id LIMIT 4')
      .all() as { image_id: string; ann_id: string; gt_rle: string; width: number; height: number }[]
    fs.mkdirSync(path.join(tmp, 'runs'), { recursive: true })
    fs.writeFileSync(
      path.join(tmp, 'runs', 'oracle.jsonl'),
      rows
        .map((r, i) =>
          JSON.stringify({
            image_id: r.image_id,
            ann_id: r.ann_id,
            reasoning: `<think>look for the object the query means</think><answer>object ${i + 1}</answer>`,
            // Every other line an empty mask: the preview shows IoU 1 and 0.
            mask: { size: [r.height, r.width], counts: i % 2 ? [r.height * r.width] : r.gt_rle },
          }),
        )
        .join('\n') + '\n',
    )
    await page.click('[data-testid=import-run]')
    await page.waitForSelector('[data-testid=folder-browser]')
    await page.click('[data-testid=folder-entry][data-name=runs]')
    await page.click('[data-testid=folder-entry][data-name="oracle.jsonl"]')
    await page.waitForSelector('[data-testid=import-preview-row]')
    await shot('import-form')
    await page.keyboard.press('Escape')
  } finally {
    await browser.close()
    await host.close()
    project.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  for (const f of written) console.log(f)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
