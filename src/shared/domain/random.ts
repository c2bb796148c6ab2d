/**
 * The one seeded PRNG of the code base (mulberry32): demo scenes, bootstrap resampling, report sampling,
 * test fixtures and benches all draw from it, so a seed means the same sequence everywhere. Pure module.
 */

export type Rng = () => number

/** Mulberry32: a small, fast 32-bit PRNG; uniform on [0, 1) and identical across JS engines for a seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
