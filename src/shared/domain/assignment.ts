/**
 * Minimum-cost one-to-one assignment of a rectangular cost matrix, the job SciPy's `linear_sum_assignment`
 * does in the VisionReasoner reward and in matching answer objects to GT pieces: min(rows, cols) pairs with
 * the smallest total cost. No maintained npm package covers rectangular matrices with a small footprint, so
 * this is the classical O(n²·m) shortest augmenting path algorithm with row/column potentials (Kuhn–Munkres
 * in the Jonker–Volgenant form).
 * The reward only uses the optimal total, which is unique even where several assignments reach it.
 * Pure module.
 */

export interface Assignment {
  /** Matched pairs as [row, col], rows ascending (as SciPy returns them). */
  pairs: Array<[number, number]>
  total: number
}

/** `cost[r][c]`, every row the same length. An empty matrix (no rows or no columns) gives no pairs. */
export function linearSumAssignment(cost: ReadonlyArray<ArrayLike<number>>): Assignment {
  const rows = cost.length
  const cols = rows === 0 ? 0 : cost[0].length
  if (rows === 0 || cols === 0) return { pairs: [], total: 0 }
  // The algorithm assigns every row of an n ≤ m matrix; transpose a tall matrix.
  const transposed = rows > cols
  const n = transposed ? cols : rows
  const m = transposed ? rows : cols
  const at = transposed ? (i: number, j: number) => cost[j][i] : (i: number, j: number) => cost[i][j]

  // 1-based arrays with a virtual column 0, as in the textbook formulation.
  const u = new Float64Array(n + 1)
  const v = new Float64Array(m + 1)
  const match = new Int32Array(m + 1) // match[col] = row assigned to col (0 = none)
  const way = new Int32Array(m + 1)
  const minv = new Float64Array(m + 1)
  const used = new Uint8Array(m + 1)
  for (let i = 1; i <= n; i++) {
    match[0] = i
    let j0 = 0
    minv.fill(Infinity)
    used.fill(0)
    do {
      used[j0] = 1
      const i0 = match[j0]
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue
        const cur = at(i0 - 1, j - 1) - u[i0] - v[j]
        if (cur < minv[j]) {
          minv[j] = cur
          way[j] = j0
        }
        if (minv[j] < delta) {
          delta = minv[j]
          j1 = j
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[match[j]] += delta
          v[j] -= delta
        } else minv[j] -= delta
      }
      j0 = j1
    } while (match[j0] !== 0)
    do {
      const j1 = way[j0]
      match[j0] = match[j1]
      j0 = j1
    } while (j0 !== 0)
  }
  const pairs: Array<[number, number]> = []
  for (let j = 1; j <= m; j++) {
    if (match[j] === 0) continue
    const r = match[j] - 1
    const c = j - 1
    pairs.push(transposed ? [c, r] : [r, c])
  }
  pairs.sort((a, b) => a[0] - b[0])
  let total = 0
  for (const [r, c] of pairs) total += cost[r][c]
  return { pairs, total }
}
