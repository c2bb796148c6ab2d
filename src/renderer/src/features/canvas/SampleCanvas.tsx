/**
 * The Konva canvas: the image, mask overlays drawn from rasters at image resolution (smoothing off, so
 * pixels stay exact at every zoom), and the editable prompts (box with resize handles, positive and
 * negative points). Owns only the view transform; prompts and overlay settings come from props.
 */
import type Konva from 'konva'
import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useMemo,
  useRef,
  useState,
  type ReactNode,
  type Ref,
} from 'react'
import { Circle, Group, Image as KImage, Layer, Rect, Stage, Transformer } from 'react-konva'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'
import { addPoint, deletePoint, movePoint, setBox, type Box } from '../edit/promptOps'
import { sameRef, type PromptRef } from '../reasoning/answerSpans'
import { DIFF_COLORS, diffToRgba, hexToRgb, type DiffCounts } from './maskRaster'
import { maskRaster, rasterCanvas } from './overlayCache'
import { fitView, toImage, wheelFactor, zoomAt, type View } from './viewport'
import { isTypingTarget } from '../../app/keyboard'

export const OVERLAY_COLORS = { gt: '#ffd60a', pred: '#ff3ea5', live: '#00d1ff', compare: '#ff8c00' }

export interface OverlaySettings {
  gt: boolean
  pred: boolean
  live: boolean
  /** The comparison run's mask (only drawn while a comparison run is chosen). */
  compare: boolean
  diff: boolean
  contour: boolean
  opacity: number
}

export interface CanvasHandle {
  fit(): void
  zoom(factor: number): void
}

/** A point in image pixel coordinates (continuous: pixel (x, y) covers [x, x + 1) × [y, y + 1)). */
export interface ImagePoint {
  x: number
  y: number
}

/**
 * A drawing tool that takes the left mouse button instead of the prompts (ground-truth editing).
 * Space + drag still pans, the wheel still zooms. `scale` is screen pixels per image pixel, for
 * tolerances measured on screen.
 */
export interface CanvasTool {
  cursor: string
  onDown(p: ImagePoint, e: MouseEvent, scale: number): void
  onMove(p: ImagePoint, e: MouseEvent, scale: number): void
  onUp(p: ImagePoint, e: MouseEvent, scale: number): void
  onLeave?(): void
}

interface Props {
  sampleId: number
  image: HTMLImageElement | null
  width: number
  height: number
  gt: Uint8Array | null
  pred: Uint8Array | null
  live: Uint8Array | null
  compare: Uint8Array | null
  overlay: OverlaySettings
  prompts: ObjectPrompt[]
  editable: boolean
  highlight: PromptRef | null
  selected: PromptRef | null
  onHover(ref: PromptRef | null): void
  onSelect(ref: PromptRef | null): void
  onPromptsChange(prompts: ObjectPrompt[]): void
  onDiffCounts?(counts: DiffCounts | null): void
  handle?: Ref<CanvasHandle>
  /** While set, the left button draws with this tool and the prompts are not editable. */
  tool?: CanvasTool | null
  /**
   * Konva nodes drawn in image coordinates above the masks (a tool's preview, for instance); `scale` is
   * screen pixels per image pixel, for handles that keep their screen size.
   */
  toolLayer?: ((scale: number) => ReactNode) | null
  /**
   * Multi-object editing (features/objects): the object new prompts go into (others are dimmed), objects
   * whose prompts and mask are not drawn, each object's colour, and each visible object's own mask, drawn
   * in its colour instead of the one-colour live union when given.
   */
  objects?: {
    active: number | null
    hidden: ReadonlySet<number>
    colors: readonly string[]
    masks: readonly { index: number; color: string; mask: Uint8Array }[] | null
  }
}

