/**
 * LISA's ReasonSeg folder layout: per sample `<name>.json` (labelme-style: `shapes` with `label`
 * `target` / `ignore`, polygon `points`, plus LISA's `text` list and `is_sentence`) and the image copied
 * beside it as `<name>.<ext>`. `<name>` is the image_id, or image_id__ann_id when several samples share
 * the image (their masks differ, and a LISA json holds one mask). Polygons come from maskPolygons.ts;
 * target pixels that are also ignore pixels are written as ignore only (LISA's masks give each pixel one
 * value, and metrics exclude ignore pixels either way).
 */
import fs from 'node:fs'
import path from 'node:path'
import { queryKind } from '../../../shared/domain/breakdowns'
import { combineRle } from '../../../shared/domain/maskOps'
import type { ExportSample, FormatWriter } from './exportDataset'
import { safeFileStem } from './fileNames'
import { maskToPolygons } from './maskPolygons'

export class LisaDatasetWriter implements FormatWriter {
  private readonly used = new Set<string>()
  private readonly files: string[] = []

  constructor(private readonly dir: string) {}

  async add(s: ExportSample): Promise<void> {
    const stem =
      s.imageIdShared > 1 ? `${safeFileStem(s.imageId)}__${safeFileStem(s.annId)}` : safeFileStem(s.imageId)
    let name = stem
    for (let k = 2; this.used.has(name); k++) name = `${stem}-${k}`
    this.used.add(name)
    const target = s.ignore ? combineRle(s.mask, s.ignore, 'subtract') : s.mask
    const shape = (label: string, points: [number, number][]) => ({
      label,
      points,
      group_id: null,
      shape_type: 'polygon',
      flags: {},
    })
    const shapes = [
      ...(await maskToPolygons(target)).map((p) => shape('target', p)),
      ...(s.ignore ? await maskToPolygons(s.ignore) : []).map((p) => shape('ignore', p)),
    ]
    const imageName = `${name}.${s.ext}`
    const json = {
      version: '4.5.6',
      flags: {},
      text: [s.query],
      is_sentence: queryKind(s.isSentence, s.query) === 'sentence',
      shapes,
      imagePath: imageName,
      imageData: null,
      imageHeight: s.height,
      imageWidth: s.width,
    }
    // Synchronous: small page-cache writes; the async versions left the export idle on the thread pool.
    fs.writeFileSync(path.join(this.dir, `${name}.json`), JSON.stringify(json))
    fs.copyFileSync(s.imageFile, path.join(this.dir, imageName))
    this.files.push(`${name}.json`, imageName)
  }

  async finish(): Promise<string[]> {
    return this.files
  }

  abort(): void {
    // Nothing held open: the caller removes the temporary folder.
  }
}
