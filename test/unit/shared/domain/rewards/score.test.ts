import { describe, expect, it } from 'vitest'
import { grpoAdvantages, thinkLength } from '../../../../../src/shared/domain/rewards/score'

describe('grpoAdvantages (verl compute_grpo_outcome_advantage)', () => {
  it('uses the unbiased std and adds 1e-6 to it', () => {
    // Rewards 1, 2, 3: mean 2, unbiased std 1.
    const a = grpoAdvantages([1, 2, 3])
    expect(a.mean).toBe(2)
    expect(a.std).toBe(1)
    expect(a.advantages).toEqual([-1 / (1 + 1e-6), 0, 1 / (1 + 1e-6)])
  })
  it('gives every rollout of an equal-reward group advantage 0, and a group of one mean 0 and std 1', () => {
    expect(grpoAdvantages([5, 5, 5, 5]).advantages).toEqual([0, 0, 0, 0])
    expect(grpoAdvantages([4])).toEqual({ mean: 0, std: 1, advantages: [4 / (1 + 1e-6)] })
  })
})

describe('thinkLength', () => {
  it('counts the characters of the first think block', () => {
    expect(thinkLength('<think>abc</think><think>zzzz</think>')).toBe(3)
    expect(thinkLength('no tags')).toBeNull()
  })
})
