/**
 * `reseg demo`: writes a deterministic ReasonSeg-like project — synthetic scenes, implicit queries,
 * exact ground truth, and two simulated model runs whose outputs follow Seg-Zero's
 * `<think>…</think><answer>[{"bbox_2d", "point_2d"}]</answer>` format with typical failure modes
 * (wrong object, partial mask, over-segmentation, unparseable answer).
 */
import sharp from 'sharp'
import type { ObjectPrompt } from '../../shared/domain/prompts'
import { emptyRle, encodeRowMajor, intersectionUnion } from '../../shared/domain/rle'
import { createDataset } from '../store/datasets'
import { putMedia } from '../store/media'
import { openProject, type Project } from '../store/project'
import { createRun, upsertPrediction } from '../store/runs'
import { insertSample } from '../store/samples'
import { seededRng, type Rng } from '../../shared/domain/random'
import { renderScene, shuffle, type ObjectKind, type Scene } from './scene'

export interface DemoOptions {
  images?: number
  queriesPerImage?: number
  seed?: number
  onProgress?: (done: number, total: number) => void
  /** better-sqlite3 binary to open the project with (the desktop app's Electron-ABI build). */
  nativeBinding?: string
  /**
   * Told, for every prediction written, which failure the generator simulated: the ground truth the
   * suggested failure tags are checked against. Listening draws no random numbers, so the data is the same.
   */
  onSimulated?: (s: { run: string; sampleId: number; cause: SimulatedCause }) => void
}

/**
 * What the generator did to a prediction: 'none' is the small ±1–2 px jitter every prediction gets, which
 * only fails on small objects (the segmenter's fault: the right object, a poor mask).
 */
export type SimulatedCause = 'none' | 'wrong' | 'partial' | 'over' | 'parse-error'

interface KindText {
  name: string
  phrase: string
  sentence: string
  why: string
}

const TEXT: Record<ObjectKind, KindText> = {
  sun: {
    name: 'sun',
    phrase: 'the source of daylight',
    sentence: 'What in this picture gives the landscape its light and warmth during the day?',
    why: 'the bright yellow disc in the sky is what lights and warms the scene',
  },
  house: {
    name: 'house',
    phrase: 'a place where a family could live',
    sentence: 'If a family wanted shelter from the rain in this scene, where would they go?',
    why: 'the building with walls and a red roof offers shelter and is where people live',
  },
  tree: {
    name: 'tree',
    phrase: 'something that gives shade on a hot day',
    sentence: 'Where could someone sit to stay out of the sun on a hot summer afternoon?',
    why: 'the tree has a wide green crown on a trunk, which casts shade',
  },
  car: {
    name: 'car',
    phrase: 'what someone would drive to work',
    sentence: 'Which object here would a person use to travel to the next town by road?',
    why: 'the red vehicle with two wheels is a car used for road travel',
  },
  lake: {
    name: 'lake',
    phrase: 'the place to go swimming',
    sentence: 'On a hot day, where in this scene could children cool off by swimming?',
    why: 'the blue body of water is a lake, where one could swim',
  },
  kite: {
    name: 'kite',
    phrase: 'the toy that flies on a windy day',
    sentence: 'What object in the sky is held by a string and flown for fun when it is windy?',
    why: 'the diamond shape with a tail high in the sky is a kite',
  },
}

interface RunProfile {
  name: string
  model: string
  wrong: number
  partial: number
  over: number
  parseError: number
}

const RUNS: RunProfile[] = [
  {
    name: 'seg-zero-7b',
    model: 'Seg-Zero-7B (simulated)',
    wrong: 0.12,
    partial: 0.1,
    over: 0.06,
    parseError: 0.03,
  },
  {
    name: 'visionreasoner-7b',
    model: 'VisionReasoner-7B (simulated)',
    wrong: 0.07,
    partial: 0.14,
    over: 0.1,
    parseError: 0.01,
  },
]

const INPUT_SIZE = 840

