/**
 * The polygon being drawn with the GT polygon tool: click adds a vertex; a click on the first vertex (within
 * a few screen pixels) or Enter closes it; closing needs at least three vertices. Pure: no DOM.
 */
import type { Vec2 } from '../../../../shared/domain/maskOps'

/** How close (in screen pixels) a click must land to the first vertex to close the polygon. */
export const CLOSE_RADIUS_PX = 8

export type PolygonClick = { kind: 'open'; points: Vec2[] } | { kind: 'closed'; points: Vec2[] }

/** The result of clicking at image point `p` with `scale` screen pixels per image pixel. */
export function clickVertex(points: readonly Vec2[], p: Vec2, scale: number): PolygonClick {
  if (points.length >= 3) {
    const [fx, fy] = points[0]
    if (Math.hypot(p[0] - fx, p[1] - fy) * scale <= CLOSE_RADIUS_PX)
      return { kind: 'closed', points: [...points] }
  }
  return { kind: 'open', points: [...points, p] }
}

/** Whether the pointer at `p` would close the polygon (for highlighting the first vertex). */
export function wouldClose(points: readonly Vec2[], p: Vec2, scale: number): boolean {
  return clickVertex(points, p, scale).kind === 'closed'
}

/** The vertices to fill on Enter, or the reason they cannot be. */
export function closePolygon(points: readonly Vec2[]): { points: Vec2[] } | { error: string } {
  if (points.length < 3)
    return {
      error: `A polygon needs at least 3 vertices (it has ${points.length}); keep clicking or press Esc.`,
    }
  return { points: [...points] }
}
