/**
 * Connected-component labelling of a row-major 0/1 mask, shared by the oracle prompts (8-connected
 * objects of a GT mask) and the GrabCut baseline's speck removal (4-connected pieces).
 */

export interface ComponentLabels {
  /** labels[i] = 1..count for foreground pixels, 0 for background; numbered in row-major discovery order. */
  labels: Int32Array
  /** sizes[id] = pixel count of component id; sizes[0] = 0. */
  sizes: number[]
}

export function labelComponents(
  mask: Uint8Array,
  w: number,
  h: number,
  connectivity: 4 | 8,
): ComponentLabels {
  const labels = new Int32Array(w * h)
  const sizes = [0]
  const stack: number[] = []
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue
    const id = sizes.length
    let size = 0
    labels[start] = id
    stack.push(start)
    while (stack.length > 0) {
      const i = stack.pop() as number
      size++
      const x = i % w
      const y = (i - x) / w
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy
        if (ny < 0 || ny >= h) continue
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue
          const nx = x + dx
          if (nx < 0 || nx >= w) continue
          const j = ny * w + nx
          if (mask[j] && !labels[j]) {
            labels[j] = id
            stack.push(j)
          }
        }
      }
    }
    sizes.push(size)
  }
  return { labels, sizes }
}
