/**
 * The re-ask panel of the sample view: pick an endpoint and a template, edit the query or the template (saved
 * as a new version), ask the reasoning model again and watch its text stream in; every attempt becomes a
 * variant with its prompts, mask score and latency, two variants can be compared side by side, a variant's
 * prompts shown on the canvas, and chosen variants promoted to a run. Talks to the backend only through `api`.
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { EndpointInfo, Template, Variant } from '../../../../shared/contract/reason'
import type { ObjectPrompt } from '../../../../shared/domain/prompts'
import { useSettled } from '../../app/useSettled'
import './reason.css'

interface Props {
  api: ApiClient
  runId: number
  sampleId: number
  onPromptsChanged?(prompts: ObjectPrompt[]): void
}

function newRequestId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `r${Date.now()}-${Math.random().toString(36).slice(2)}`
}

const fmtIou = (v: number | null) => (v == null ? '—' : v.toFixed(3))

/**
 * Keyed by run and sample, so moving to another sample starts from a clean panel; mounted once the
 * sample has settled, so holding `j` does not load templates, variants and previews for every sample.
 */
export function ReasonPanel(props: Props) {
  const key = `${props.runId}:${props.sampleId}`
  const settled = useSettled(key)
  if (settled !== key) return <div className="muted">…</div>
  return <Panel key={key} {...props} />
}

