// A session's state, as a word (colour only repeats it).
import type { Session } from '@gpu-shopper/sdk';

export function StateBadge({ state }: { state: Session['state'] }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}
