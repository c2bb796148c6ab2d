/**
 * COCO instances export: `annotations/instances.json` (`images`, `annotations` with compressed-RLE
 * `segmentation`, `area`, `bbox`, one `target` category) and the images copied to `images/`. Each
 * sample is one annotation whose `caption` is its query (what our COCO importer reads back); the
 * original string ids are kept in `reseg_image_id` / `reseg_ann_id` since COCO ids are integers.
 * `counts`, `bbox` and `area` are exactly pycocotools' `encode`, `toBbox` and `area`.
 *
 * Annotations stream to a part file as they come; only the small `images` list is held, and the
 * final JSON is assembled from both at the end.
 */
import fs from 'node:fs'
import path from 'node:path'
import { area, toBbox, toCoco } from '../../../shared/domain/rle'
import { canonicalRuns } from '../../runs/predictionMask'
import type { ExportSample, FormatWriter } from './exportDataset'
import { safeFileStem } from './fileNames'

interface CocoImageEntry {
  id: number
  file_name: string
  width: number
  height: number
  reseg_image_id: string
}

export class CocoDatasetWriter implements FormatWriter {
  private readonly images = new Map<string, CocoImageEntry>()
  private readonly usedNames = new Set<string>()
  private readonly partFile: string
  private readonly part: number
  private annotations = 0

  constructor(
    private readonly dir: string,
    private readonly datasetName: string,
  ) {
    fs.mkdirSync(path.join(dir, 'images'))
    fs.mkdirSync(path.join(dir, 'annotations'))
    this.partFile = path.join(dir, 'annotations', '.annotations.part')
    this.part = fs.openSync(this.partFile, 'wx')
  }

  async add(s: ExportSample): Promise<void> {
    let image = this.images.get(s.mediaHash)
    if (!image) {
      let name = `${safeFileStem(s.imageId)}.${s.ext}`
      if (this.usedNames.has(name)) name = `${safeFileStem(s.imageId)}-${s.mediaHash.slice(0, 12)}.${s.ext}`
      this.usedNames.add(name)
      image = {
        id: this.images.size + 1,
        file_name: name,
        width: s.width,
        height: s.height,
        reseg_image_id: s.imageId,
      }
      this.images.set(s.mediaHash, image)
      fs.copyFileSync(s.imageFile, path.join(this.dir, 'images', name))
    }
    // Re-canonicalised so that masks from any producer are written exactly as pycocotools encodes them.
    const rle = canonicalRuns(s.mask)
    const ann = {
      id: ++this.annotations,
      image_id: image.id,
      category_id: 1,
      segmentation: toCoco(rle),
      area: area(rle),
      bbox: toBbox(rle),
      iscrowd: 0,
      caption: s.query,
      is_sentence: s.isSentence,
      reseg_image_id: s.imageId,
      reseg_ann_id: s.annId,
    }
    fs.writeSync(this.part, `${this.annotations > 1 ? ',\n' : ''}${JSON.stringify(ann)}`)
  }

  async finish(): Promise<string[]> {
    fs.closeSync(this.part)
    const file = path.join(this.dir, 'annotations', 'instances.json')
    const fd = fs.openSync(file, 'wx')
    try {
      const head = {
        info: { description: this.datasetName, version: '1.0', contributor: 'ReSeg Inspector export' },
        images: [...this.images.values()],
      }
      const headJson = JSON.stringify(head)
      fs.writeSync(fd, `${headJson.slice(0, -1)},"annotations":[\n`)
      // Copied in chunks: the annotations part can be larger than what should be held at once.
      const src = fs.openSync(this.partFile, 'r')
      const buf = Buffer.alloc(1 << 20)
      for (let n; (n = fs.readSync(src, buf, 0, buf.length, null)) > 0;) fs.writeSync(fd, buf, 0, n)
      fs.closeSync(src)
      fs.writeSync(fd, `\n],"categories":[{"id":1,"name":"target","supercategory":"object"}]}\n`)
    } finally {
      fs.closeSync(fd)
    }
    fs.rmSync(this.partFile)
    return ['annotations/instances.json', ...[...this.images.values()].map((i) => `images/${i.file_name}`)]
  }

  abort(): void {
    try {
      fs.closeSync(this.part)
    } catch {
      // already closed
    }
  }
}
