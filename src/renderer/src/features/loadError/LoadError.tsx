/** A load that failed: what went wrong and a way to try again. */
export function LoadError({ what, message, onRetry }: { what: string; message: string; onRetry(): void }) {
  return (
    <div className="query load-error" role="alert" data-testid="load-error">
      Could not load {what}: {message}{' '}
      <button onClick={onRetry} data-testid="load-retry">
        Retry
      </button>
    </div>
  )
}
