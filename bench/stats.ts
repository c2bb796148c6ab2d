/** Numbers the benches report. */

/** The p-th percentile (0–100) by nearest rank: element floor(p% of n) of the sorted values, the last at most. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
