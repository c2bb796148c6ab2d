/**
 * The model's output, reasoning then answer, with the answer's coordinates as hoverable chips linked to
 * the prompts drawn on the canvas. A parse error is shown with the raw text so the cause is visible.
 */
import type { Prediction } from '../../../../shared/contract/samples'
import { answerSpans, sameRef, splitOutput, type PromptRef } from './answerSpans'

interface Props {
  prediction: Prediction | null
  highlight: PromptRef | null
  onHover(ref: PromptRef | null): void
  /** An answer object whose coordinates are all highlighted (the object list's hovered or chosen row). */
  highlightObject?: number | null
}

export function ReasoningView({ prediction, highlight, onHover, highlightObject = null }: Props) {
  if (!prediction) return <div className="muted">This run has no prediction for the sample.</div>
  const { reasoning, answer } = splitOutput(prediction.rawOutput, prediction.reasoning, prediction.answer)
  return (
    <div className="reasoning" data-testid="reasoning">
      {prediction.parseError && (
        <div className="parse-error" data-testid="parse-error">
          <strong>Answer did not parse:</strong> {prediction.parseError}
          {prediction.rawOutput && <pre className="raw">{prediction.rawOutput}</pre>}
        </div>
      )}
      <h4>Reasoning</h4>
      {reasoning ? <p className="think">{reasoning}</p> : <p className="muted">No reasoning text.</p>}
      <h4>Answer</h4>
      {answer ? (
        <pre className="answer">
          {answerSpans(answer).map((s, i) =>
            s.ref ? (
              <span
                key={i}
                className={`coord${sameRef(s.ref, highlight) ? ' active' : ''}${s.ref.obj === highlightObject ? ' object' : ''}`}
                data-obj={s.ref.obj}
                data-testid="coord"
                onMouseEnter={() => onHover(s.ref ?? null)}
                onMouseLeave={() => onHover(null)}
              >
                {s.text}
              </span>
            ) : (
              <span key={i}>{s.text}</span>
            ),
          )}
        </pre>
      ) : (
        <p className="muted">No answer.</p>
      )}
    </div>
  )
}