export function SampleCanvas(props: Props) {
  const { width: w, height: h, overlay, prompts, sampleId } = props
  const wrapRef = useRef<HTMLDivElement>(null)
  const [size, setSize] = useState({ w: 0, h: 0 })
  // The view belongs to one (sample, canvas size, image size): a new sample or a resize starts fitted.
  const fitKey = `${sampleId}:${size.w}x${size.h}:${w}x${h}`
  const [viewState, setViewState] = useState<{ key: string; view: View } | null>(null)
  const fitted = useMemo(
    () =>
      size.w > 0 && size.h > 0 && w > 0 && h > 0 ? fitView(w, h, size.w, size.h) : { scale: 1, tx: 0, ty: 0 },
    [size.w, size.h, w, h],
  )
  const view = viewState?.key === fitKey ? viewState.view : fitted
  const setView = useCallback(
    (next: View | ((v: View) => View)) =>
      setViewState((cur) => {
        const base = cur?.key === fitKey ? cur.view : fitted
        return { key: fitKey, view: typeof next === 'function' ? next(base) : next }
      }),
    [fitKey, fitted],
  )
  const spaceDown = useRef(false)
  const boxKeyDown = useRef(false)
  const [panning, setPanning] = useState(false)
  const drag = useRef<{ sx: number; sy: number; view: View; moved: boolean; drawBox: boolean } | null>(null)
  const [draftBox, setDraftBox] = useState<Box | null>(null)
  const boxRef = useRef<Konva.Rect>(null)
  const trRef = useRef<Konva.Transformer>(null)

  useEffect(() => {
    const el = wrapRef.current
    if (!el) return
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }))
    ro.observe(el)
    setSize({ w: el.clientWidth, h: el.clientHeight })
    return () => ro.disconnect()
  }, [])

  useImperativeHandle(
    props.handle,
    () => ({
      fit: () => setView(fitted),
      zoom: (f: number) => setView((v) => zoomAt(v, f, size.w / 2, size.h / 2)),
    }),
    [setView, fitted, size.w, size.h],
  )

  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.code === 'Space' && !isTyping(e)) {
        spaceDown.current = true
        setPanning(true)
        e.preventDefault()
      }
      if (e.key === 'b' && !isTyping(e)) boxKeyDown.current = true
    }
    const up = (e: KeyboardEvent) => {
      if (e.code === 'Space') {
        spaceDown.current = false
        setPanning(false)
      }
      if (e.key === 'b' || e.key === 'B') boxKeyDown.current = false
    }
    // A key released in another window never sends its keyup here: without this, switching away while
    // holding Space or B leaves the canvas panning / drawing boxes on every drag.
    const release = () => {
      spaceDown.current = false
      boxKeyDown.current = false
      setPanning(false)
    }
    window.addEventListener('keydown', down)
    window.addEventListener('keyup', up)
    window.addEventListener('blur', release)
    return () => {
      window.removeEventListener('keydown', down)
      window.removeEventListener('keyup', up)
      window.removeEventListener('blur', release)
    }
  }, [])

  const objectMasks = props.objects?.masks ?? null
  const objectRasters = useMemo(() => {
    if (!objectMasks || w === 0 || h === 0) return null
    return objectMasks.map((o) => ({
      index: o.index,
      canvas: maskRaster(o.mask, w, h, hexToRgb(o.color), overlay.contour),
    }))
  }, [objectMasks, w, h, overlay.contour])

  // With each object's own mask drawn, the one-colour live union is not drawn, so it is not rasterised.
  const liveUnion = objectMasks ? null : props.live
  const rasters = useMemo(() => {
    if (w === 0 || h === 0) return null
    const color = (hex: string) => hexToRgb(hex)
    return {
      gt: props.gt ? maskRaster(props.gt, w, h, color(OVERLAY_COLORS.gt), overlay.contour) : null,
      pred: props.pred ? maskRaster(props.pred, w, h, color(OVERLAY_COLORS.pred), overlay.contour) : null,
      live: liveUnion ? maskRaster(liveUnion, w, h, color(OVERLAY_COLORS.live), overlay.contour) : null,
      compare: props.compare
        ? maskRaster(props.compare, w, h, color(OVERLAY_COLORS.compare), overlay.contour)
        : null,
    }
  }, [props.gt, props.pred, liveUnion, props.compare, w, h, overlay.contour])

  const diffSource = overlay.live && props.live ? props.live : props.pred
  const diff = useMemo(() => {
    if (!overlay.diff || !props.gt || !diffSource || w === 0) return null
    const d = diffToRgba(props.gt, diffSource, w, h)
    return { canvas: rasterCanvas(d.px, w, h), counts: d.counts }
  }, [overlay.diff, props.gt, diffSource, w, h])
  const { onDiffCounts } = props
  useEffect(() => onDiffCounts?.(diff?.counts ?? null), [diff, onDiffCounts])

  const obj0 = prompts[0]
  const hiddenObjs = props.objects?.hidden
  const activeObj = props.selected?.obj ?? props.objects?.active ?? null
  // The resize handles go on the edited object's box, else on the first visible box.
  const boxObj =
    activeObj != null && prompts[activeObj]?.box && !hiddenObjs?.has(activeObj)
      ? activeObj
      : prompts.findIndex((p, i) => p.box && !hiddenObjs?.has(i))
  const objColor = (obj: number) => props.objects?.colors[obj] ?? '#4ade80'
  // Objects other than the edited one are dimmed while one is chosen.
  const dim = (obj: number) => (activeObj != null && props.objects && obj !== activeObj ? 0.4 : 1)
  useEffect(() => {
    const tr = trRef.current
    if (!tr) return
    tr.nodes(props.editable && boxRef.current ? [boxRef.current] : [])
    tr.getLayer()?.batchDraw()
  }, [props.editable, boxObj, obj0, prompts])

  const pointer = (stage: Konva.Stage | null) => stage?.getPointerPosition() ?? { x: 0, y: 0 }

  const onWheel = (e: Konva.KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault()
    const p = pointer(e.target.getStage())
    setView((v) => zoomAt(v, wheelFactor(e.evt.deltaY), p.x, p.y))
  }

  const toolAt = (e: Konva.KonvaEventObject<MouseEvent>) => {
    const p = pointer(e.target.getStage())
    return toImage(view, p.x, p.y)
  }
  const tool = props.tool ?? null
  const toolDown = useRef(false)

  const onMouseDown = (e: Konva.KonvaEventObject<MouseEvent>) => {
    if (e.evt.button !== 0) return
    if (tool && !spaceDown.current) {
      toolDown.current = true
      tool.onDown(toolAt(e), e.evt, view.scale)
      return
    }
    const onShape = e.target !== e.target.getStage() && e.target.name() !== 'backdrop'
    if (onShape && !spaceDown.current) return
    const p = pointer(e.target.getStage())
    drag.current = { sx: p.x, sy: p.y, view, moved: false, drawBox: boxKeyDown.current && props.editable }
  }

  const onMouseMove = (e: Konva.KonvaEventObject<MouseEvent>) => {
    if (tool && !drag.current) {
      tool.onMove(toolAt(e), e.evt, view.scale)
      return
    }
    const d = drag.current
    if (!d) return
    const p = pointer(e.target.getStage())
    if (!d.moved && Math.hypot(p.x - d.sx, p.y - d.sy) < 3) return
    d.moved = true
    if (d.drawBox) {
      const a = toImage(view, d.sx, d.sy)
      const b = toImage(view, p.x, p.y)
      setDraftBox([a.x, a.y, b.x, b.y])
    } else {
      setView({ ...d.view, tx: d.view.tx + p.x - d.sx, ty: d.view.ty + p.y - d.sy })
    }
  }

  const onMouseUp = (e: Konva.KonvaEventObject<MouseEvent>) => {
    if (tool && toolDown.current) {
      toolDown.current = false
      tool.onUp(toolAt(e), e.evt, view.scale)
      return
    }
    const d = drag.current
    drag.current = null
    if (!d) return
    if (d.drawBox && draftBox) {
      setDraftBox(null)
      const obj = Math.max(0, activeObj ?? 0)
      props.onPromptsChange(setBox(prompts, obj, draftBox, w, h))
      props.onSelect({ obj, kind: 'box', index: 0 })
      return
    }
    if (d.moved || !props.editable) return
    const p = toImage(view, d.sx, d.sy)
    if (p.x < 0 || p.y < 0 || p.x >= w || p.y >= h) {
      props.onSelect(null)
      return
    }
    const obj = Math.max(0, activeObj ?? 0)
    const next = addPoint(prompts, obj, p.x, p.y, e.evt.shiftKey ? 0 : 1, w, h)
    props.onSelect({ obj, kind: 'point', index: next[obj].points.length - 1 })
    props.onPromptsChange(next)
  }

  const px = 1 / view.scale
  const shapesListening = props.editable && !panning && !tool

  return (
    <div
      ref={wrapRef}
      className={`canvas-wrap${panning ? ' panning' : ''}`}
      style={tool && !panning ? { cursor: tool.cursor } : undefined}
      data-testid="canvas"
      data-sample-id={sampleId}
      data-image={props.image ? 'drawn' : 'loading'}
      data-scale={view.scale}
      data-tx={view.tx}
      data-ty={view.ty}
    >
      {size.w > 0 && (
        <Stage
          width={size.w}
          height={size.h}
          onWheel={onWheel}
          onMouseDown={onMouseDown}
          onMouseMove={onMouseMove}
          onMouseUp={onMouseUp}
          onMouseLeave={(e) => {
            drag.current = null
            // A stroke that leaves the canvas ends there, as if the button were released.
            if (tool && toolDown.current) {
              toolDown.current = false
              tool.onUp(toolAt(e), e.evt, view.scale)
            }
            tool?.onLeave?.()
          }}
        >
          <Layer imageSmoothingEnabled={false} listening={false}>
            <Group x={view.tx} y={view.ty} scaleX={view.scale} scaleY={view.scale}>
              {props.image && <KImage image={props.image} width={w} height={h} />}
              {diff ? (
                <KImage image={diff.canvas} opacity={overlay.opacity} />
              ) : (
                <>
                  {overlay.gt && rasters?.gt && <KImage image={rasters.gt} opacity={overlay.opacity} />}
                  {overlay.pred && rasters?.pred && <KImage image={rasters.pred} opacity={overlay.opacity} />}
                  {overlay.compare && rasters?.compare && (
                    <KImage image={rasters.compare} opacity={overlay.opacity} />
                  )}
                  {overlay.live &&
                    (objectRasters
                      ? objectRasters.map((o) => (
                          <KImage key={`obj-${o.index}`} image={o.canvas} opacity={overlay.opacity} />
                        ))
                      : rasters?.live && <KImage image={rasters.live} opacity={overlay.opacity} />)}
                </>
              )}
            </Group>
          </Layer>
          {props.toolLayer && (
            <Layer listening={false} imageSmoothingEnabled={false}>
              <Group x={view.tx} y={view.ty} scaleX={view.scale} scaleY={view.scale}>
                {props.toolLayer(view.scale)}
              </Group>
            </Layer>
          )}
          <Layer listening={shapesListening}>
            <Group x={view.tx} y={view.ty} scaleX={view.scale} scaleY={view.scale}>
              {prompts.map((p, obj) =>
                p.box && !hiddenObjs?.has(obj) ? (
                  <Rect
                    key={`box-${obj}`}
                    ref={obj === boxObj ? boxRef : undefined}
                    name="prompt-box"
                    x={p.box[0]}
                    y={p.box[1]}
                    width={p.box[2] - p.box[0]}
                    height={p.box[3] - p.box[1]}
                    stroke={
                      sameRef(props.highlight, { obj, kind: 'box', index: 0 }) ? '#ffffff' : objColor(obj)
                    }
                    opacity={dim(obj)}
                    strokeWidth={(sameRef(props.highlight, { obj, kind: 'box', index: 0 }) ? 3.5 : 2) * px}
                    dash={[6 * px, 4 * px]}
                    hitStrokeWidth={12 * px}
                    // Only the outline takes the pointer: clicks inside the box add points.
                    fillEnabled={false}
                    draggable={props.editable}
                    onMouseEnter={() => props.onHover({ obj, kind: 'box', index: 0 })}
                    onMouseLeave={() => props.onHover(null)}
                    onClick={() => props.onSelect({ obj, kind: 'box', index: 0 })}
                    onDragEnd={(e) => {
                      const n = e.target
                      const bw = p.box![2] - p.box![0]
                      const bh = p.box![3] - p.box![1]
                      props.onPromptsChange(
                        setBox(prompts, obj, [n.x(), n.y(), n.x() + bw, n.y() + bh], w, h),
                      )
                    }}
                    onTransformEnd={(e) => {
                      const n = e.target
                      const nb: Box = [
                        n.x(),
                        n.y(),
                        n.x() + n.width() * n.scaleX(),
                        n.y() + n.height() * n.scaleY(),
                      ]
                      n.scaleX(1)
                      n.scaleY(1)
                      props.onPromptsChange(setBox(prompts, obj, nb, w, h))
                    }}
                  />
                ) : null,
              )}
              {draftBox && (
                <Rect
                  x={Math.min(draftBox[0], draftBox[2])}
                  y={Math.min(draftBox[1], draftBox[3])}
                  width={Math.abs(draftBox[2] - draftBox[0])}
                  height={Math.abs(draftBox[3] - draftBox[1])}
                  stroke={objColor(activeObj ?? 0)}
                  strokeWidth={2 * px}
                />
              )}
              {prompts.flatMap((p, obj) =>
                (hiddenObjs?.has(obj) ? [] : p.points).map((pt, index) => {
                  const ref: PromptRef = { obj, kind: 'point', index }
                  const hot = sameRef(props.highlight, ref) || sameRef(props.selected, ref)
                  return (
                    <Circle
                      key={`pt-${obj}-${index}`}
                      name="prompt-point"
                      x={pt.x + 0.5}
                      y={pt.y + 0.5}
                      radius={(hot ? 8 : 6) * px}
                      fill={pt.label === 1 ? '#22c55e' : '#ef4444'}
                      stroke={props.objects && !hot ? objColor(obj) : '#ffffff'}
                      strokeWidth={(hot ? 3 : props.objects ? 2 : 1.5) * px}
                      opacity={dim(obj)}
                      draggable={props.editable}
                      onMouseEnter={() => props.onHover(ref)}
                      onMouseLeave={() => props.onHover(null)}
                      onClick={(e) => {
                        e.cancelBubble = true
                        if (e.evt.altKey) props.onPromptsChange(deletePoint(prompts, obj, index))
                        else props.onSelect(ref)
                      }}
                      onDragEnd={(e) =>
                        props.onPromptsChange(
                          movePoint(prompts, obj, index, e.target.x() - 0.5, e.target.y() - 0.5, w, h),
                        )
                      }
                    />
                  )
                }),
              )}
            </Group>
            <Transformer
              ref={trRef}
              rotateEnabled={false}
              keepRatio={false}
              ignoreStroke
              flipEnabled={false}
              anchorSize={9}
              borderEnabled={false}
            />
          </Layer>
        </Stage>
      )}
    </div>
  )
}

