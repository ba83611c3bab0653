// Override requests (reservations past 12 hours) as a table for operators.
import { consumerLabel, renderTable, type TableView } from '../table';
import { overrideColumns, type OverrideRequest } from './sessions';

export function formatOverrideList(requests: readonly OverrideRequest[], all: boolean, view: TableView = {}): string {
  if (requests.length === 0) return all ? 'No override requests.' : 'No pending override requests (use --all to include decided ones).';
  const columns = overrideColumns();
  columns.splice(1, 0, { header: 'CONSUMER', value: (request) => consumerLabel(view, request.consumerId) });
  return renderTable(columns, requests, view);
}
