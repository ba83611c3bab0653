// The console's TanStack Query client: retries what may pass (the network, a 429 after its
// Retry-After, server errors), never a refusal; each failed attempt feeds the connection banner at
// once (not only after the retries), and a rejected key signs the console out.
import { QueryCache, QueryClient } from '@tanstack/react-query';
import { connection } from './connection';
import { problemOf, retryDelayMs, shouldRetry } from './problems';

export function createConsoleQueryClient(onKeyRejected: () => void): QueryClient {
  const queryCache = new QueryCache({
    onError: (error) => {
      if (problemOf(error).kind === 'key-rejected') onKeyRejected();
    },
  });
  queryCache.subscribe((event) => {
    if (event.type !== 'updated') return;
    if (event.action.type === 'failed' || event.action.type === 'error') {
      const problem = problemOf(event.action.error);
      if (problem.kind === 'unreachable' || problem.kind === 'rate-limited') connection.report(problem);
    } else if (event.action.type === 'success') {
      connection.report(null);
    }
  });
  return new QueryClient({
    queryCache,
    defaultOptions: {
      queries: { retry: shouldRetry, retryDelay: retryDelayMs, staleTime: 2_000 },
      mutations: { retry: false },
    },
  });
}
