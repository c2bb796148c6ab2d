/**
 * The canvas side of GT edit mode: the objects and the ignore region in their edit colours, and the
 * drawing tools. The brush / eraser paints the stroke in progress into a local bitmap with the shared mask
 * operations and copies only the changed rectangle to an offscreen canvas per pointer move (no React
 * render), so the preview keeps up with the pointer; the whole stroke is sent as ONE edit on release, so a
 * crash loses at most the stroke in progress. The polygon tool keeps its vertices in the edit state and
 * draws its rubber band imperatively.
 */
import type Konva from 'konva'
import { useMemo, useRef, type ReactNode } from 'react'
import { Circle, Image as KImage, Line } from 'react-konva'
import type { Rgb } from '../canvas/maskRaster'
import { decodeMask, maskRaster } from '../canvas/overlayCache'
import type { CanvasTool, ImagePoint, OverlaySettings } from '../canvas/SampleCanvas'
import { objectColor, IGNORE_COLOR, rgbCss } from './objectColors'
import { wouldClose, clickVertex } from './polygonDraft'
import { extendStroke, rectRgba, startStroke, type StrokeState } from './strokePreview'
import type { GtEditing, GtTargetChoice } from './useGtEditing'

const ERASE_COLOR: Rgb = [15, 15, 15]

/** The colour of the chosen target (object index in the list, or the ignore grey). */
export function targetColor(gt: GtEditing): Rgb {
  if (gt.target === 'ignore') return IGNORE_COLOR
  const i = gt.gt?.objects.findIndex((o) => o.id === gt.target) ?? -1
  return objectColor(Math.max(0, i === -1 ? (gt.gt?.objects.length ?? 0) : i))
}

