/**
 * After a crash (a process died with the project open: the app itself, or a killed `reseg import`), offer the
 * project check: what it found, and a Fix button that removes orphaned media, migrates and checkpoints. Shows
 * nothing after a clean shutdown. Talks to the backend only through `api`.
 */
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../../../shared/contract/client'
import type { CheckReportDto } from '../../../../shared/contract/maintenance'
import './maintenance.css'

type State =
  | { kind: 'hidden' }
  | { kind: 'offer'; who: string }
  | { kind: 'busy' }
  | { kind: 'report'; report: CheckReportDto; fixed: boolean }
  | { kind: 'error'; message: string }

export function CrashCheck({ api }: { api: ApiClient }) {
  const [state, setState] = useState<State>({ kind: 'hidden' })
  useEffect(() => {
    let live = true
    api.getProjectHealth({}).then(
      ({ uncleanShutdown }) => {
        if (!live || uncleanShutdown.length === 0) return
        const who = uncleanShutdown
          .map((s) => (s.command ? `${s.command} (pid ${s.pid})` : `pid ${s.pid}`))
          .join(', ')
        setState({ kind: 'offer', who })
      },
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [api])

  const check = (fix: boolean) => {
    setState({ kind: 'busy' })
    api.checkProject({ fix }).then(
      (report) => setState({ kind: 'report', report, fixed: fix }),
      (e: Error) => setState({ kind: 'error', message: e.message }),
    )
  }
  const dismiss = () => setState({ kind: 'hidden' })
  if (state.kind === 'hidden') return null
  return (
    <div className="crash-check" role="alert" data-testid="crash-check">
      {state.kind === 'offer' && (
        <>
          <span>
            This project was not closed cleanly ({state.who}). A check finds what an interrupted job left
            behind.
          </span>
          <button onClick={() => check(false)} data-testid="crash-check-run">
            Check project
          </button>
        </>
      )}
      {state.kind === 'busy' && <span>Checking the project…</span>}
      {state.kind === 'report' && (
        <>
          <span data-testid="crash-check-result">
            {state.report.problems.length === 0 ? 'The project is clean.' : state.report.problems.join(' · ')}
            {state.report.clean && state.report.problems.length > 0 ? ' — now clean.' : ''}
          </span>
          {!state.fixed && state.report.problems.length > 0 && (
            <button onClick={() => check(true)} data-testid="crash-check-fix">
              Fix
            </button>
          )}
        </>
      )}
      {state.kind === 'error' && <span>The check failed: {state.message}</span>}
      <button className="link" onClick={dismiss}>
        dismiss
      </button>
    </div>
  )
}
