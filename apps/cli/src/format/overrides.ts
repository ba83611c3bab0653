// Override requests (reservations past 12 hours) as a table for operators.
import { renderTable } from '../table';
import { overrideColumns, type OverrideRequest } from './sessions';

export function formatOverrideList(requests: readonly OverrideRequest[], all: boolean): string {
  if (requests.length === 0) return all ? 'No override requests.' : 'No pending override requests (use --all to include decided ones).';
  const columns = overrideColumns();
  columns.splice(1, 0, { header: 'CONSUMER', value: (request) => request.consumerId });
  return renderTable(columns, requests);
}
