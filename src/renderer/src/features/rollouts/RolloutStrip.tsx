/**
 * The rollout strip of the inspector: the group's stats (mean and std of reward, a no-learning-signal badge when
 * every rollout got the same reward, derived-GT note), then K small overlays, each with its reward, advantage
 * and IoU. Clicking one shows its mask and prompts on the canvas and its reasoning and reward terms below;
 * `[` / `]` step, `\` returns to the prediction. A list filter selects samples by their group.
 */
import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import { ROLLOUT_FILTERS, type RolloutDto, type RolloutFilter } from '../../../../shared/contract/rollouts'
import { decodeRowMajor, fromCoco } from '../../../../shared/domain/rle'
import type { RolloutView } from './useRolloutView'
import './rollouts.css'

const TILE = 72

const FILTER_LABELS: Record<RolloutFilter, string> = {
  'zero-variance': 'zero-variance groups',
  disagreement: 'reward / IoU disagreement',
  'format-failure': 'format failures',
  'best-of-k-gain': 'best-of-K gain',
}

function Tile(props: { r: RolloutDto; image: HTMLImageElement | null; active: boolean; onClick(): void }) {
  const ref = useRef<HTMLCanvasElement>(null)
  const { r, image } = props
  useEffect(() => {
    const c = ref.current
    const ctx = c?.getContext('2d')
    if (!c || !ctx) return
    ctx.clearRect(0, 0, TILE, TILE)
    if (!image) return
    const scale = Math.min(TILE / image.naturalWidth, TILE / image.naturalHeight)
    const w = Math.max(1, Math.round(image.naturalWidth * scale))
    const h = Math.max(1, Math.round(image.naturalHeight * scale))
    c.width = w
    c.height = h
    ctx.drawImage(image, 0, 0, w, h)
    if (!r.mask) return
    // Nearest-pixel sampling of the mask at tile size.
    const [mh, mw] = r.mask.size
    const m = decodeRowMajor(fromCoco(r.mask))
    const px = ctx.getImageData(0, 0, w, h)
    for (let y = 0; y < h; y++) {
      const sy = Math.min(mh - 1, Math.floor(((y + 0.5) * mh) / h))
      for (let x = 0; x < w; x++) {
        if (!m[sy * mw + Math.min(mw - 1, Math.floor(((x + 0.5) * mw) / w))]) continue
        const i = (y * w + x) * 4
        px.data[i] = (px.data[i] + 255) >> 1
        px.data[i + 1] = (px.data[i + 1] + 62) >> 1
        px.data[i + 2] = (px.data[i + 2] + 165) >> 1
      }
    }
    ctx.putImageData(px, 0, 0)
  }, [r, image])
  const fmt = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d))
  return (
    <button
      type="button"
      className={`rollout-tile${props.active ? ' active' : ''}${r.error ? ' failed' : ''}`}
      data-testid={`rollout-${r.idx}`}
      onClick={props.onClick}
      title={
        r.error ??
        `rollout ${r.idx}: reward ${fmt(r.reward)}, advantage ${fmt(r.advantage)}, IoU ${fmt(r.iou, 3)}`
      }
    >
      <canvas ref={ref} width={TILE} height={TILE} />
      {r.error ? (
        <span className="rollout-err">no answer</span>
      ) : (
        <span className="rollout-nums">
          <b>{fmt(r.reward)}</b>{' '}
          <span className={r.advantage !== null && r.advantage < 0 ? 'neg' : 'pos'}>{fmt(r.advantage)}</span>
          <br />
          IoU {fmt(r.iou, 3)}
        </span>
      )}
    </button>
  )
}

export function RolloutStrip(props: {
  api: ApiClient
  runId: number | null
  view: RolloutView
  image: HTMLImageElement | null
  onFilter(sampleIds: number[] | null): void
}) {
  const { group, shown, selected } = props.view
  // The chosen filter belongs to the run it was chosen on.
  const [chosen, setChosen] = useState<{
    runId: number | null
    filter: RolloutFilter | ''
    msg: string | null
  }>({
    runId: null,
    filter: '',
    msg: null,
  })
  const filter = chosen.runId === props.runId ? chosen.filter : ''
  const filterMsg = chosen.runId === props.runId ? chosen.msg : null
  const setFilter = (f: RolloutFilter | '') => setChosen({ runId: props.runId, filter: f, msg: null })
  const setFilterMsg = (msg: string) => setChosen((c) => ({ ...c, msg }))

  const applyFilter = async (f: RolloutFilter | '') => {
    setFilter(f)
    if (!f || props.runId == null) return props.onFilter(null)
    try {
      const { sampleIds } = await props.api.rolloutFilterSamples({ runId: props.runId, filter: f })
      setFilterMsg(`${sampleIds.length} samples`)
      props.onFilter(sampleIds)
    } catch (e) {
      setFilterMsg(e instanceof Error ? e.message : String(e))
    }
  }

  if (!group) return props.view.error ? <div className="muted">{props.view.error}</div> : null
  const zero = group.complete && group.std === 0
  return (
    <div className="rollouts" data-testid="rollout-strip">
      <div className="rollout-head">
        <h3>
          Rollouts{' '}
          <span className="muted">
            K = {group.k}, {group.reward} reward (max {group.rewardMax})
          </span>
        </h3>
        <label className="rollout-filter">
          filter{' '}
          <select
            value={filter}
            data-testid="rollout-filter"
            onChange={(e) => void applyFilter(e.target.value as RolloutFilter | '')}
          >
            <option value="">all samples</option>
            {ROLLOUT_FILTERS.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABELS[f]}
              </option>
            ))}
          </select>
          {filterMsg && <span className="muted"> {filterMsg}</span>}
        </label>
      </div>
      <div className="rollout-stats" data-testid="rollout-stats">
        {group.complete ? (
          <>
            mean {group.mean?.toFixed(3)} · std {group.std?.toFixed(3)}
            {zero && <span className="badge warn"> no learning signal (all rewards equal)</span>}
          </>
        ) : (
          <span className="badge warn">incomplete group: run the same command again to complete it</span>
        )}
        {group.gtSource === 'derived' && <span className="muted"> · derived GT prompts</span>}
      </div>
      <div className="rollout-row">
        {group.rollouts.map((r, i) => (
          <Tile
            key={r.idx}
            r={r}
            image={props.image}
            active={selected === i}
            onClick={() => props.view.select(selected === i ? null : i)}
          />
        ))}
      </div>
      {shown && (
        <div className="rollout-detail" data-testid="rollout-detail">
          <div className="muted">
            rollout {shown.idx} on the canvas ([ ] to step, \ for the prediction)
            {shown.trainerReward !== null && ` · trainer logged ${shown.trainerReward.toFixed(3)}`}
            {shown.latencyMs !== null && ` · ${(shown.latencyMs / 1000).toFixed(2)} s`}
            {shown.completionTokens !== null && ` · ${shown.completionTokens} tokens`}
          </div>
          {shown.error ? (
            <div className="rollout-err">{shown.error}</div>
          ) : (
            <>
              <table className="rollout-terms">
                <tbody>
                  {Object.entries(shown.terms ?? {}).map(([k, v]) => (
                    <tr key={k}>
                      <th>{k}</th>
                      <td>{v.toFixed(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {shown.parseError && <div className="muted">parse: {shown.parseError}</div>}
              <pre className="rollout-text">{shown.rawText}</pre>
            </>
          )}
        </div>
      )}
    </div>
  )
}
