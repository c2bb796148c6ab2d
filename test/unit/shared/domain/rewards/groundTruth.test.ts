import { describe, expect, it } from 'vitest'
import { seededRng } from '../../../../../src/shared/domain/random'
import {
  maskPrompts,
  rewardGroundTruth,
  scaleTo840,
} from '../../../../../src/shared/domain/rewards/groundTruth'
import { hasScipy, pythonGt } from './pythonReference'

function randomMask(seed: number): { w: number; h: number; mask: Uint8Array } {
  const rng = seededRng(seed)
  const w = 1 + Math.floor(rng() * 40)
  const h = 1 + Math.floor(rng() * 40)
  const mask = new Uint8Array(w * h)
  const kind = rng()
  if (kind < 0.1)
    mask.fill(1) // no background at all
  else {
    const blobs = 1 + Math.floor(rng() * 3)
    for (let b = 0; b < blobs; b++) {
      const cx = rng() * w
      const cy = rng() * h
      const r = 0.5 + rng() * Math.max(w, h) * 0.4
      const square = rng() < 0.4
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const inside = square
            ? Math.abs(x - cx) <= r && Math.abs(y - cy) <= r
            : (x - cx) ** 2 + (y - cy) ** 2 <= r * r
          if (inside) mask[y * w + x] = 1
        }
    }
    if (!mask.some((v) => v)) mask[Math.floor(rng() * w * h)] = 1
  }
  return { w, h, mask }
}

describe('derived GT prompts', () => {
  it('gives the inclusive box and the deepest pixel, the border not counting as background', () => {
    // A 4x3 mask touching the left border: a border pixel is as deep as the interior here.
    const w = 6
    const h = 5
    const m = new Uint8Array(w * h)
    for (let y = 1; y <= 3; y++) for (let x = 0; x <= 3; x++) m[y * w + x] = 1
    const p = maskPrompts(m, w, h)
    // Distances: column 0 and 1 of the middle row are 2 from the background (rows 0 and 4 are 2 away).
    expect(p?.box).toEqual([0, 1, 3, 3])
    expect(p?.point).toEqual([0, 2])
  })

  it('scales with the factor computed first', () => {
    expect(scaleTo840(10, 100)).toBe(84)
    expect(scaleTo840(0, 7)).toBe(0)
    // 839 * (840/1000) + 0.5 = 705.26 → 705
    expect(scaleTo840(839, 1000)).toBe(705)
  })

  it('uses the solution string verbatim and says where GT came from', () => {
    const s = '[{"bbox_2d": [1, 2, 3, 4], "point_2d": [2, 3]}]'
    const g = rewardGroundTruth({ solution: s, mask: new Uint8Array(4), width: 2, height: 2 })
    expect(g).toMatchObject({
      solution: s,
      source: 'solution',
      objects: [{ bbox_2d: [1, 2, 3, 4], point_2d: [2, 3] }],
    })
    const d = rewardGroundTruth({ mask: Uint8Array.from([0, 1, 0, 0]), width: 2, height: 2 })
    expect(d).toMatchObject({
      source: 'derived',
      solution: '[{"bbox_2d": [420, 0, 420, 0], "point_2d": [420, 0]}]',
    })
  })
})

describe.skipIf(!hasScipy())('derived GT prompts against NumPy/SciPy', () => {
  it('box, deepest point, second point and 840 scaling identical on 300 random masks', () => {
    const cases = Array.from({ length: 300 }, (_, i) => randomMask(1000 + i))
    const py = pythonGt(cases.map((c) => ({ w: c.w, h: c.h, mask: [...c.mask] })))
    const bad: string[] = []
    cases.forEach((c, i) => {
      const p = maskPrompts(c.mask, c.w, c.h)
      const g = rewardGroundTruth({ mask: c.mask, width: c.w, height: c.h })
      const ours = {
        box: p?.box,
        point: p?.point,
        second: p?.second,
        box840: g.objects[0].bbox_2d,
        point840: g.objects[0].point_2d,
      }
      if (JSON.stringify(ours) !== JSON.stringify(py[i]))
        bad.push(`case ${i}: ${JSON.stringify(ours)} vs ${JSON.stringify(py[i])}`)
    })
    expect(bad.slice(0, 5)).toEqual([])
  })
})
