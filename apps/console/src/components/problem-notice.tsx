// A failed read or action, said plainly, with a way to try again where that makes sense.
import type { Problem } from '../problems';

export function ProblemNotice({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  return (
    <div className={`notice notice-${problem.kind === 'rate-limited' ? 'warning' : 'error'}`} role="alert">
      <strong>{problem.title}</strong>
      <p>{problem.detail}</p>
      {onRetry !== undefined && problem.kind !== 'key-rejected' && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