export function useGtCanvas(
  gt: GtEditing,
  overlay: OverlaySettings,
): { tool: CanvasTool | null; layer: ((scale: number) => ReactNode) | null } {
  const w = gt.sample?.width ?? 0
  const h = gt.sample?.height ?? 0
  const doc = gt.gt

  // Object rasters, rebuilt only when a mask (or the contour setting) changes.
  const rasters = useMemo(() => {
    if (!doc || w === 0) return []
    const out: { key: string; id: GtTargetChoice; canvas: HTMLCanvasElement }[] = doc.objects.map((o, i) => ({
      key: `obj-${o.id}`,
      id: o.id,
      canvas: maskRaster(decodeMask(o.mask), w, h, objectColor(i), overlay.contour),
    }))
    if (doc.ignore)
      out.push({
        key: 'ignore',
        id: 'ignore',
        canvas: maskRaster(decodeMask(doc.ignore), w, h, IGNORE_COLOR, overlay.contour),
      })
    return out
  }, [doc, w, h, overlay.contour])

  // The stroke preview surface: one canvas per image size, cleared at each stroke's start.
  const surface = useMemo(() => {
    if (w === 0 || h === 0) return null
    const c = document.createElement('canvas')
    c.width = w
    c.height = h
    return c
  }, [w, h])
  const strokeNode = useRef<Konva.Image>(null)
  const cursorNode = useRef<Konva.Circle>(null)
  const bandNode = useRef<Konva.Line>(null)
  const stroke = useRef<{ s: StrokeState; erase: boolean; color: Rgb } | null>(null)

  const redraw = (n: Konva.Node | null) => n?.getLayer()?.batchDraw()

  const paint = (rect: ReturnType<typeof extendStroke>) => {
    const st = stroke.current
    const ctx = surface?.getContext('2d')
    if (!st || !rect || !ctx) return
    const px = rectRgba(st.s.bitmap, rect, st.color)
    ctx.putImageData(new ImageData(px as Uint8ClampedArray<ArrayBuffer>, rect.w, rect.h), rect.x0, rect.y0)
    redraw(strokeNode.current)
  }

  const moveCursor = (p: ImagePoint) => {
    const c = cursorNode.current
    if (!c) return
    c.position({ x: p.x, y: p.y })
    c.visible(true)
    redraw(c)
  }

  const tool = useMemo<CanvasTool | null>(() => {
    if (!doc || w === 0) return null
    if (gt.tool === 'brush' || gt.tool === 'eraser') {
      const erase = gt.tool === 'eraser'
      return {
        cursor: 'crosshair',
        onDown: (p) => {
          const ctx = surface?.getContext('2d')
          ctx?.clearRect(0, 0, w, h)
          const { stroke: s, dirty } = startStroke(w, h, gt.radius, [p.x, p.y])
          stroke.current = { s, erase, color: erase ? ERASE_COLOR : targetColor(gt) }
          paint(dirty)
        },
        onMove: (p) => {
          moveCursor(p)
          if (stroke.current) paint(extendStroke(stroke.current.s, [p.x, p.y]))
        },
        onUp: () => {
          const st = stroke.current
          stroke.current = null
          if (!st) return
          // The preview stays until the stored edit comes back with the new mask.
          void gt.applyStroke(st.s.points, st.s.radius, st.erase).finally(() => {
            if (stroke.current) return
            surface?.getContext('2d')?.clearRect(0, 0, w, h)
            redraw(strokeNode.current)
          })
        },
        onLeave: () => {
          cursorNode.current?.visible(false)
          redraw(cursorNode.current)
        },
      }
    }
    if (gt.tool === 'polygon') {
      const pts = gt.polygon
      return {
        cursor: 'crosshair',
        onDown: (p, _e, scale) => {
          const r = clickVertex(pts, [p.x, p.y], scale)
          if (r.kind === 'closed') gt.applyPolygon(r.points)
          else gt.setPolygon(r.points)
        },
        onMove: (p, _e, scale) => {
          const band = bandNode.current
          if (!band || pts.length === 0) return
          const last = pts[pts.length - 1]
          const closing = wouldClose(pts, [p.x, p.y], scale)
          band.points([last[0], last[1], p.x, p.y])
          band.stroke(closing ? '#ffffff' : rgbCss(targetColor(gt)))
          band.visible(true)
          redraw(band)
        },
        onUp: () => undefined,
      }
    }
    return null
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, w, h, gt.tool, gt.radius, gt.polygon, gt.target, gt.applyPolygon, gt.applyStroke, surface])

  if (!doc) return { tool: null, layer: null }

  const color = rgbCss(targetColor(gt))
  const layer = (scale: number) => (
    <>
      {rasters.map((r) =>
        gt.hidden.has(r.id) ? null : <KImage key={r.key} image={r.canvas} opacity={overlay.opacity} />,
      )}
      {surface && <KImage ref={strokeNode} image={surface} opacity={Math.max(0.6, overlay.opacity)} />}
      {gt.tool === 'polygon' && gt.polygon.length > 0 && (
        <>
          <Line
            points={gt.polygon.flatMap(([x, y]) => [x, y])}
            stroke={color}
            strokeWidth={2}
            strokeScaleEnabled={false}
          />
          <Line
            ref={bandNode}
            points={[]}
            stroke={color}
            strokeWidth={1}
            dash={[4, 4]}
            strokeScaleEnabled={false}
            visible={false}
          />
          {gt.polygon.map(([x, y], i) => (
            <Circle
              key={i}
              x={x}
              y={y}
              radius={(i === 0 ? 6 : 4) / scale}
              fill={i === 0 ? '#ffffff' : color}
              stroke="#000000"
              strokeWidth={1}
              strokeScaleEnabled={false}
              perfectDrawEnabled={false}
              name="gt-vertex"
            />
          ))}
        </>
      )}
      {(gt.tool === 'brush' || gt.tool === 'eraser') && (
        <Circle
          ref={cursorNode}
          x={0}
          y={0}
          radius={gt.radius}
          stroke={gt.tool === 'eraser' ? '#ffffff' : color}
          strokeWidth={1}
          strokeScaleEnabled={false}
          dash={[3, 3]}
          visible={false}
        />
      )}
    </>
  )
  return { tool, layer }
}