export async function createDemoProject(dir: string, opts: DemoOptions = {}): Promise<Project> {
  const images = opts.images ?? 80
  const perImage = opts.queriesPerImage ?? 3
  const rng = seededRng(opts.seed ?? 20250311)
  const project = openProject(dir, { create: true, nativeBinding: opts.nativeBinding })
  const { db } = project
  if ((db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n > 0) {
    project.close()
    throw new Error(`${dir} already holds a project; choose an empty folder for the demo`)
  }

  const scenes: { scene: Scene; hash: string; imageId: string }[] = []
  for (let i = 0; i < images; i++) {
    const width = 320 + 32 * Math.floor(rng() * 11)
    const height = 240 + 24 * Math.floor(rng() * 11)
    const scene = renderScene(rng, width, height)
    const jpeg = await sharp(Buffer.from(scene.rgb), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 88 })
      .toBuffer()
    const hash = putMedia(project, jpeg, { ext: 'jpg', width, height })
    scenes.push({ scene, hash, imageId: `demo_${String(i).padStart(4, '0')}` })
    opts.onProgress?.(i + 1, images)
  }

  db.transaction(() => {
    const datasetId = createDataset(db, {
      name: 'reasonseg-demo',
      format: 'demo',
      source: 'reseg demo',
      split: 'val',
    })
    const runIds = RUNS.map((r) =>
      createRun(db, {
        datasetId,
        name: r.name,
        kind: 'demo',
        model: r.model,
        source: 'simulated by reseg demo',
      }),
    )
    for (const { scene, hash, imageId } of scenes) {
      const targets = shuffle(
        rng,
        scene.objects.map((_, i) => i),
      ).slice(0, perImage)
      targets.forEach((target, q) => {
        const obj = scene.objects[target]
        const isSentence = rng() < 0.5
        const gt = encodeRowMajor(obj.visible, scene.height, scene.width)
        const sampleId = insertSample(db, {
          datasetId,
          imageId,
          annId: String(q),
          mediaHash: hash,
          width: scene.width,
          height: scene.height,
          query: isSentence ? TEXT[obj.kind].sentence : TEXT[obj.kind].phrase,
          isSentence,
          gt,
        })
        RUNS.forEach((profile, r) => {
          const p = simulatePrediction(rng, scene, target, profile)
          opts.onSimulated?.({ run: profile.name, sampleId, cause: p.cause })
          const mask = p.mask
            ? encodeRowMajor(p.mask, scene.height, scene.width)
            : emptyRle(scene.height, scene.width)
          const { intersection, union } = intersectionUnion(gt, mask)
          upsertPrediction(db, {
            runId: runIds[r],
            sampleId,
            rawOutput: p.raw,
            reasoning: p.reasoning,
            answer: p.answer,
            parseError: p.parseError,
            prompts: p.prompts,
            mask: p.mask ? mask : null,
            score: p.mask ? Math.round((0.7 + 0.3 * rng()) * 1000) / 1000 : null,
            intersection,
            union,
            iou: union === 0 ? 0 : intersection / union,
          })
        })
      })
    }
  })()
  return project
}

interface SimulatedPrediction {
  raw: string
  reasoning: string | null
  answer: string | null
  parseError: string | null
  prompts: ObjectPrompt[]
  mask: Uint8Array | null
  cause: SimulatedCause
}

function simulatePrediction(
  rng: Rng,
  scene: Scene,
  target: number,
  profile: RunProfile,
): SimulatedPrediction {
  const { width: w, height: h } = scene
  const obj = scene.objects[target]
  const others = scene.objects.filter((_, i) => i !== target)
  const roll = rng()
  let chosen = obj
  let mask: Uint8Array
  let failure: SimulatedCause = 'none'
  if (roll < profile.parseError) {
    const reasoning = `The question asks for ${TEXT[obj.kind].phrase}. I need to find it in the image`
    return {
      raw: `<think>${reasoning}.</think><answer>[{"bbox_2d": [${Math.round(rng() * 300)}, ${Math.round(rng() * 300)}, `,
      reasoning,
      answer: null,
      parseError: 'answer JSON is truncated (no closing bracket)',
      prompts: [],
      mask: null,
      cause: 'parse-error',
    }
  } else if (roll < profile.parseError + profile.wrong && others.length > 0) {
    chosen = others[Math.floor(rng() * others.length)]
    mask = morph(chosen.visible, w, h, Math.round(rng() * 2) - 1)
    failure = 'wrong'
  } else if (roll < profile.parseError + profile.wrong + profile.partial) {
    mask = cutPartial(rng, obj.visible, w, h)
    failure = 'partial'
  } else if (roll < profile.parseError + profile.wrong + profile.partial + profile.over) {
    mask = morph(obj.visible, w, h, 4 + Math.floor(rng() * 5))
    failure = 'over'
  } else {
    mask = morph(obj.visible, w, h, Math.round(rng() * 3) - 1)
  }
  if (!mask.some((v) => v === 1)) mask = chosen.visible.slice()

  const box = maskBox(mask, w, h)
  const point = interiorPoint(mask, w)
  const to840 = (v: number, size: number) => Math.round((v * INPUT_SIZE) / size)
  const bbox840 = [to840(box[0], w), to840(box[1], h), to840(box[2], w), to840(box[3], h)]
  const point840 = [to840(point[0], w), to840(point[1], h)]
  // Seg-Zero maps answer coordinates back with int(v * size / 840 + 0.5).
  const back = (v: number, size: number) => Math.floor((v * size) / INPUT_SIZE + 0.5)
  const prompt: ObjectPrompt = {
    box: [back(bbox840[0], w), back(bbox840[1], h), back(bbox840[2], w), back(bbox840[3], h)],
    points: [{ x: back(point840[0], w), y: back(point840[1], h), label: 1 }],
  }
  const names = scene.objects.map((o) => TEXT[o.kind].name)
  const region = regionName((box[0] + box[2]) / 2 / w, (box[1] + box[3]) / 2 / h)
  const target_ = TEXT[chosen.kind]
  const reasoning =
    `The question asks for ${TEXT[obj.kind].phrase}. In the image I can see ${listJoin(names.map((n) => `a ${n}`))}. ` +
    (failure === 'wrong'
      ? `Of these, I think ${target_.why}, so it best matches the request. `
      : `Of these, ${TEXT[obj.kind].why}. `) +
    (failure === 'partial' ? `I will focus on the most visible part of the ${target_.name}. ` : '') +
    `The target is the ${target_.name} in the ${region} of the image.`
  const answer = JSON.stringify([{ bbox_2d: bbox840, point_2d: point840 }])
  return {
    raw: `<think>${reasoning}</think><answer>${answer}</answer>`,
    reasoning,
    answer,
    parseError: null,
    prompts: [prompt],
    mask,
    cause: failure,
  }
}

