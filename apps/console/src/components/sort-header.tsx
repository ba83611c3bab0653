// A sortable column header: a button inside the <th>, which carries aria-sort for screen readers.
import { useState } from 'react';
import { sortRows, type SortDirection, type SortValue } from '../sorting';

export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

export function useSorted<T, K extends string>(rows: readonly T[], columns: Record<K, (row: T) => SortValue>, initial: SortState<K>) {
  const [sort, setSort] = useState(initial);
  const sorted = sortRows(rows, columns[sort.key], sort.direction);
  const toggle = (key: K) => setSort((current) => ({ key, direction: current.key === key && current.direction === 'ascending' ? 'descending' : 'ascending' }));
  return { sorted, sort, toggle };
}

export function SortHeader<K extends string>({ column, label, sort, onSort, numeric = false }: { column: K; label: string; sort: SortState<K>; onSort: (key: K) => void; numeric?: boolean }) {
  const active = sort.key === column;
  return (
    <th scope="col" aria-sort={active ? sort.direction : 'none'} className={numeric ? 'numeric' : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
