// Whether the server is answering, for the banner every page shows: the last failed attempt of any
// query (unreachable, rate limited) until the next success. Fed by the query cache (query-client.ts).
import { useSyncExternalStore } from 'react';
import type { Problem } from './problems';

let current: Problem | null = null;
const listeners = new Set<() => void>();

export const connection = {
  report(problem: Problem | null): void {
    if (problem === current || (problem !== null && current !== null && problem.kind === current.kind && problem.retryAfterSeconds === current.retryAfterSeconds)) return;
    current = problem;
    for (const listener of listeners) listener();
  },
  get(): Problem | null {
    return current;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useConnectionProblem(): Problem | null {
  return useSyncExternalStore(connection.subscribe, connection.get);
}