function Panel({ api, runId, sampleId, onPromptsChanged }: Props) {
  const [endpoints, setEndpoints] = useState<EndpointInfo[]>([])
  const [templates, setTemplates] = useState<Template[]>([])
  const [variants, setVariants] = useState<Variant[]>([])
  const [endpoint, setEndpoint] = useState('')
  const [templateKey, setTemplateKey] = useState('visionreasoner@')
  const [query, setQuery] = useState('')
  const [preview, setPreview] = useState('')
  const [editing, setEditing] = useState<string | null>(null)
  const [live, setLive] = useState('')
  const [running, setRunning] = useState<string | null>(null)
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null)
  const [chosen, setChosen] = useState<number[]>([])
  const [promoteName, setPromoteName] = useState('')
  const [adding, setAdding] = useState(false)
  const requestRef = useRef<string | null>(null)

  const [templateName, templateVersion] = useMemo(() => {
    const [n, v] = templateKey.split('@')
    return [n, v ? Number(v) : null] as const
  }, [templateKey])
  const templateRef = useMemo(
    () => ({ name: templateName, version: templateVersion }),
    [templateName, templateVersion],
  )

  const fail = (err: unknown) =>
    setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) })

  const [reloads, setReloads] = useState(0)
  const reload = () => setReloads((n) => n + 1)

  useEffect(() => {
    Promise.all([api.listEndpoints({}), api.listTemplates({})]).then(
      ([e, t]) => {
        setEndpoints(e)
        setTemplates(t)
        setEndpoint((cur) => cur || e[0]?.name || '')
      },
      (err: unknown) => setMessage({ kind: 'error', text: String(err) }),
    )
  }, [api, reloads])

  useEffect(() => {
    api
      .listVariants({ sampleId, runId })
      .then(setVariants, (err: unknown) => setMessage({ kind: 'error', text: String(err) }))
    api.previewPrompt({ sampleId, template: { name: 'visionreasoner' } }).then(
      (p) => setQuery(p.query),
      () => undefined,
    )
  }, [api, sampleId, runId])

  useEffect(() => {
    if (!query) return
    // One preview per keystroke: an older one answering late must not replace the newer text.
    let live = true
    api.previewPrompt({ sampleId, query, template: templateRef }).then(
      (p) => live && setPreview(p.text),
      () => live && setPreview(''),
    )
    return () => {
      live = false
    }
  }, [api, sampleId, query, templateRef])

  useEffect(
    () =>
      api.subscribe((e) => {
        if (e.type !== 'reason.delta' || e.requestId !== requestRef.current) return
        setLive((cur) => (e.reset ? '' : cur + e.text))
      }),
    [api],
  )

  const ask = async () => {
    const requestId = newRequestId()
    requestRef.current = requestId
    setRunning(requestId)
    setLive('')
    setMessage(null)
    try {
      const v = await api.reaskSample({
        runId,
        sampleId,
        query,
        template: templateRef,
        endpoint,
        requestId,
        stream: true,
      })
      setVariants((cur) => [...cur, v])
      setChosen((cur) => [...cur.slice(-1), v.id])
      onPromptsChanged?.(v.prompts)
      setMessage(
        v.parseError
          ? { kind: 'error', text: `Answer did not parse: ${v.parseError}` }
          : {
              kind: 'ok',
              text: `IoU ${fmtIou(v.iou)} in ${(v.latencyMs / 1000).toFixed(1)} s${v.segmenter ? '' : ' (no mask: no engine)'}`,
            },
      )
    } catch (err) {
      fail(err)
    } finally {
      setRunning(null)
    }
  }

  const cancel = () => {
    if (running) api.cancelReask({ requestId: running }).catch(fail)
  }

  const testEndpoint = async () => {
    try {
      const r = await api.testEndpoint({ name: endpoint })
      setMessage(
        r.ok
          ? {
              kind: r.modelServed ? 'ok' : 'error',
              text: r.modelServed
                ? `Connected; model served (${r.latencyMs?.toFixed(0)} ms)`
                : `Connected, but the model is not served: ${r.models.join(', ')}`,
            }
          : { kind: 'error', text: r.error ?? 'connection failed' },
      )
    } catch (err) {
      fail(err)
    }
  }

  const saveTemplate = async () => {
    if (editing == null) return
    try {
      const t = await api.saveTemplate({ name: templateName, text: editing })
      reload()
      setTemplateKey(`${t.name}@${t.version}`)
      setEditing(null)
      setMessage({ kind: 'ok', text: `Saved ${t.name} v${t.version}` })
    } catch (err) {
      fail(err)
    }
  }

  const promote = async () => {
    try {
      // One variant per sample in a run: the panel is one sample, so the most recently chosen one.
      const r = await api.promoteVariants({
        variantIds: chosen.slice(-1),
        runName: promoteName,
        baseRunId: runId,
      })
      setMessage({
        kind: 'ok',
        text: `Run '${r.runName}' created (${r.predictions} predictions, ${r.replaced} replaced)`,
      })
    } catch (err) {
      fail(err)
    }
  }

  const toggle = (id: number) =>
    setChosen((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur.slice(-1), id]))
  const compared = variants.filter((v) => chosen.includes(v.id))
  const currentTemplate = templates.find(
    (t) => t.name === templateName && (templateVersion == null || t.version === templateVersion),
  )
  const names = [...new Set(templates.map((t) => t.name))]

  return (
    <div className="reason-panel" data-testid="reason-panel">
      <h3>Re-ask the model</h3>
      <div className="row">
        <label htmlFor="reason-endpoint">Endpoint</label>
        <select id="reason-endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
          {endpoints.length === 0 && <option value="">none saved</option>}
          {endpoints.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name} — {e.model}
            </option>
          ))}
        </select>
        <button onClick={testEndpoint} disabled={!endpoint}>
          Test
        </button>
        <button onClick={() => setAdding((a) => !a)}>{adding ? 'Close' : 'Add…'}</button>
      </div>
      {adding && (
        <EndpointForm
          api={api}
          onSaved={(name) => {
            reload()
            setEndpoint(name)
            setAdding(false)
          }}
          onError={fail}
        />
      )}
      <div className="row">
        <label htmlFor="reason-template">Template</label>
        <select id="reason-template" value={templateKey} onChange={(e) => setTemplateKey(e.target.value)}>
          {names.map((n) => (
            <optgroup key={n} label={n}>
              <option value={`${n}@`}>{n} (latest)</option>
              {templates
                .filter((t) => t.name === n)
                .map((t) => (
                  <option key={t.version} value={`${n}@${t.version}`}>
                    {n} v{t.version}
                    {t.isReference ? ' (reference)' : ''}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        <button onClick={() => setEditing(editing == null ? (currentTemplate?.text ?? '') : null)}>
          {editing == null ? 'Edit template' : 'Discard edit'}
        </button>
      </div>
      {editing != null && (
        <>
          <textarea
            rows={6}
            value={editing}
            onChange={(e) => setEditing(e.target.value)}
            aria-label="template text"
          />
          <div className="row">
            <button onClick={saveTemplate}>Save as new version</button>
            <span className="muted">{'{Question}'} is replaced by the normalized query.</span>
          </div>
        </>
      )}
      <label htmlFor="reason-query">Query</label>
      <textarea id="reason-query" rows={2} value={query} onChange={(e) => setQuery(e.target.value)} />
      {preview && (
        <details>
          <summary>Text sent to the model</summary>
          <div className="live">{preview}</div>
        </details>
      )}
      <div className="row">
        <button onClick={ask} disabled={!endpoint || !query || running != null} data-testid="reask">
          Re-ask
        </button>
        {running && <button onClick={cancel}>Cancel</button>}
        {message && <span className={message.kind}>{message.text}</span>}
      </div>
      {(running || live) && (
        <div className="live" data-testid="reason-live">
          {live || 'waiting for the model…'}
        </div>
      )}
      {variants.length > 0 && (
        <table data-testid="variants">
          <thead>
            <tr>
              <th />
              <th>#</th>
              <th>template</th>
              <th>query</th>
              <th>IoU</th>
              <th>s</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {variants.map((v) => (
              <tr key={v.id} className={chosen.includes(v.id) ? 'chosen' : ''}>
                <td>
                  <input
                    type="checkbox"
                    checked={chosen.includes(v.id)}
                    onChange={() => toggle(v.id)}
                    aria-label={`choose variant ${v.id}`}
                  />
                </td>
                <td>{v.id}</td>
                <td className="tpl" title={`${v.endpointName}: ${v.model}`}>
                  {v.templateName} v{v.templateVersion}
                </td>
                <td className="query" title={v.query}>
                  {v.query}
                </td>
                <td className={v.parseError ? 'error' : ''} title={v.parseError ?? undefined}>
                  {v.parseError ? 'parse error' : fmtIou(v.iou)}
                </td>
                <td>{(v.latencyMs / 1000).toFixed(1)}</td>
                <td>
                  <button onClick={() => onPromptsChanged?.(v.prompts)} disabled={!onPromptsChanged}>
                    Show
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {compared.length === 2 && (
        <div className="compare" data-testid="variant-compare">
          {compared.map((v) => (
            <div key={v.id}>
              <strong>
                #{v.id} · IoU {fmtIou(v.iou)}
              </strong>
              <pre>{v.reasoning ?? v.rawOutput}</pre>
              <pre>{v.answer ?? v.parseError ?? ''}</pre>
            </div>
          ))}
        </div>
      )}
      {chosen.length > 0 && (
        <div className="row">
          <input
            placeholder="new run name"
            value={promoteName}
            onChange={(e) => setPromoteName(e.target.value)}
            aria-label="new run name"
          />
          <button onClick={promote} disabled={!promoteName}>
            Promote #{chosen[chosen.length - 1]} to a run
          </button>
        </div>
      )}
    </div>
  )
}

function EndpointForm({
  api,
  onSaved,
  onError,
}: {
  api: ApiClient
  onSaved(name: string): void
  onError(e: unknown): void
}) {
  const [name, setName] = useState('local-vllm')
  const [baseUrl, setBaseUrl] = useState('http://127.0.0.1:8000')
  const [model, setModel] = useState('Ricky06662/VisionReasoner-7B')
  const [apiKey, setApiKey] = useState('')
  const save = async () => {
    try {
      await api.saveEndpoint({ name, baseUrl, model, ...(apiKey ? { apiKey } : {}) })
      setApiKey('')
      onSaved(name)
    } catch (err) {
      onError(err)
    }
  }
  return (
    <fieldset>
      <div className="row">
        <input value={name} onChange={(e) => setName(e.target.value)} aria-label="endpoint name" />
        <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} aria-label="base URL" />
      </div>
      <div className="row">
        <input value={model} onChange={(e) => setModel(e.target.value)} aria-label="model" />
        <input
          type="password"
          placeholder="API key (optional; kept outside the project)"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          aria-label="API key"
        />
        <button onClick={save}>Save</button>
      </div>
    </fieldset>
  )
}