const isTyping = (e: KeyboardEvent): boolean => isTypingTarget(e.target)

export function Legend({
  overlay,
  counts,
  compareRun = null,
}: {
  overlay: OverlaySettings
  counts: DiffCounts | null
  /** Name of the comparison run whose mask is drawn, or null when none is. */
  compareRun?: string | null
}) {
  const sw = (c: string | [number, number, number]) => (typeof c === 'string' ? c : `rgb(${c.join(',')})`)
  const items: [string, string][] = overlay.diff
    ? [
        [sw(DIFF_COLORS.tp), `TP${counts ? ` ${counts.tp}` : ''}`],
        [sw(DIFF_COLORS.fp), `FP${counts ? ` ${counts.fp}` : ''}`],
        [sw(DIFF_COLORS.fn), `FN${counts ? ` ${counts.fn}` : ''}`],
      ]
    : [
        ...(overlay.gt ? [[OVERLAY_COLORS.gt, 'GT'] as [string, string]] : []),
        ...(overlay.pred ? [[OVERLAY_COLORS.pred, 'prediction'] as [string, string]] : []),
        ...(overlay.live ? [[OVERLAY_COLORS.live, 'live edit'] as [string, string]] : []),
        ...(overlay.compare && compareRun != null
          ? [[OVERLAY_COLORS.compare, `vs ${compareRun}`] as [string, string]]
          : []),
      ]
  return (
    <div className="legend" data-testid="legend">
      {items.map(([c, label]) => (
        <span key={label} className="legend-item">
          <i style={{ background: c }} />
          {label}
        </span>
      ))}
      <span className="legend-item">
        <i className="dot pos" />+ point
      </span>
      <span className="legend-item">
        <i className="dot neg" />− point
      </span>
    </div>
  )
}
