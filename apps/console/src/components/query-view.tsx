// One read's states, the same on every page: loading, failed (with the reason and a retry), empty
// (said in words), or the data; data already shown stays while a refresh fails, marked as such.
import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { problemOf } from '../problems';
import { ProblemNotice } from './problem-notice';

export interface QueryViewProps<T> {
  query: UseQueryResult<T>;
  /** What is being loaded, for the loading line ("sessions"). */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

export function QueryView<T>({ query, what, isEmpty, empty, children }: QueryViewProps<T>) {
  if (query.data === undefined) {
    if (query.error !== null) return <ProblemNotice problem={problemOf(query.error)} onRetry={() => void query.refetch()} />;
    return (
      <p className="loading" role="status">
        Loading {what}…
      </p>
    );
  }
  return (
    <>
      {query.error !== null && (
        <p className="stale-note" role="status">
          Showing {what} as last loaded: {problemOf(query.error).title.toLowerCase()}.
        </p>
      )}
      {isEmpty?.(query.data) ? <p className="empty">{empty}</p> : children(query.data)}
    </>
  );
}