/** Grows (k > 0) or shrinks (k < 0) a mask by |k| pixels with a 4-neighbourhood. */
function morph(mask: Uint8Array, w: number, h: number, k: number): Uint8Array {
  let cur = mask.slice()
  const grow = k > 0
  for (let step = 0; step < Math.abs(k); step++) {
    const next = cur.slice()
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x
        if (grow ? cur[p] : !cur[p]) continue
        const n =
          (x > 0 && cur[p - 1]) ||
          (x < w - 1 && cur[p + 1]) ||
          (y > 0 && cur[p - w]) ||
          (y < h - 1 && cur[p + w])
        const all =
          x > 0 && cur[p - 1] && x < w - 1 && cur[p + 1] && y > 0 && cur[p - w] && y < h - 1 && cur[p + w]
        if (grow && n) next[p] = 1
        if (!grow && !all) next[p] = 0
      }
    }
    cur = next
  }
  return cur
}

function cutPartial(rng: Rng, mask: Uint8Array, w: number, h: number): Uint8Array {
  const [x1, y1, x2, y2] = maskBox(mask, w, h)
  const vertical = rng() < 0.5
  const frac = 0.35 + rng() * 0.3
  const cut = vertical ? x1 + (x2 - x1) * frac : y1 + (y2 - y1) * frac
  const keepLow = rng() < 0.5
  const out = new Uint8Array(mask.length)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = vertical ? x : y
      if (mask[y * w + x] && (keepLow ? v < cut : v >= cut)) out[y * w + x] = 1
    }
  }
  return out
}

/** [x1, y1, x2, y2] with x2/y2 exclusive, as Seg-Zero's boxes are drawn. */
function maskBox(mask: Uint8Array, w: number, h: number): [number, number, number, number] {
  let x1 = w
  let y1 = h
  let x2 = -1
  let y2 = -1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue
      if (x < x1) x1 = x
      if (x > x2) x2 = x
      if (y < y1) y1 = y
      if (y > y2) y2 = y
    }
  }
  return [x1, y1, x2 + 1, y2 + 1]
}

/** The mask pixel nearest the centroid, so the point always lands on the object. */
function interiorPoint(mask: Uint8Array, w: number): [number, number] {
  let sx = 0
  let sy = 0
  let n = 0
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue
    sx += p % w
    sy += Math.floor(p / w)
    n++
  }
  const cx = sx / n
  const cy = sy / n
  let best: [number, number] = [0, 0]
  let bestD = Infinity
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue
    const x = p % w
    const y = Math.floor(p / w)
    const d = (x - cx) ** 2 + (y - cy) ** 2
    if (d < bestD) {
      bestD = d
      best = [x, y]
    }
  }
  return best
}

function regionName(fx: number, fy: number): string {
  const col = fx < 0.34 ? 'left' : fx > 0.66 ? 'right' : 'centre'
  const row = fy < 0.34 ? 'upper' : fy > 0.66 ? 'lower' : 'middle'
  return row === 'middle' && col === 'centre' ? 'centre' : `${row} ${col}`
}

function listJoin(items: string[]): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}
